import { locate } from '@cmsweb/yaml';
import type { CheckId } from '../checks/registry.js';
import type { Finding } from '../findings.js';
import type { RepoYaml } from './repo-snapshot.js';

/**
 * Pure but for `out`, which it fills: reports an error of `check` at a path of a service's Argo CD
 * Application (the file, line and column of that path), for one environment and service.
 */
export function applicationErrors(
  app: RepoYaml,
  check: CheckId,
  at: { env: string; service: string },
  out: Finding[],
): (path: Array<string | number>, message: string) => void {
  return (path, message) =>
    out.push({ check, severity: 'error', message, ...locate(app.parsed, 0, path), env: at.env, service: at.service });
}

import { parseYaml, stringifyYaml, toJs, formatLocation } from '@cmsweb/yaml';
import type { Hold } from './model.js';

// environments/<env>/holds.yaml: the holds rollbacks place. Written only by gitops-sync (rollback adds
// an entry, release removes it); promotions and bumps into the environment refuse a held service.

const HEADER = `# Holds placed by \`gitops-sync rollback\`. While a service is listed here, promotions and bumps
# into this environment refuse it; \`gitops-sync release --service <service> --env <env>\` lifts the hold.
# Written by gitops-sync; every change is a commit with Hold/Release trailers.
`;

/** Pure: parses holds.yaml. Problems are returned, never thrown. */
export function parseHolds(path: string, text: string | null): { holds: Map<string, Hold>; problems: string[] } {
  const holds = new Map<string, Hold>();
  if (text === null) return { holds, problems: [] };
  const parsed = parseYaml(text, path);
  const errors = parsed.findings.filter((f) => f.severity === 'error');
  if (errors.length > 0) return { holds, problems: errors.map((f) => `${formatLocation(f)}: ${f.message}`) };
  const doc = toJs(parsed)[0] as { holds?: Record<string, Partial<Hold>> } | null;
  const problems: string[] = [];
  for (const [service, h] of Object.entries(doc?.holds ?? {})) {
    if (!h || typeof h.tag !== 'string' || typeof h.rolledBackFrom !== 'string' || typeof h.since !== 'string') {
      problems.push(`${path}: hold for ${service} needs tag, rolledBackFrom and since`);
      continue;
    }
    holds.set(service, {
      service,
      tag: h.tag,
      rolledBackFrom: h.rolledBackFrom,
      since: h.since,
      by: String(h.by ?? ''),
      ...(h.reason ? { reason: String(h.reason) } : {}),
      operationId: String(h.operationId ?? ''),
    });
  }
  return { holds, problems };
}

/** Pure: the whole holds.yaml for a set of holds (sorted by service). */
export function formatHolds(holds: Map<string, Hold>): string {
  const out: Record<string, Record<string, string>> = {};
  for (const service of [...holds.keys()].sort()) {
    const h = holds.get(service)!;
    out[service] = {
      tag: h.tag,
      rolledBackFrom: h.rolledBackFrom,
      since: h.since,
      by: h.by,
      ...(h.reason ? { reason: h.reason } : {}),
      operationId: h.operationId,
    };
  }
  return HEADER + stringifyYaml({ holds: out });
}

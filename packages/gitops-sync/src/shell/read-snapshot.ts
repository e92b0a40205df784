import { loadEnvironmentFile } from '@cmsweb/catalog';
import { formatLocation, parseYaml, toJs } from '@cmsweb/yaml';
import { parseHolds } from '../core/holds.js';
import { UsageError } from '@cmsweb/toolkit';
import { SERVICE_NAME } from '../core/input.js';
import type { EnvironmentState, Snapshot } from '../core/model.js';
import { holdsPath } from '../core/model.js';
import { parseOverlay } from '../core/overlay.js';
import { listTree, readBlobs } from './git.js';

// Reads environments/ as one commit has it: environment files, overlays and holds. Reading a commit
// (not the work tree) gives every command one consistent snapshot, also on a freshly fetched head.

const ENV_FILE = /^environments\/([^/]+)\/environment\.yaml$/;
const OVERLAY = /^environments\/([^/]+)\/values\/([^/]+)\.yaml$/;

export async function readSnapshot(root: string, commit: string): Promise<Snapshot> {
  // The listing gives each file's blob id: read by id, cat-file need not look each path up again.
  const listed = await listTree(root, commit, ['environments']);
  const names = [...listed.keys()];
  const envFiles = names.filter((n) => ENV_FILE.test(n));
  const overlays = names.filter((n) => OVERLAY.test(n) && SERVICE_NAME.test(OVERLAY.exec(n)![2]!));
  const holds = names.filter((n) => /^environments\/[^/]+\/holds\.yaml$/.test(n));
  const ids = [...envFiles, ...overlays, ...holds].map((p) => listed.get(p)).filter((id): id is string => !!id);
  const blobs = await readBlobs(root, [`${commit}:${CLUSTER_FILE}`, ...ids]);
  const text = (p: string) => {
    const id = p === CLUSTER_FILE ? `${commit}:${CLUSTER_FILE}` : listed.get(p);
    return id ? (blobs.get(id) ?? null) : null;
  };
  const declared = declaredEnvironments(text(CLUSTER_FILE), commit);

  const envs = new Map<string, EnvironmentState>();
  const problems: string[] = [];
  const undeclared: string[] = [];
  for (const path of envFiles) {
    const dir = ENV_FILE.exec(path)![1]!;
    // A folder of an environment that catalog/cluster.yaml no longer lists is a leftover: never a target.
    if (!declared.includes(dir)) {
      undeclared.push(dir);
      continue;
    }
    const loaded = loadEnvironmentFile(path, text(path) ?? '');
    const errors = loaded.findings.filter((f) => f.severity === 'error');
    if (!loaded.environment || errors.length > 0) {
      problems.push(...errors.map((f) => `${formatLocation(f)}: ${f.message}`));
      continue;
    }
    if (loaded.environment.name !== dir)
      problems.push(`${path}:1:1: name is ${loaded.environment.name}, expected ${dir} (the directory name)`);
    const hp = holdsPath(dir);
    const parsedHolds = parseHolds(hp, text(hp));
    problems.push(...parsedHolds.problems);
    envs.set(dir, {
      name: dir,
      config: loaded.environment,
      overlays: new Map(),
      holds: parsedHolds.holds,
      holdsPath: hp,
      holdsText: text(hp),
    });
  }
  for (const path of overlays) {
    const [, env, service] = OVERLAY.exec(path)! as unknown as [string, string, string];
    envs.get(env)?.overlays.set(service, parseOverlay(env, service, path, text(path) ?? ''));
  }
  const order = promotionOrder(envs, problems);
  if (problems.length > 0)
    throw new UsageError(
      `the environment configuration at ${commit.slice(0, 10)} is invalid:\n  ${problems.join('\n  ')}`,
    );
  if (envs.size === 0)
    throw new UsageError(
      `no environments/<env>/environment.yaml at ${commit.slice(0, 10)}: expected the GitOps repository layout (docs/contracts.md)`,
    );
  return { commit, order, envs, undeclared };
}

const CLUSTER_FILE = 'catalog/cluster.yaml';

/** The environment names catalog/cluster.yaml declares (`environments: [{ name }]`); fails closed without them. */
function declaredEnvironments(text: string | null, commit: string): string[] {
  const at = `${CLUSTER_FILE} at ${commit.slice(0, 10)}`;
  if (text === null)
    throw new UsageError(
      `${at} is missing: expected the catalog, whose environments list says which environments exist (docs/contracts.md)`,
    );
  const parsed = parseYaml(text, CLUSTER_FILE);
  const bad = parsed.findings.find((f) => f.severity === 'error');
  if (bad) throw new UsageError(`${formatLocation(bad)}: ${bad.message}`);
  const value = toJs(parsed)[0] as { environments?: unknown } | null;
  const list = value && typeof value === 'object' ? value.environments : undefined;
  const names = Array.isArray(list)
    ? list.map((e) => (e && typeof e === 'object' ? (e as { name?: unknown }).name : undefined))
    : [];
  if (!Array.isArray(list) || names.length === 0 || names.some((n) => typeof n !== 'string')) {
    throw new UsageError(
      `${at} declares no environments: expected environments: [{ name: dev, cluster: ... }, ...] listing every environment gitops-sync may change`,
    );
  }
  return names as string[];
}

/** Environments along the promotesFrom chains, the testbed(s) first. */
function promotionOrder(envs: Map<string, EnvironmentState>, problems: string[]): string[] {
  const order: string[] = [];
  let frontier = [...envs.values()]
    .filter((e) => e.config.promotesFrom === null)
    .map((e) => e.name)
    .sort();
  while (frontier.length > 0) {
    order.push(...frontier);
    frontier = [...envs.values()]
      .filter((e) => e.config.promotesFrom !== null && frontier.includes(e.config.promotesFrom))
      .map((e) => e.name)
      .sort();
  }
  for (const e of envs.values()) {
    if (!order.includes(e.name))
      problems.push(
        `environments/${e.name}/environment.yaml: promotesFrom ${e.config.promotesFrom} does not lead back to a testbed (an environment with promotesFrom: null)`,
      );
  }
  return order;
}

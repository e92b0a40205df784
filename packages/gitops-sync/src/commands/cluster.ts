import { EXIT, UsageError } from '@cmsweb/toolkit';
import { parseYaml, toJs } from '@cmsweb/yaml';
import { type ClusterRow, compareService, type GitService } from '../core/cluster-compare.js';
import { checkEnvironment } from '../core/input.js';
import { openRepository, readBlobs, resolveCommit } from '../shell/git.js';
import { ClusterError, type ClusterReader, openCluster } from '../shell/kube-cluster.js';
import { readSnapshot } from '../shell/read-snapshot.js';

// `gitops-sync cluster-status --env E`: what git says (the overlays at HEAD, each service's namespace from
// its catalog file) beside what the environment's cluster runs (Deployments, Argo CD Applications).

export interface ClusterReport {
  env: string;
  commit: string;
  context: string | null;
  server: string | null;
  rows: ClusterRow[];
  /** Why the cluster could not be read (the report is then a failure: nothing can be shown to agree). */
  error: string | null;
}

export function clusterExitCode(r: ClusterReport): number {
  return r.error !== null || r.rows.some((row) => row.differences.length > 0) ? EXIT.findings : EXIT.ok;
}

export function parseDuration(value: string, flag: string): number {
  const m = /^(\d{1,6})(ms|s|m)?$/.exec(value);
  if (!m || Number(m[1]) === 0)
    throw new UsageError(`${flag} ${JSON.stringify(value)} is not a duration: expected such as 500ms, 10s or 5m`);
  return Number(m[1]) * (m[2] === 'ms' ? 1 : m[2] === 'm' ? 60_000 : 1000);
}

/** The services of `env` as git has them at `commit`: overlay image and catalog namespace. */
export async function gitServices(root: string, commit: string, env: string): Promise<GitService[]> {
  const snapshot = await readSnapshot(root, commit);
  const state = snapshot.envs.get(env);
  if (!state)
    throw new UsageError(`--env ${env}: no environment of that name (expected one of ${snapshot.order.join(', ')})`);
  const services = [...state.overlays.keys()].sort();
  const blobs = await readBlobs(
    root,
    services.map((s) => `${commit}:catalog/services/${s}.yaml`),
  );
  return services.map((service) => {
    const text = blobs.get(`${commit}:catalog/services/${service}.yaml`);
    const doc = text
      ? (toJs(parseYaml(text, `catalog/services/${service}.yaml`))[0] as { namespace?: unknown })
      : undefined;
    const image = state.overlays.get(service)!.image;
    return {
      service,
      namespace: typeof doc?.namespace === 'string' ? doc.namespace : 'default',
      tag: image.tag,
      digest: image.digest,
    };
  });
}

/** One reading: the Deployments of the services' namespaces and the Argo CD Applications, compared with git. */
async function readRows(cluster: ClusterReader, wanted: GitService[], env: string): Promise<ClusterRow[]> {
  const namespaces = [...new Set(wanted.map((s) => s.namespace))].sort();
  const deployments = new Map(
    await Promise.all(namespaces.map(async (ns) => [ns, await cluster.deployments(ns)] as const)),
  );
  const apps = await cluster.applications('argocd');
  return wanted.map((g) =>
    compareService(g, deployments.get(g.namespace)?.get(g.service), apps?.get(`${g.service}-${env}`), env),
  );
}

export async function clusterStatus(flags: {
  root: string;
  env: string;
  kubeconfig?: string;
  context?: string;
  timeout?: string;
}): Promise<ClusterReport> {
  const env = checkEnvironment(flags.env, '--env');
  const timeoutMs = parseDuration(flags.timeout ?? '10s', '--timeout');
  const repo = await openRepository(flags.root);
  const commit = await resolveCommit(repo.root, 'HEAD');
  if (!commit) throw new UsageError(`${repo.root} has no commits yet: expected the GitOps repository`);
  const wanted = await gitServices(repo.root, commit, env);
  const cluster = openCluster({
    ...(flags.kubeconfig !== undefined ? { kubeconfig: flags.kubeconfig } : {}),
    ...(flags.context !== undefined ? { context: flags.context } : {}),
    timeoutMs,
  });
  const base = { env, commit, context: cluster.context, server: cluster.server };
  try {
    return { ...base, rows: await readRows(cluster, wanted, env), error: null };
  } catch (e) {
    if (e instanceof ClusterError) return { ...base, rows: [], error: e.message };
    throw e;
  }
}

export interface WaitResult {
  ok: boolean;
  env: string;
  commit: string;
  polls: number;
  seconds: number;
  /** The last reading of the services waited for (or the error that ended the wait). */
  rows: ClusterRow[];
  error: string | null;
}

/**
 * `promote --push --wait`: reads the target cluster every `pollMs` until each of `services` runs the image
 * `commit` gives it, rolled out and (with Argo CD) Synced/Healthy, or `timeoutMs` has passed. A cluster that
 * cannot be read is retried until the timeout (an API server restarting is not a failure of the promotion).
 */
export async function waitForRollout(o: {
  root: string;
  env: string;
  commit: string;
  services: string[];
  kubeconfig?: string;
  context?: string;
  timeoutMs: number;
  pollMs?: number;
}): Promise<WaitResult> {
  const repo = await openRepository(o.root);
  const wanted = (await gitServices(repo.root, o.commit, o.env)).filter((s) => o.services.includes(s.service));
  const cluster = openCluster({
    ...(o.kubeconfig !== undefined ? { kubeconfig: o.kubeconfig } : {}),
    ...(o.context !== undefined ? { context: o.context } : {}),
    timeoutMs: Math.min(o.timeoutMs, 30_000),
  });
  const started = Date.now();
  const pollMs = o.pollMs ?? 5000;
  let polls = 0;
  let rows: ClusterRow[] = [];
  let error: string | null = null;
  for (;;) {
    polls++;
    try {
      rows = await readRows(cluster, wanted, o.env);
      error = null;
    } catch (e) {
      if (!(e instanceof ClusterError)) throw e;
      error = e.message;
    }
    const seconds = (Date.now() - started) / 1000;
    if (error === null && rows.every((r) => r.differences.length === 0))
      return { ok: true, env: o.env, commit: o.commit, polls, seconds, rows, error };
    if (Date.now() - started + pollMs > o.timeoutMs)
      return { ok: false, env: o.env, commit: o.commit, polls, seconds, rows, error };
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

import { UsageError } from '../errors.js';

// `validator --scope`: the unit of work of the nx projects (tools/nx-plugin). A service scope reads only
// the files its nx `validate` target declares as inputs, so that nx may replay its result whenever those
// files are unchanged; everything that needs several services at once (the whole catalog, the frontend
// rules, selectors and policies across a namespace) belongs to the cluster scope.

/** What one validator run covers. */
export type Scope =
  | { kind: 'repository' }
  /** One Kubernetes service of the catalog: its own files and the environment-level files only. */
  | { kind: 'service'; name: string }
  /** The whole repository, including every check between services (nx project `cluster`). */
  | { kind: 'cluster' };

const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Pure: --scope service:<name> | cluster | repository (default: the whole repository). */
export function parseScope(text: string | undefined): Scope {
  if (text === undefined || text === 'repository') return { kind: 'repository' };
  if (text === 'cluster') return { kind: 'cluster' };
  const m = /^service:(.*)$/.exec(text);
  if (m && NAME.test(m[1]!)) return { kind: 'service', name: m[1]! };
  throw new UsageError(
    `--scope ${JSON.stringify(text)}: expected service:<name> (a service of catalog/services/), cluster or repository`,
  );
}

/** The library chart every generated chart depends on (file://../_library). */
export const LIBRARY_CHART = 'charts/_library';

/**
 * Pure: whether a service scope reads a repository-relative path. Exactly the inputs of the nx target
 * `svc-<name>:validate` (tools/nx-plugin/index.cjs, serviceInputs): its catalog file and catalog/cluster.yaml,
 * its chart and the library chart, its overlays and generated Application and HelmRelease, and each
 * environment's environment.yaml and the files directly in argocd/ and flux/ (project, root, GitRepository).
 * Not environments/<env>/cluster/: the frontend rules and namespaces there are made from every service, and
 * what checks them is the cluster scope.
 */
export function serviceReads(service: string, path: string): boolean {
  if (path === 'catalog/cluster.yaml' || /^catalog\/services\/(.+)\.ya?ml$/.exec(path)?.[1] === service) return true;
  if (path.startsWith(`charts/${service}/`) || path.startsWith(`${LIBRARY_CHART}/`)) return true;
  const m = /^environments\/[^/]+\/(.+)$/.exec(path);
  if (!m) return false;
  const rest = m[1]!;
  if (rest === 'environment.yaml' || /^(argocd|flux)\/[^/]+$/.test(rest)) return true;
  const own = /^(values|argocd\/apps|flux\/helmreleases)\/([^/]+)\.ya?ml$/.exec(rest);
  return own?.[2] === service;
}

/** Directories of environments/<env>/ holding one file per service, <service>.yaml (or .yml). */
export const SERVICE_FILE_DIRS = ['values', 'argocd/apps', 'flux/helmreleases'] as const;

/** Directories of environments/<env>/ whose own files every service reads. */
const ENV_DIRS = new Set(['argocd', 'flux']);

/**
 * Pure: whether a service scope lists a directory to find what serviceReads(service, ·) accepts: its chart,
 * the library, each environment and its argocd/ and flux/. Not the SERVICE_FILE_DIRS, whose thousands of
 * entries are other services' (read-repo looks up the service's own two names there instead), nor another
 * service's chart: a problem there is not this service's.
 */
export function serviceEnters(service: string, dir: string): boolean {
  if (dir === 'charts' || dir === 'environments') return true;
  for (const chart of [`charts/${service}`, LIBRARY_CHART])
    if (dir === chart || dir.startsWith(`${chart}/`)) return true;
  const m = /^environments\/[^/]+(?:\/(.+))?$/.exec(dir);
  return m !== null && (m[1] === undefined || ENV_DIRS.has(m[1]));
}

/** What `validator --nx-task` runs: the arguments of the nx task that started it. */
export interface NxTaskRun {
  /** --scope: service:<name> for project svc-<name>, cluster for project cluster. */
  scope: string;
  /** --env: the task's configuration (one environment), or every environment without one. */
  env: string[];
  /** --report-file: .nx-results/<project>/validate[-<env>].json, the output the target declares. */
  reportFile: string;
  /** --render-store: the store every validate target shares (a service's folder is its output). */
  renderStore: string;
}

/**
 * Pure: the run of `validator --nx-task` from the variables nx sets in every task's environment
 * (NX_TASK_TARGET_PROJECT, NX_TASK_TARGET_CONFIGURATION). The validate targets of tools/nx-plugin run one
 * command line for every project, the same for all, so that nx runs it itself (nx:run-commands) instead of
 * starting a process that loads nx and its project graph only to start the validator (about 1.7 CPU s at
 * 5,000 services); the project and the configuration say the rest.
 */
export function nxTaskRun(env: Record<string, string | undefined>): NxTaskRun {
  const project = env.NX_TASK_TARGET_PROJECT;
  const configuration = env.NX_TASK_TARGET_CONFIGURATION || undefined;
  const service = project === undefined ? undefined : /^svc-(.+)$/.exec(project)?.[1];
  if (project !== 'cluster' && !(service && NAME.test(service)))
    throw new UsageError(
      `--nx-task: NX_TASK_TARGET_PROJECT=${JSON.stringify(project ?? '')}: expected svc-<service> or cluster (a project of tools/nx-plugin; this option is for the targets nx runs)`,
    );
  if (configuration !== undefined && !NAME.test(configuration))
    throw new UsageError(
      `--nx-task: NX_TASK_TARGET_CONFIGURATION=${JSON.stringify(configuration)}: expected an environment of catalog/cluster.yaml`,
    );
  return {
    scope: service ? `service:${service}` : 'cluster',
    env: configuration ? [configuration] : [],
    reportFile: `.nx-results/${project}/validate${configuration ? `-${configuration}` : ''}.json`,
    renderStore: '.nx-results/renders',
  };
}

import type { Cluster } from '@cmsweb/catalog';

// The recommended labels (app.kubernetes.io/*) on every object chartgen writes under environments/<env>/
// (the charts set their own through Helm). The validator's standard-labels check wants name, instance and
// managed-by; part-of names the cluster the way the charts do.

export const MANAGED_BY = 'chartgen';

/**
 * app.kubernetes.io/name of the environment objects that do not belong to one service or namespace, named after
 * the cluster (catalog/cluster.yaml `name`: `cmsweb-root` for CMSWEB, `webshop-root` for a web shop).
 */
export function labelNames(cluster: Pick<Cluster, 'name'>) {
  const n = cluster.name;
  return {
    rootApplication: `${n}-root`,
    appProject: `${n}-project`,
    clusterApplication: 'cluster-objects',
    gitRepository: `${n}-gitrepository`,
    fluxRoot: `${n}-flux-root`,
    fluxCluster: `${n}-flux-cluster`,
    fluxServices: `${n}-flux-services`,
    frontendRules: 'frontend-rules',
    prometheusAdapter: 'prometheus-adapter',
  } as const;
}

/** A Kubernetes label value: at most 63 characters, alphanumeric at both ends, `-_.` inside. */
const LABEL_VALUE = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

export function isLabelValue(value: string): boolean {
  return LABEL_VALUE.test(value);
}

/** The instance label of `name` in environment `env`. */
export function instanceOf(name: string, env: string): string {
  return `${name}-${env}`;
}

/** Pure: the standard labels of an object named `name` (a service, a namespace or one of labelNames) in `env`. */
export function standardLabels(cluster: Cluster, name: string, env: string): Record<string, string> {
  return {
    'app.kubernetes.io/name': name,
    'app.kubernetes.io/instance': instanceOf(name, env),
    'app.kubernetes.io/part-of': cluster.name,
    'app.kubernetes.io/managed-by': MANAGED_BY,
  };
}

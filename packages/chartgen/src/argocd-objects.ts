import type { Cluster, Service } from '@cmsweb/catalog';
import { labelNames, standardLabels } from './standard-labels.js';

// Argo CD objects, in the shape docs/contracts.md fixes (the validator reads the Applications back).

export const ARGOCD_NAMESPACE = 'argocd';
/** Argo CD's built-in project: the root application lives there because it creates the environment's own project. */
export const ARGOCD_DEFAULT_PROJECT = 'default';
/** Destination namespace of the cluster-objects Application (every object there names its own namespace). */
export const CLUSTER_APP_NAMESPACE = 'default';
/** Files under environments/<env>/argocd/ that the root application must not sync: itself. */
export const ROOT_APPLICATION_FILE = 'root.yaml';

type Env = Cluster['environments'][number];

/** How Argo CD applies commits to an environment (environment.yaml `argocd.sync`). */
export type SyncMode = 'automated' | 'manual';

/**
 * Sync waves of the objects the root application syncs: the project first (the Applications reference it),
 * then the cluster objects (namespaces, frontend and adapter rules), then the services. Argo CD applies a
 * wave and waits for it to be healthy before the next one.
 */
export const SYNC_WAVES = { project: '-1', cluster: '0', services: '1' } as const;

/**
 * The finalizer that makes deleting an Application delete what it deployed (Argo CD's cascading delete);
 * without it a removed service's Application disappears and leaves its workload running, unmanaged.
 */
export const RESOURCES_FINALIZER = 'resources-finalizer.argocd.argoproj.io';

/**
 * Retry of a failed sync (e.g. a webhook not ready yet): 5 more attempts after 5s, 10s, 20s, 40s, 80s
 * (capped at 3m). Argo CD's default is no retry at all.
 */
export const SYNC_RETRY = { limit: 5, backoff: { duration: '5s', factor: 2, maxDuration: '3m' } } as const;

/**
 * Pure: the syncPolicy of an Application. `automated`: Argo CD syncs every new commit, deletes what git no
 * longer has (prune) and reverts changes made in the cluster (selfHeal). `manual`: it shows the difference
 * and a person syncs. Both retry a failed sync with backoff; `syncOptions` as given.
 */
export function syncPolicy(mode: SyncMode, syncOptions: string[] = []): object {
  return {
    ...(mode === 'automated' ? { automated: { prune: true, selfHeal: true } } : {}),
    ...(syncOptions.length ? { syncOptions } : {}),
    retry: SYNC_RETRY,
  };
}

/**
 * The AppProject of an environment. One per environment (`cmsweb-<env>`), not one shared `cmsweb`: every
 * root application creates its project, and Applications of all environments may live in one Argo CD, where a
 * shared project would be three objects of the same name with different destinations.
 */
export function projectName(cluster: Pick<Cluster, 'name'>, env: string): string {
  return `${cluster.name}-${env}`;
}

/** Pure: an Application of the environment's project, its source a path of the GitOps repository. */
function application(
  cluster: Cluster,
  env: Env,
  o: { name: string; label: string; wave: string; source: object; namespace: string; syncPolicy: object },
): object {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: {
      name: o.name,
      namespace: ARGOCD_NAMESPACE,
      labels: standardLabels(cluster, o.label, env.name),
      annotations: { 'argocd.argoproj.io/sync-wave': o.wave },
      finalizers: [RESOURCES_FINALIZER],
    },
    spec: {
      project: projectName(cluster, env.name),
      source: { repoURL: cluster.git.repoURL, targetRevision: cluster.git.branch, ...o.source },
      destination: { name: env.cluster, namespace: o.namespace },
      syncPolicy: o.syncPolicy,
    },
  };
}

/** Pure: the Application deploying charts/<service> to `env` with the environment's overlay. */
export function buildServiceApplication(cluster: Cluster, env: Env, s: Service, mode: SyncMode = 'automated'): object {
  return application(cluster, env, {
    name: `${s.name}-${env.name}`,
    label: s.name,
    wave: SYNC_WAVES.services,
    source: {
      path: `charts/${s.name}`,
      helm: {
        releaseName: s.name,
        // Relative to the chart path, as Argo CD resolves valueFiles; after the chart's values.yaml (which helm
        // reads first by itself): the catalog's settings of the environment, then the overlay people own.
        valueFiles: [`values-${env.name}.yaml`, `../../environments/${env.name}/values/${s.name}.yaml`],
      },
    },
    namespace: s.namespace,
    // The namespace also comes from the cluster Application (wave 0, with its team label); CreateNamespace
    // makes the service independent of that order (Argo CD does not wait for a child Application's health
    // unless the argocd-cm health customisation for Applications is installed).
    syncPolicy: syncPolicy(mode, ['CreateNamespace=true']),
  });
}

/** Pure: the Application deploying environments/<env>/cluster (namespaces, frontend and adapter rules). */
export function buildClusterApplication(cluster: Cluster, env: Env, mode: SyncMode = 'automated'): object {
  return application(cluster, env, {
    name: `cluster-${env.name}`,
    label: labelNames(cluster).clusterApplication,
    wave: SYNC_WAVES.cluster,
    // The directory also holds backends-k8s-<env>.txt, which is not a manifest.
    source: { path: `environments/${env.name}/cluster`, directory: { include: '*.yaml' } },
    // Every object there names its namespace (or is cluster-scoped).
    namespace: CLUSTER_APP_NAMESPACE,
    // Prune removes stale rules; Namespaces opt out (annotation in cluster-objects.ts): deleting one deletes all in it.
    syncPolicy: syncPolicy(mode),
  });
}

/**
 * Pure: the namespaces the environment's Applications deploy into: those of the charted services, the
 * frontend's (when the cluster has one) and Prometheus's (frontend and adapter rules) and the cluster Application's destination.
 */
export function projectNamespaces(cluster: Cluster, services: readonly Service[]): string[] {
  const all = new Set([
    ...services.filter((s) => !s.vm).map((s) => s.namespace),
    ...(cluster.frontend ? [cluster.frontend.namespace] : []),
    cluster.prometheus.namespace,
    CLUSTER_APP_NAMESPACE,
  ]);
  return [...all].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Pure: the AppProject every Application of `env` belongs to: this repository as the only source, the
 * environment's cluster with exactly the namespaces the Applications deploy into, Namespace as the only
 * cluster-scoped kind (plus ClusterRole/ClusterRoleBinding when a service declares serviceAccount.clusterRules). Synced by the root application one wave before the Applications.
 */
export function buildAppProject(cluster: Cluster, env: Env, services: readonly Service[]): object {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AppProject',
    metadata: {
      name: projectName(cluster, env.name),
      namespace: ARGOCD_NAMESPACE,
      labels: standardLabels(cluster, labelNames(cluster).appProject, env.name),
      annotations: { 'argocd.argoproj.io/sync-wave': SYNC_WAVES.project },
    },
    spec: {
      description: `${cluster.name} ${env.name}: the services and cluster objects deployed to ${env.cluster} (generated by chartgen)`,
      sourceRepos: [cluster.git.repoURL],
      destinations: projectNamespaces(cluster, services).map((namespace) => ({ name: env.cluster, namespace })),
      // ClusterRole and ClusterRoleBinding only when a service's serviceAccount.clusterRules needs them.
      clusterResourceWhitelist: [
        { group: '', kind: 'Namespace' },
        ...(services.some((s) => !s.vm && s.serviceAccount?.clusterRules?.length)
          ? [
              { group: 'rbac.authorization.k8s.io', kind: 'ClusterRole' },
              { group: 'rbac.authorization.k8s.io', kind: 'ClusterRoleBinding' },
            ]
          : []),
      ],
    },
  };
}

/**
 * Pure: the app of apps, deploying environments/<env>/argocd (the AppProject and every Application under
 * apps/, not root.yaml itself) into Argo CD. It belongs to Argo CD's `default` project: the environment's
 * project does not exist before this application first syncs, and does not admit Argo CD's own namespace.
 * It is always automated (it only adds, changes and removes Application objects; with a manual environment
 * those Applications then wait for a person) and has no resources finalizer: deleting the root by mistake
 * must not cascade into deleting every service of the environment.
 */
export function buildRootApplication(cluster: Cluster, env: Env): object {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: {
      name: `${cluster.name}-${env.name}`,
      namespace: ARGOCD_NAMESPACE,
      labels: standardLabels(cluster, labelNames(cluster).rootApplication, env.name),
    },
    spec: {
      project: ARGOCD_DEFAULT_PROJECT,
      source: {
        repoURL: cluster.git.repoURL,
        targetRevision: cluster.git.branch,
        path: `environments/${env.name}/argocd`,
        directory: { recurse: true, exclude: ROOT_APPLICATION_FILE },
      },
      destination: { name: 'in-cluster', namespace: ARGOCD_NAMESPACE },
      syncPolicy: syncPolicy('automated'),
    },
  };
}

import type { Cluster, Service } from '@cmsweb/catalog';
import { labelNames, standardLabels } from './standard-labels.js';

// Flux equivalents of the Argo CD objects (fluxcd/kustomize-controller api/v1, helm-controller api/v2):
//   GitRepository `cmsweb`                       the repository (flux/gitrepository.yaml)
//   Kustomization cmsweb-<env>                   root: applies environments/<env>/flux through its
//                                                kustomization.yaml (itself, the source, the two below)
//   Kustomization cmsweb-<env>-cluster           environments/<env>/cluster: namespaces, frontend and adapter rules
//   Kustomization cmsweb-<env>-services          environments/<env>/flux/helmreleases, dependsOn the cluster one
// A cluster admin applies gitrepository.yaml and root.yaml once; everything else arrives through git.

export const FLUX_NAMESPACE = 'flux-system';
/** The GitRepository every Kustomization and HelmRelease reads: named after the cluster (catalog/cluster.yaml `name`). */
export function fluxSourceName(cluster: Pick<Cluster, 'name'>): string {
  return cluster.name;
}
/** Files of environments/<env>/flux/ the root Kustomization applies (listed in its kustomization.yaml). */
export const FLUX_ROOT_FILES = ['gitrepository.yaml', 'root.yaml', 'kustomizations.yaml'] as const;

type Env = Cluster['environments'][number];

const sourceRef = (cluster: Pick<Cluster, 'name'>) => ({ kind: 'GitRepository', name: fluxSourceName(cluster) });

export function fluxRootName(cluster: Pick<Cluster, 'name'>, env: string): string {
  return `${cluster.name}-${env}`;
}
export function fluxClusterName(cluster: Pick<Cluster, 'name'>, env: string): string {
  return `${cluster.name}-${env}-cluster`;
}
export function fluxServicesName(cluster: Pick<Cluster, 'name'>, env: string): string {
  return `${cluster.name}-${env}-services`;
}

/** Pure: the GitRepository Flux fetches charts and overlays from. */
export function buildGitRepository(cluster: Cluster, env: Env): object {
  return {
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'GitRepository',
    metadata: {
      name: fluxSourceName(cluster),
      namespace: FLUX_NAMESPACE,
      labels: standardLabels(cluster, labelNames(cluster).gitRepository, env.name),
    },
    spec: { interval: '1m', url: cluster.git.repoURL, ref: { branch: cluster.git.branch } },
  };
}

/**
 * Pure: the root Kustomization, the one object (with the GitRepository) a cluster admin applies by hand. It
 * applies environments/<env>/flux through the kustomization.yaml there: itself (so a change to it arrives
 * through git too, as `flux bootstrap`'s flux-system does), the GitRepository and the two Kustomizations.
 */
export function buildRootKustomization(cluster: Cluster, env: Env): object {
  return {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: {
      name: fluxRootName(cluster, env.name),
      namespace: FLUX_NAMESPACE,
      labels: standardLabels(cluster, labelNames(cluster).fluxRoot, env.name),
    },
    spec: { interval: '10m', sourceRef: sourceRef(cluster), path: `./environments/${env.name}/flux`, prune: true },
  };
}

/**
 * Pure: the cluster objects, then the services. kustomize-controller generates a kustomization.yaml for a path
 * without one from every YAML file under it (backends-k8s-<env>.txt is not YAML, so it is left out, as it
 * should be: the ConfigMap in frontend-rules.yaml carries the same text). `wait` makes the cluster
 * Kustomization Ready only once its objects are; `dependsOn` holds the HelmReleases until then.
 */
export function buildKustomizations(cluster: Cluster, env: Env): object[] {
  return [
    {
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: {
        name: fluxClusterName(cluster, env.name),
        namespace: FLUX_NAMESPACE,
        labels: standardLabels(cluster, labelNames(cluster).fluxCluster, env.name),
      },
      spec: {
        interval: '10m',
        retryInterval: '1m',
        timeout: '3m',
        sourceRef: sourceRef(cluster),
        path: `./environments/${env.name}/cluster`,
        prune: true,
        wait: true,
      },
    },
    {
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: {
        name: fluxServicesName(cluster, env.name),
        namespace: FLUX_NAMESPACE,
        labels: standardLabels(cluster, labelNames(cluster).fluxServices, env.name),
      },
      spec: {
        dependsOn: [{ name: fluxClusterName(cluster, env.name) }],
        interval: '10m',
        retryInterval: '1m',
        sourceRef: sourceRef(cluster),
        path: `./environments/${env.name}/flux/helmreleases`,
        // A service removed from the catalog loses its HelmRelease file; prune deletes the HelmRelease, and
        // helm-controller then uninstalls the release.
        prune: true,
      },
    },
  ];
}

/** Pure: kustomization.yaml of environments/<env>/flux, so that the root does not also apply helmreleases/. */
export function buildFluxKustomizeFile(): object {
  return { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: [...FLUX_ROOT_FILES] };
}

/**
 * Install and upgrade remediation: a failed install is uninstalled and retried 3 times; a failed upgrade is
 * rolled back and retried 3 times (remediateLastFailure: the last failure is rolled back too, not left half
 * applied). Flux's defaults are no retries.
 */
export const HELM_REMEDIATION = {
  install: { createNamespace: true, remediation: { retries: 3 } },
  upgrade: { cleanupOnFail: true, remediation: { retries: 3, remediateLastFailure: true, strategy: 'rollback' } },
} as const;

/** Pure: the HelmRelease installing charts/<service> in `env`. */
export function buildHelmRelease(cluster: Cluster, env: Env, s: Service): object {
  return {
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    kind: 'HelmRelease',
    metadata: { name: s.name, namespace: FLUX_NAMESPACE, labels: standardLabels(cluster, s.name, env.name) },
    spec: {
      interval: '5m',
      releaseName: s.name,
      targetNamespace: s.namespace,
      chart: {
        spec: {
          chart: `./charts/${s.name}`,
          // Charts are versioned by git, not by Chart.yaml version: rebuild on every revision.
          reconcileStrategy: 'Revision',
          sourceRef: { ...sourceRef(cluster), namespace: FLUX_NAMESPACE },
          // valuesFiles replaces the chart's values.yaml instead of adding to it, so list it first; then the
          // catalog's settings of the environment, then the overlay people own (as the Argo CD Application).
          valuesFiles: [
            `charts/${s.name}/values.yaml`,
            `charts/${s.name}/values-${env.name}.yaml`,
            `environments/${env.name}/values/${s.name}.yaml`,
          ],
        },
      },
      // The namespace also comes from the cluster Kustomization (which this one's Kustomization depends on);
      // createNamespace keeps a first install working whatever the order.
      ...HELM_REMEDIATION,
    },
  };
}

import type { Cluster, Service } from '@cmsweb/catalog';
import { LABEL_NAMES, standardLabels } from './standard-labels.js';

// Flux equivalents of the Argo CD objects: one GitRepository per environment and a HelmRelease per service.

export const FLUX_NAMESPACE = 'flux-system';
export const FLUX_SOURCE = 'cmsweb';

type Env = Cluster['environments'][number];

/** Pure: the GitRepository Flux fetches charts and overlays from. */
export function buildGitRepository(cluster: Cluster, env: Env): object {
  return {
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'GitRepository',
    metadata: { name: FLUX_SOURCE, namespace: FLUX_NAMESPACE, labels: standardLabels(cluster, LABEL_NAMES.gitRepository, env.name) },
    spec: { interval: '1m', url: cluster.git.repoURL, ref: { branch: cluster.git.branch } },
  };
}

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
          sourceRef: { kind: 'GitRepository', name: FLUX_SOURCE, namespace: FLUX_NAMESPACE },
          // valuesFiles replaces the chart's values.yaml instead of adding to it, so list it first; then the
          // catalog's settings of the environment, then the overlay people own (as the Argo CD Application).
          valuesFiles: [`charts/${s.name}/values.yaml`, `charts/${s.name}/values-${env.name}.yaml`, `environments/${env.name}/values/${s.name}.yaml`],
        },
      },
    },
  };
}

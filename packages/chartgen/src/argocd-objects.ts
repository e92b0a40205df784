import type { Cluster, Service } from '@cmsweb/catalog';

// Argo CD Applications, in the shape docs/contracts.md fixes (the validator reads them back).

export const ARGOCD_NAMESPACE = 'argocd';
export const ARGOCD_PROJECT = 'cmsweb';

type Env = Cluster['environments'][number];

/** Pure: the Application deploying charts/<service> to `env` with the environment's overlay. */
export function buildServiceApplication(cluster: Cluster, env: Env, s: Service): object {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: `${s.name}-${env.name}`, namespace: ARGOCD_NAMESPACE },
    spec: {
      project: ARGOCD_PROJECT,
      source: {
        repoURL: cluster.git.repoURL,
        targetRevision: cluster.git.branch,
        path: `charts/${s.name}`,
        helm: {
          releaseName: s.name,
          // Relative to the chart path, as Argo CD resolves valueFiles.
          valueFiles: [`../../environments/${env.name}/values/${s.name}.yaml`],
        },
      },
      destination: { name: env.cluster, namespace: s.namespace },
    },
  };
}

/** Pure: the Application deploying environments/<env>/cluster (namespaces, frontend and adapter rules). */
export function buildClusterApplication(cluster: Cluster, env: Env): object {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: `cluster-${env.name}`, namespace: ARGOCD_NAMESPACE },
    spec: {
      project: ARGOCD_PROJECT,
      source: {
        repoURL: cluster.git.repoURL,
        targetRevision: cluster.git.branch,
        path: `environments/${env.name}/cluster`,
        // The directory also holds backends-k8s-<env>.txt, which is not a manifest.
        directory: { include: '*.yaml' },
      },
      // Every object there names its namespace (or is cluster-scoped).
      destination: { name: env.cluster, namespace: 'default' },
    },
  };
}

/** Pure: the app of apps, deploying every Application under environments/<env>/argocd/apps into Argo CD itself. */
export function buildRootApplication(cluster: Cluster, env: Env): object {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: `cmsweb-${env.name}`, namespace: ARGOCD_NAMESPACE },
    spec: {
      project: ARGOCD_PROJECT,
      source: {
        repoURL: cluster.git.repoURL,
        targetRevision: cluster.git.branch,
        path: `environments/${env.name}/argocd/apps`,
      },
      destination: { name: 'in-cluster', namespace: ARGOCD_NAMESPACE },
    },
  };
}

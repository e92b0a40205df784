import { annotationDomain, type Cluster } from '@cmsweb/catalog';
import { stringifyYaml } from '@cmsweb/yaml';
import type { AdapterConfig } from './adapter-rules.js';
import { labelNames, standardLabels } from './standard-labels.js';

/**
 * Never deleted by a sync: removing a namespace from catalog/cluster.yaml must not delete every object in it.
 * Argo CD (automated prune) and Flux (Kustomization prune) both honour their annotation.
 */
export const NAMESPACE_NO_PRUNE = {
  'argocd.argoproj.io/sync-options': 'Prune=false',
  'kustomize.toolkit.fluxcd.io/prune': 'disabled',
} as const;

/** Pure: one Namespace per catalog namespace, labelled with its team (and the standard labels, named after itself). */
export function buildNamespaces(cluster: Cluster, env: string): object[] {
  return [...cluster.namespaces]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((n) => ({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: n.name,
        labels: { ...standardLabels(cluster, n.name, env), team: n.team },
        annotations: {
          ...NAMESPACE_NO_PRUNE,
          ...(n.description ? { [`${annotationDomain(cluster)}/description`]: n.description } : {}),
        },
      },
    }));
}

export const FRONTEND_RULES_CONFIGMAP = 'frontend-rules';
export const ADAPTER_CONFIGMAP = 'prometheus-adapter';

/** Pure: the ConfigMap carrying backends-k8s-<env>.txt, in the frontend's namespace. */
export function buildFrontendRulesConfigMap(cluster: Cluster, env: string, rulesText: string): object {
  if (!cluster.frontend) throw new Error('frontend rules asked for a cluster without a frontend');
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: FRONTEND_RULES_CONFIGMAP,
      namespace: cluster.frontend.namespace,
      labels: standardLabels(cluster, labelNames(cluster).frontendRules, env),
    },
    data: { [`backends-k8s-${env}.txt`]: rulesText },
  };
}

/** Pure: the Prometheus Adapter's config.yaml as a ConfigMap in Prometheus's namespace. */
export function buildAdapterConfigMap(cluster: Cluster, env: string, config: AdapterConfig): object {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: ADAPTER_CONFIGMAP,
      namespace: cluster.prometheus.namespace,
      labels: standardLabels(cluster, labelNames(cluster).prometheusAdapter, env),
    },
    data: { 'config.yaml': stringifyYaml(config) },
  };
}

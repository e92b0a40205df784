import { effectiveSettings, type Cluster, type CustomMetric, type Service } from '@cmsweb/catalog';

/** A Prometheus Adapter discovery rule (the `rules:` list of its config.yaml). */
export interface AdapterRule {
  seriesQuery: string;
  resources: { overrides: { namespace: { resource: 'namespace' }; pod: { resource: 'pod' } } };
  name: { matches: string; as: string };
  metricsQuery: string;
}

/** The custom metrics a service's HPA scales on in `env` (none when its HPA is disabled there). */
export function usedCustomMetrics(cluster: Cluster, s: Service, env: string): CustomMetric[] {
  if (s.vm || !effectiveSettings(cluster, s, env).autoscaling?.enabled) return [];
  return s.environments?.[env]?.autoscaling?.customMetrics ?? s.autoscaling?.customMetrics ?? [];
}

/** Pure: one rule per custom metric any HPA of `env` uses, sorted by metric name. */
export function buildAdapterRules(cluster: Cluster, services: Service[], env: string): AdapterRule[] {
  const byName = new Map<string, AdapterRule>();
  for (const s of services) {
    for (const m of usedCustomMetrics(cluster, s, env)) {
      if (byName.has(m.name)) continue; // identical definitions: see checkGenerationRules for conflicts
      byName.set(m.name, {
        seriesQuery: m.seriesQuery ?? m.name,
        resources: { overrides: { namespace: { resource: 'namespace' }, pod: { resource: 'pod' } } },
        name: { matches: `^${m.name}$`, as: m.name },
        metricsQuery: m.query ?? `sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)`,
      });
    }
  }
  return [...byName.keys()].sort().map((k) => byName.get(k)!);
}

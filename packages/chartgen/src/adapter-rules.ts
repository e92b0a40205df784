import { effectiveSettings, type Cluster, type CustomMetric, type Service } from '@cmsweb/catalog';

// Prometheus Adapter discovery rules (the `rules:` of its config.yaml), written so that the adapter really
// registers every metric an HPA asks for (kubernetes-sigs/prometheus-adapter pkg/naming, docs/config.md):
// - discovery runs `seriesQuery` against Prometheus; each series found is a candidate;
// - `name.matches` filters the series by name and `name.as` expands the match into the metric name;
// - `resources.overrides` maps series labels to group-resources: the metric is registered for the resources
//   whose labels the series carries. An HPA Object metric on a batch/v1 Job is asked for as jobs.batch, a Pods
//   metric as pods; both in a namespace, so the series needs a label mapped to namespaces as well.
// The seriesQuery gets `<label>!=""` matchers for exactly those labels, so every discovered series has them.
// External metrics (pkg/external-provider, naming.BuildExternal) are `externalRules`: the HPA's selector becomes
// label matchers, and unless the rule says `resources.namespaced: false` the adapter adds the HPA's namespace
// through the label mapped to namespaces (no such label: the query fails), so that mapping is written too.

export interface GroupResource {
  group?: string;
  resource: string;
}

/** A Prometheus Adapter discovery rule. */
export interface AdapterRule {
  seriesQuery: string;
  resources: { overrides: Record<string, GroupResource> } | { namespaced: false };
  name: { matches: string; as: string };
  metricsQuery: string;
}

/** The adapter's config.yaml: custom metrics (`rules`) and, when any HPA uses one, `externalRules`. */
export interface AdapterConfig {
  rules: AdapterRule[];
  externalRules?: AdapterRule[];
}

/** The custom metrics a service's HPA scales on in `env` (none when its HPA is disabled there). */
export function usedCustomMetrics(cluster: Cluster, s: Service, env: string): CustomMetric[] {
  if (s.vm || !effectiveSettings(cluster, s, env).autoscaling?.enabled) return [];
  return s.environments?.[env]?.autoscaling?.customMetrics ?? s.autoscaling?.customMetrics ?? [];
}

/** The group of an apiVersion: `batch/v1` → batch, `v1` → the core group (''). */
export function apiGroup(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.split('/')[0]! : '';
}

/** Pure: the label → resource mappings a metric needs: namespace, plus pod (Pods) or the described object (Object). */
export function metricResources(m: CustomMetric): Record<string, GroupResource> {
  const out: Record<string, GroupResource> = { namespace: { resource: 'namespace' } };
  if (m.type === 'Pods') out.pod = { resource: 'pod' };
  else if (m.describedObject) {
    const group = apiGroup(m.describedObject.apiVersion);
    out[m.objectLabel ?? m.describedObject.kind.toLowerCase()] = {
      ...(group ? { group } : {}),
      resource: m.describedObject.kind.toLowerCase(),
    };
  }
  return out;
}

const SELECTOR = /^\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(?:\{(.*)\})?\s*$/s;

/** Pure: `seriesQuery` with a `<label>!=""` matcher for each label not constrained yet (a bare or `name{...}` selector). */
export function withLabelMatchers(seriesQuery: string, labels: string[]): string {
  const m = SELECTOR.exec(seriesQuery);
  if (!m) return seriesQuery; // {__name__=~"..."} and other forms: left as written
  const inner = (m[2] ?? '').trim();
  const present = new Set([...inner.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)/g)].map((x) => x[1]));
  const added = labels.filter((l) => !present.has(l)).map((l) => `${l}!=""`);
  const all = [...(inner ? [inner.replace(/,\s*$/, '')] : []), ...added];
  return all.length ? `${m[1]}{${all.join(',')}}` : m[1]!;
}

/** Pure: one rule per metric any HPA of `env` uses, sorted by metric name; External metrics as externalRules. */
export function buildAdapterRules(cluster: Cluster, services: Service[], env: string): AdapterConfig {
  const used = services.flatMap((s) => usedCustomMetrics(cluster, s, env));
  const external = used.filter((m) => m.type === 'External');
  const rules = customRules(used.filter((m) => m.type !== 'External'));
  return external.length ? { rules, externalRules: externalRules(external) } : { rules };
}

function customRules(used: CustomMetric[]): AdapterRule[] {
  const byName = new Map<string, { m: CustomMetric; overrides: Record<string, GroupResource> }>();
  for (const m of used) {
    // Identical definitions (see checkGenerationRules for conflicts); the resources of every use are served.
    const entry = byName.get(m.name) ?? { m, overrides: {} };
    Object.assign(entry.overrides, metricResources(m));
    byName.set(m.name, entry);
  }
  return [...byName.keys()].sort().map((name) => {
    const { m, overrides } = byName.get(name)!;
    const labels = Object.keys(overrides).sort();
    return {
      seriesQuery: withLabelMatchers(m.seriesQuery ?? m.name, labels),
      resources: { overrides: Object.fromEntries(labels.map((l) => [l, overrides[l]!])) },
      name: { matches: `^${m.name}$`, as: m.name },
      metricsQuery: m.query ?? `sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)`,
    };
  });
}

/** Pure: one external rule per External metric (identical definitions per name: checkGenerationRules). */
function externalRules(used: CustomMetric[]): AdapterRule[] {
  const byName = new Map(used.map((m) => [m.name, m]));
  return [...byName.keys()].sort().map((name) => {
    const m = byName.get(name)!;
    const namespaced = m.namespaced !== false;
    return {
      seriesQuery: withLabelMatchers(m.seriesQuery ?? m.name, namespaced ? ['namespace'] : []),
      resources: namespaced ? { overrides: { namespace: { resource: 'namespace' } } } : { namespaced: false },
      name: { matches: `^${m.name}$`, as: m.name },
      metricsQuery: m.query ?? 'sum(<<.Series>>{<<.LabelMatchers>>})',
    };
  });
}

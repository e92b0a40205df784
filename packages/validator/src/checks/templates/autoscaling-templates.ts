import { parseYaml, toJs } from '@cmsweb/yaml';
import { isRecord, type Resource } from '../../resources.js';
import type { CheckTemplate, Issue, ObjectSetView } from '../check.js';

// Cross-object templates over HorizontalPodAutoscalers: their target and their custom metrics.

/** The HPA's scaleTargetRef names an object of the same namespace. */
export const scaleTargetExists: CheckTemplate = {
  name: 'scale-target-exists',
  description: "an autoscaler's scaleTargetRef exists in its namespace",
  crossObject: true,
  params: {},
  run(_params, objects, context) {
    const out: Issue[] = [];
    for (const hpa of objects.byKind('HorizontalPodAutoscaler')) {
      const ref = isRecord(hpa.object.spec) && isRecord(hpa.object.spec.scaleTargetRef) ? hpa.object.spec.scaleTargetRef : undefined;
      if (!ref || typeof ref.kind !== 'string' || typeof ref.name !== 'string') continue;
      if (objects.find(ref.kind, hpa.ref.namespace, ref.name)) continue;
      const other = objects.findAnyNamespace(ref.kind, ref.name)[0];
      if (!context.complete && !other) continue;
      const ns = hpa.ref.namespace ?? '(none)';
      out.push({
        resource: hpa,
        path: ['spec', 'scaleTargetRef', 'name'],
        message: other
          ? `scaleTargetRef ${ref.kind} ${ref.name} is not in namespace ${ns} but in ${other.ref.namespace ?? '(none)'}: an autoscaler only scales objects of its own namespace; move the HorizontalPodAutoscaler to ${other.ref.namespace ?? '(none)'}`
          : `scaleTargetRef ${ref.kind} ${ref.name} does not exist in namespace ${ns}: expected the name of a ${ref.kind} of the same namespace`,
      });
    }
    return out;
  },
};

interface MetricUse {
  name: string;
  type: string;
  path: Array<string | number>;
}

/** Custom (Pods, Object) and External metrics an HPA scales on, in v2 and v2beta1/v2beta2 shapes. */
export function customMetricsOf(hpa: Resource): MetricUse[] {
  const spec = isRecord(hpa.object.spec) ? hpa.object.spec : {};
  const out: MetricUse[] = [];
  (Array.isArray(spec.metrics) ? spec.metrics : []).forEach((m, i) => {
    if (!isRecord(m) || typeof m.type !== 'string' || m.type === 'Resource' || m.type === 'ContainerResource') return;
    const field = m.type.charAt(0).toLowerCase() + m.type.slice(1);
    const body = isRecord(m[field]) ? (m[field] as Record<string, unknown>) : {};
    const v2 = isRecord(body.metric) && typeof body.metric.name === 'string' ? body.metric.name : undefined;
    const beta1 = typeof body.metricName === 'string' ? body.metricName : undefined;
    const name = v2 ?? beta1;
    if (name) out.push({ name, type: m.type, path: ['spec', 'metrics', i, field, ...(v2 ? ['metric', 'name'] : ['metricName'])] });
  });
  return out;
}

type Served = (metric: string) => boolean;

/** Metric names a Prometheus Adapter configuration serves (rules, externalRules). */
export function servedMetrics(config: unknown): Served[] {
  if (!isRecord(config)) return [];
  const out: Served[] = [];
  for (const key of ['rules', 'customRules', 'externalRules']) {
    for (const rule of Array.isArray(config[key]) ? config[key] : []) {
      if (!isRecord(rule)) continue;
      const series = typeof rule.seriesQuery === 'string' ? rule.seriesQuery : '';
      const literal = /^\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\{|$)/.exec(series)?.[1];
      const name = isRecord(rule.name) ? rule.name : {};
      const as = typeof name.as === 'string' ? name.as : undefined;
      const matches = typeof name.matches === 'string' ? name.matches : undefined;
      if (as !== undefined && !as.includes('$')) out.push((m) => m === as);
      else if (literal) {
        let served = literal;
        if (matches) {
          try {
            served = literal.replace(new RegExp(matches), as !== undefined ? as.replace(/\$\{(\d+)\}/g, '$$$1') : '$1');
          } catch {
            served = literal;
          }
        }
        out.push((m) => m === served);
      } else out.push(() => true); // a rule over many series: cannot tell which names it yields
    }
  }
  return out;
}

function adapterConfigs(objects: ObjectSetView, dataKey: RegExp): Served[] | undefined {
  let found = false;
  const served: Served[] = [];
  for (const cm of objects.byKind('ConfigMap')) {
    const data = isRecord(cm.object.data) ? cm.object.data : {};
    for (const [key, text] of Object.entries(data)) {
      if (!dataKey.test(key) || typeof text !== 'string' || !/(^|\n)(rules|externalRules|customRules):/.test(text)) continue;
      const parsed = parseYaml(text, `${cm.ref.name}:${key}`);
      if (parsed.findings.some((f) => f.severity === 'error')) continue;
      found = true;
      served.push(...servedMetrics(toJs(parsed)[0]));
    }
  }
  return found ? served : undefined;
}

/** Every custom metric an HPA uses is served by a Prometheus Adapter rule. Params: dataKey. */
export const hpaMetricAdapter: CheckTemplate = {
  name: 'hpa-metric-adapter',
  description: 'custom metrics of autoscalers have a Prometheus Adapter rule',
  crossObject: true,
  params: { dataKey: { type: 'regexp', description: 'which data keys of the adapter ConfigMap hold its rules' } },
  run(params, objects, context) {
    const hpas = objects.byKind('HorizontalPodAutoscaler');
    const uses = hpas.flatMap((h) => customMetricsOf(h).map((m) => ({ hpa: h, m })));
    if (!uses.length) return [];
    const served = adapterConfigs(objects, new RegExp(String(params.dataKey ?? 'config\\.yaml$')));
    if (!served && !context.clusterObjects) return [];
    return uses
      .filter(({ m }) => !(served ?? []).some((s) => s(m.name)))
      .map(({ hpa, m }) => ({
        resource: hpa,
        path: m.path,
        message: served
          ? `${m.type} metric "${m.name}" has no Prometheus Adapter rule, so the autoscaler never gets a value: expected a rule serving "${m.name}" in the adapter configuration (catalog autoscaling.customMetrics[].query)`
          : `${m.type} metric "${m.name}" needs a Prometheus Adapter rule, but no adapter configuration (ConfigMap with rules) is among the validated objects`,
      }));
  },
};

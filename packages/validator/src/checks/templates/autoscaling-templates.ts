import { parseYaml, toJs } from '@cmsweb/yaml';
import { isRecord, type Resource } from '../../resources.js';
import type { CheckTemplate, Issue, ObjectSetView } from '../check.js';
import { configServes, judgeConfig, type MetricRequest } from './adapter-discovery.js';

// Cross-object templates over HorizontalPodAutoscalers: their target and their custom metrics.

/** The HPA's scaleTargetRef names an object of the same namespace. */
export const scaleTargetExists: CheckTemplate = {
  name: 'scale-target-exists',
  description: "an autoscaler's scaleTargetRef exists in its namespace",
  crossObject: true,
  params: {},
  reads: () => [{ kinds: ['HorizontalPodAutoscaler'], paths: [['spec', 'scaleTargetRef']] }],
  run(_params, objects, context) {
    const out: Issue[] = [];
    for (const hpa of objects.byKind('HorizontalPodAutoscaler')) {
      const ref =
        isRecord(hpa.object.spec) && isRecord(hpa.object.spec.scaleTargetRef)
          ? hpa.object.spec.scaleTargetRef
          : undefined;
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
  describedObject?: { apiVersion: string; kind: string; name?: string };
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
    const target = isRecord(body.describedObject)
      ? body.describedObject
      : isRecord(body.target)
        ? body.target
        : undefined;
    const describedObject =
      target && typeof target.kind === 'string'
        ? {
            apiVersion: typeof target.apiVersion === 'string' ? target.apiVersion : 'v1',
            kind: target.kind,
            ...(typeof target.name === 'string' ? { name: target.name } : {}),
          }
        : undefined;
    if (name)
      out.push({
        name,
        type: m.type,
        path: ['spec', 'metrics', i, field, ...(v2 ? ['metric', 'name'] : ['metricName'])],
        ...(describedObject ? { describedObject } : {}),
      });
  });
  return out;
}

/** Adapter configurations among the objects: the parsed config.yaml of each ConfigMap key matching `dataKey`. */
function adapterConfigs(
  objects: ObjectSetView,
  dataKey: RegExp,
): Array<{ where: string; config: unknown }> | undefined {
  let found = false;
  const out: Array<{ where: string; config: unknown }> = [];
  // The same configuration text (one adapter ConfigMap per environment or copy) is read once.
  const read = new Map<string, { config: unknown } | undefined>();
  for (const cm of objects.byKind('ConfigMap')) {
    const data = isRecord(cm.object.data) ? cm.object.data : {};
    for (const [key, text] of Object.entries(data)) {
      if (!dataKey.test(key) || typeof text !== 'string' || !/(^|\n)(rules|externalRules|customRules):/.test(text))
        continue;
      if (!read.has(text)) {
        const parsed = parseYaml(text, `${cm.ref.name}:${key}`);
        read.set(text, parsed.findings.some((f) => f.severity === 'error') ? undefined : { config: toJs(parsed)[0] });
      }
      const config = read.get(text);
      if (!config) continue;
      found = true;
      out.push({
        where: `${cm.source.file} (ConfigMap ${cm.ref.namespace ? `${cm.ref.namespace}/` : ''}${cm.ref.name} ${key})`,
        config: config.config,
      });
    }
  }
  return found ? out : undefined;
}

/**
 * Every custom metric an HPA uses is served by a Prometheus Adapter rule, simulating the adapter's discovery
 * (adapter-discovery.ts): series → name mapping → resource mapping for the described object or the pods.
 * Params: dataKey.
 */
export const hpaMetricAdapter: CheckTemplate = {
  name: 'hpa-metric-adapter',
  description: "custom metrics of autoscalers are registered by the Prometheus Adapter's discovery for their object",
  crossObject: true,
  params: { dataKey: { type: 'regexp', description: 'which data keys of the adapter ConfigMap hold its rules' } },
  reads: () => [
    { kinds: ['HorizontalPodAutoscaler'], paths: [['spec', 'metrics']] },
    { kinds: ['ConfigMap'], paths: [['data']] },
  ],
  run(params, objects, context) {
    const hpas = objects.byKind('HorizontalPodAutoscaler');
    const uses = hpas.flatMap((h) => customMetricsOf(h).map((m) => ({ hpa: h, m })));
    if (!uses.length) return [];
    const configs = adapterConfigs(objects, new RegExp(String(params.dataKey ?? 'config\\.yaml$')));
    if (!configs && !context.clusterObjects) return [];
    const out: Issue[] = [];
    // Verdicts depend only on the configuration and the metric: whether some rule serves a metric is asked
    // once per metric (of the rules that can name it), and every rule judged only to explain a metric not served.
    const judged = new Map<unknown, Map<string, ReturnType<typeof judgeConfig>>>();
    const judge = (config: unknown, req: MetricRequest, key: string) => {
      let byReq = judged.get(config);
      if (!byReq) judged.set(config, (byReq = new Map()));
      let v = byReq.get(key);
      if (!v) byReq.set(key, (v = judgeConfig(config, req)));
      return v;
    };
    const servedBy = new Map<string, boolean>();
    for (const { hpa, m } of uses) {
      const hpaName = `HorizontalPodAutoscaler ${hpa.ref.namespace ? `${hpa.ref.namespace}/` : ''}${hpa.ref.name}`;
      const type = m.type === 'Pods' || m.type === 'Object' || m.type === 'External' ? m.type : 'Object';
      const req: MetricRequest = {
        name: m.name,
        type,
        ...(m.describedObject ? { describedObject: m.describedObject } : {}),
      };
      const on =
        type === 'Pods'
          ? 'its pods'
          : type === 'Object'
            ? `${m.describedObject?.kind ?? 'its object'} ${m.describedObject?.name ?? ''}`.trim()
            : 'an external metric';
      if (!configs) {
        out.push({
          resource: hpa,
          path: m.path,
          message: `${hpaName}: ${m.type} metric "${m.name}" needs a Prometheus Adapter rule, but no adapter configuration (ConfigMap with rules) is among the validated objects`,
        });
        continue;
      }
      const key = JSON.stringify(req);
      let served = servedBy.get(key);
      if (served === undefined) servedBy.set(key, (served = configs.some((c) => configServes(c.config, req))));
      if (served) continue;
      const verdicts = configs.flatMap((c) => judge(c.config, req, key).map((v) => ({ ...v, where: c.where })));
      // The closest rule: one that yields the metric's name but maps no resource, else any rule for that series.
      const named = verdicts.find((v) => v.served === m.name) ?? verdicts.find((v) => v.seriesQuery.includes(m.name));
      out.push({
        resource: hpa,
        path: m.path,
        message: named
          ? `${hpaName} scales on ${m.type} metric "${m.name}" of ${on}, but the Prometheus Adapter never serves it: ${named.where} ${named.rule} (seriesQuery ${named.seriesQuery}): ${named.problem}`
          : `${hpaName} scales on ${m.type} metric "${m.name}" of ${on}, but no Prometheus Adapter rule yields that name (${verdicts.length} rule(s) in ${[...new Set(configs.map((c) => c.where))].join(', ')}): expected a rule whose seriesQuery finds the series and whose name.matches/as give "${m.name}" (catalog autoscaling.customMetrics[].query, regenerate)`,
      });
    }
    return out;
  },
};

import { autoscaling as autoscalingSchema } from '@cmsweb/catalog';
import { fits } from './import-container.js';
import type { ManifestDocument } from './manifest-documents.js';
import { type Plain, rootField, Usage } from './tracked-field.js';

// Pure: the HorizontalPodAutoscaler that targets a workload → the catalog's autoscaling. Reads
// autoscaling/v1 (targetCPUUtilizationPercentage), v2beta1 (targetAverageUtilization, targetAverageValue)
// and v2beta2/v2 (target.{averageUtilization,averageValue,value}). What the catalog lacks (External
// metrics, behavior, other resources) is reported.

/** prometheus-adapter's default metricsQuery (its documented sample configuration). */
export const DEFAULT_QUERY = 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)';

export function importAutoscaling(
  hpas: ManifestDocument[],
  kind: string,
  name: string,
  used: Array<{ document: ManifestDocument; usage: Usage }>,
): Plain | undefined {
  const matching = hpas.filter((h) => {
    const ref = (h.object.spec as Plain | undefined)?.scaleTargetRef as Plain | undefined;
    return ref?.kind === kind && ref?.name === name;
  });
  const [hpa, ...others] = matching;
  for (const o of others) {
    const u = new Usage();
    used.push({ document: o, usage: u });
    rootField(o.object, u).drop(`a second HorizontalPodAutoscaler for ${kind} ${name} (${hpa?.name} is imported)`);
  }
  if (!hpa) return undefined;
  const usage = new Usage();
  used.push({ document: hpa, usage });
  const root = rootField(hpa.object, usage);
  for (const k of ['apiVersion', 'kind']) root.get(k).take();
  root.get('metadata').get('name').take();
  root.get('metadata').get('namespace').take();
  const spec = root.get('spec');
  spec.get('scaleTargetRef').take();
  const out: Plain = {
    minReplicas: spec.get('minReplicas').present ? spec.get('minReplicas').take() : 1,
    maxReplicas: spec.get('maxReplicas').take(),
  };
  if (spec.get('targetCPUUtilizationPercentage').present)
    out.cpuUtilization = spec.get('targetCPUUtilizationPercentage').take();
  const custom: Plain[] = [];
  for (const m of spec.get('metrics').items()) {
    const type = m.get('type').value;
    if (type === 'Resource') {
      const r = m.get('resource');
      const resource = r.get('name').value;
      const target = r.get('target');
      const util = target.present ? target.get('averageUtilization') : r.get('targetAverageUtilization');
      const typeOk = !target.present || target.get('type').value === 'Utilization';
      if ((resource === 'cpu' || resource === 'memory') && util.present && typeOk) {
        out[resource === 'cpu' ? 'cpuUtilization' : 'memoryUtilization'] = util.take();
        m.take();
      } else m.drop('only cpu and memory utilization targets are expressible as Resource metrics');
    } else if (type === 'Pods' || type === 'Object') {
      const key = type === 'Pods' ? 'pods' : 'object';
      const body = m.get(key);
      const metricName = body.get('metric').present
        ? body.get('metric').get('name').value
        : body.get('metricName').value;
      const target = body.get('target');
      const value = target.present
        ? (target.get('averageValue').value ?? target.get('value').value)
        : (body.get('targetAverageValue').value ?? body.get('targetValue').value);
      const described = body.get('describedObject').present
        ? body.get('describedObject').value
        : body.get('target').value;
      const candidate: Plain = { name: metricName, type, target: value };
      if (type === 'Object') candidate.describedObject = described;
      // An HPA names no adapter query; the catalog needs one (chartgen writes the adapter rule from it).
      candidate.query = DEFAULT_QUERY;
      m.get('type').drop(
        `the HPA names no Prometheus Adapter query: the entry uses the adapter's default ${DEFAULT_QUERY}; check it against your adapter rules`,
      );
      if (body.get('metric').get('selector').present) {
        body
          .get('metric')
          .get('selector')
          .drop('metric label selectors are not expressible (write them into the adapter query)');
      }
      const ok = fits(autoscalingSchema.shape.customMetrics.unwrap().element, candidate, m, `${type} metric`);
      if (ok) {
        m.take();
        custom.push(ok);
      }
    } else m.drop(`${String(type)} metrics are not expressible (the catalog has Resource, Pods and Object metrics)`);
  }
  if (custom.length) out.customMetrics = custom;
  return fits(autoscalingSchema, out, spec, 'autoscaling');
}

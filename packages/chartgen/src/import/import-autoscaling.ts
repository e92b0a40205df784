import { autoscaling as autoscalingSchema, customMetric as customMetricSchema, scalingBehavior } from '@cmsweb/catalog';
import { fits } from './import-container.js';
import type { ManifestDocument } from './manifest-documents.js';
import { type Field, isPlain, openDocument, type Plain, takeIdentity, type UsedDocuments } from './tracked-field.js';

// Pure: the HorizontalPodAutoscaler that targets a workload → the catalog's autoscaling. Reads
// autoscaling/v1 (targetCPUUtilizationPercentage), v2beta1 (targetAverageUtilization, targetAverageValue)
// and v2beta2/v2 (target.{averageUtilization,averageValue,value}), External metrics and behavior. What the
// catalog lacks (other resources, selector matchExpressions) is reported.

/** prometheus-adapter's default metricsQuery (its documented sample configuration). */
export const DEFAULT_QUERY = 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)';

export function importAutoscaling(
  hpas: ManifestDocument[],
  kind: string,
  name: string,
  used: UsedDocuments,
): Plain | undefined {
  const matching = hpas.filter((h) => {
    const ref = (h.object.spec as Plain | undefined)?.scaleTargetRef as Plain | undefined;
    return ref?.kind === kind && ref?.name === name;
  });
  const [hpa, ...others] = matching;
  for (const o of others) {
    openDocument(o, used).drop(`a second HorizontalPodAutoscaler for ${kind} ${name} (${hpa?.name} is imported)`);
  }
  if (!hpa) return undefined;
  const root = openDocument(hpa, used);
  takeIdentity(root);
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
    } else if (type === 'Pods' || type === 'Object' || type === 'External') {
      const ok = customMetric(m, type);
      if (ok) custom.push(ok);
    } else
      m.drop(
        `${String(type)} metrics are not expressible (the catalog has Resource, Pods, Object and External metrics)`,
      );
  }
  if (custom.length) out.customMetrics = custom;
  const behavior = spec.get('behavior');
  if (behavior.present) {
    const ok = fits(scalingBehavior, behavior.value, behavior, 'behavior');
    if (ok) {
      behavior.take();
      out.behavior = ok;
    }
  }
  return fits(autoscalingSchema, out, spec, 'autoscaling');
}

/** prometheus-adapter's external rules have no object to group by: the sample externalRules query sums the series. */
export const DEFAULT_EXTERNAL_QUERY = 'sum(<<.Series>>{<<.LabelMatchers>>})';

/**
 * A Pods, Object or External metric (autoscaling/v2: `<key>.metric.{name,selector}` and `target`;
 * v2beta1: `metricName`, `metricSelector`, `target*Value`) → a catalog custom metric.
 */
function customMetric(m: Field, type: 'Pods' | 'Object' | 'External'): Plain | undefined {
  const key = type === 'Pods' ? 'pods' : type === 'Object' ? 'object' : 'external';
  const body = m.get(key);
  const v2 = body.get('metric').present;
  const metricName = v2 ? body.get('metric').get('name').value : body.get('metricName').value;
  const target = body.get('target');
  const v2Target = v2 || (type !== 'Object' && target.present);
  const value = v2Target
    ? (target.get('averageValue').value ?? target.get('value').value)
    : (body.get('targetAverageValue').value ?? body.get('targetValue').value);
  const targetType = v2Target
    ? target.get('type').value
    : body.get('targetAverageValue').present
      ? 'AverageValue'
      : 'Value';
  const candidate: Plain = { name: metricName, type, target: value };
  if (type === 'Object') {
    candidate.describedObject = body.get('describedObject').present
      ? body.get('describedObject').value
      : body.get('target').value;
    if (targetType === 'AverageValue') candidate.targetType = 'AverageValue';
  }
  const selector = v2 ? body.get('metric').get('selector') : body.get('metricSelector');
  if (type === 'External') {
    if (targetType === 'Value') candidate.targetType = 'Value';
    if (selector.present) {
      const labels = selector.get('matchLabels');
      if (isPlain(labels.value) && Object.keys(labels.value).length) candidate.selector = labels.value;
      selector
        .get('matchExpressions')
        .drop(
          'metric selector matchExpressions are not expressible (the catalog passes matchLabels; write the rest into the adapter query)',
        );
    }
  } else if (selector.present)
    selector.drop('metric label selectors are not expressible (write them into the adapter query)');
  // An HPA names no adapter query; the catalog needs one (chartgen writes the adapter rule from it).
  candidate.query = type === 'External' ? DEFAULT_EXTERNAL_QUERY : DEFAULT_QUERY;
  m.get('type').drop(
    `the HPA names no Prometheus Adapter query: the entry uses the adapter's default ${String(candidate.query)}; check it against your adapter rules${type === 'External' ? ' (and set namespaced: false if the series carry no namespace label)' : ''}`,
  );
  const ok = fits(customMetricSchema, candidate, m, `${type} metric`);
  if (ok) m.take();
  return ok;
}

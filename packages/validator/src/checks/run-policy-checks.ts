import type { Finding } from '../findings.js';
import type { Resource } from '../resources.js';
import type { PolicyContext } from './check.js';
import { buildObjectSet } from './object-set.js';
import { objectFinding } from './object-findings.js';
import { CHECKS } from './registry.js';
import { TEMPLATES } from './templates/index.js';

/**
 * Pure: runs every enabled policy check of the registry over the objects validated together
 * (one environment, one chart, or one manifests invocation).
 */
export function runPolicyChecks(
  resources: readonly Resource[],
  context: PolicyContext,
  enabled: (id: string) => boolean,
  which: 'all' | 'single-object' | 'cross-object' = 'all',
): Finding[] {
  const objects = buildObjectSet(resources);
  const out: Finding[] = [];
  for (const check of CHECKS) {
    if (!check.template || !enabled(check.id)) continue;
    const template = TEMPLATES[check.template];
    if (!template) throw new Error(`internal: check ${check.id} names unknown template ${check.template}`);
    if ((which === 'single-object' && template.crossObject) || (which === 'cross-object' && !template.crossObject))
      continue;
    for (const issue of template.run(check.params ?? {}, objects, context)) {
      const f = objectFinding(
        check.id,
        check.severity,
        issue.resource,
        issue.path,
        issue.message,
        context.ignoreAnnotation,
      );
      if (f) out.push(f);
    }
  }
  return out;
}

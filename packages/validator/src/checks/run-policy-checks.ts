import type { Finding } from '../findings.js';
import type { Resource } from '../resources.js';
import type { Issue, PolicyContext } from './check.js';
import { buildObjectSet } from './object-set.js';
import { objectFinding } from './object-findings.js';
import { CHECKS, type CheckId } from './registry.js';
import { TEMPLATES } from './templates/index.js';

/** An issue a policy check raised, with the check that raised it (before it is placed as a finding). */
export interface PolicyIssue {
  check: CheckId;
  severity: Finding['severity'];
  issue: Issue;
}

/**
 * Pure: the issues of every enabled policy check of the registry over the objects validated together, in
 * the order runPolicyChecks reports them. Reads objects only: no position is asked for (see objectFinding).
 */
export function policyIssues(
  resources: readonly Resource[],
  context: PolicyContext,
  enabled: (id: string) => boolean,
  which: 'all' | 'single-object' | 'cross-object' = 'all',
): PolicyIssue[] {
  const objects = buildObjectSet(resources);
  const out: PolicyIssue[] = [];
  for (const check of CHECKS) {
    if (!check.template || !enabled(check.id)) continue;
    const template = TEMPLATES[check.template];
    if (!template) throw new Error(`internal: check ${check.id} names unknown template ${check.template}`);
    if ((which === 'single-object' && template.crossObject) || (which === 'cross-object' && !template.crossObject))
      continue;
    for (const issue of template.run(check.params ?? {}, objects, context))
      out.push({ check: check.id, severity: check.severity, issue });
  }
  return out;
}

/**
 * Pure: runs every enabled policy check of the registry over the objects validated together
 * (one environment, one chart, or one manifests invocation); the arguments are policyIssues'.
 */
export function runPolicyChecks(...args: Parameters<typeof policyIssues>): Finding[] {
  const { ignoreAnnotation } = args[1];
  const out: Finding[] = [];
  for (const { check, severity, issue } of policyIssues(...args)) {
    const f = objectFinding(check, severity, issue.resource, issue.path, issue.message, ignoreAnnotation);
    if (f) out.push(f);
  }
  return out;
}

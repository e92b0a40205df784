import type { Finding } from './findings.js';
import type { Resource } from './resources.js';
import type { PolicyContext } from './checks/check.js';
import { runPolicyChecks } from './checks/run-policy-checks.js';
import { runSchemaChecks } from './schema/schema-checks.js';
import type { KubeSchemaValidator } from './schema/schema-validator.js';

export interface ObjectValidation {
  schemas: KubeSchemaValidator;
  kubernetesVersion: string;
  context: PolicyContext;
  enabled: (id: string) => boolean;
  /** Which policy checks run (default all): single-object when the objects are not all of their environment. */
  policyChecks?: 'all' | 'single-object';
}

/** Pure (given the schema validator): schema, API lifecycle and policy findings for objects validated together. */
export function validateObjects(resources: readonly Resource[], v: ObjectValidation): Finding[] {
  return [
    ...runSchemaChecks(resources, v.schemas, v.kubernetesVersion, v.enabled, v.context.ignoreAnnotation),
    ...runPolicyChecks(resources, v.context, v.enabled, v.policyChecks),
  ];
}

/** Schema, API lifecycle and single-object policy findings, each object judged alone (its schema compiled first). */
export async function singleObjectFindings(
  resources: readonly Resource[],
  v: Omit<ObjectValidation, 'policyChecks'>,
): Promise<Finding[]> {
  if (!resources.length) return [];
  await v.schemas.prepare(resources.map((r) => r.ref));
  return validateObjects(resources, { ...v, policyChecks: 'single-object' });
}

import { buildResult, type Finding, type ValidationResult } from '../findings.js';
import { applyConfig, isEnabled, type ValidatorConfig } from '../config/validator-config.js';
import type { PolicyContext } from '../checks/check.js';
import type { Resource } from '../resources.js';
import type { CreateKubeSchemaValidator } from '../schema/schema-validator.js';
import { validateObjects } from '../validate-objects.js';
import { parseManifests } from './parse-manifests.js';
import type { InputFile } from './read-inputs.js';

export interface ManifestsValidationOptions {
  kubernetesVersion: string;
  schemaLocations?: string[];
  createSchemas: CreateKubeSchemaValidator;
  config: ValidatorConfig;
  context: PolicyContext;
}

/** Validates plain manifests, as kubeconform does, plus the policy checks over all of them together. */
export async function validateManifestInputs(inputs: InputFile[], opts: ManifestsValidationOptions): Promise<ValidationResult> {
  const findings: Finding[] = [];
  const resources: Resource[] = [];
  for (const input of inputs) {
    const parsed = parseManifests(input.text, input.path);
    findings.push(...parsed.findings);
    resources.push(...parsed.resources);
  }
  const schemas = await opts.createSchemas({ kubernetesVersion: opts.kubernetesVersion, schemaLocations: opts.schemaLocations });
  await schemas.prepare(resources.map((r) => r.ref));
  const enabled = (id: string) => isEnabled(opts.config, id);
  findings.push(...validateObjects(resources, { schemas, kubernetesVersion: opts.kubernetesVersion, context: opts.context, enabled }));
  return buildResult(applyConfig(findings, opts.config), resources.length);
}

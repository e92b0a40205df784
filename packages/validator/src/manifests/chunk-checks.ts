import type { Finding, ResourceRef } from '../findings.js';
import type { PolicyContext } from '../checks/check.js';
import { runPolicyChecks } from '../checks/run-policy-checks.js';
import { isEnabled, type ValidatorConfig } from '../config/validator-config.js';
import type { KubeObject, Resource } from '../resources.js';
import { runSchemaChecks } from '../schema/schema-checks.js';
import type { CreateKubeSchemaValidator } from '../schema/schema-validator.js';
import { parseChunk } from './parse-manifests.js';

/** One document chunk of an input file (see splitDocuments), numbered across all inputs. */
export interface Chunk {
  id: number;
  file: string;
  text: string;
  startLine: number;
}

/** A resource as it crosses a worker boundary: plain data; positions are recomputed from the chunk. */
export interface PlainResource {
  chunk: number;
  docIndex: number;
  base: Array<string | number>;
  object: KubeObject;
  ref: ResourceRef;
}

export interface ChunkCheckOptions {
  kubernetesVersion: string;
  schemaLocations?: string[];
  config: ValidatorConfig;
  context: PolicyContext;
}

export interface ChunkBatchResult {
  findings: Finding[];
  resources: PlainResource[];
}

/**
 * Everything that looks at one object at a time, for a batch of chunks: YAML, shape, schema, API
 * lifecycle and single-object policy checks. Runs inline or in a worker thread with the same result.
 */
export async function checkChunkBatch(chunks: Chunk[], opts: ChunkCheckOptions, createSchemas: CreateKubeSchemaValidator): Promise<ChunkBatchResult> {
  const findings: Finding[] = [];
  const resources: Resource[] = [];
  const plain: PlainResource[] = [];
  for (const chunk of chunks) {
    const r = parseChunk(chunk, chunk.file);
    findings.push(...r.findings);
    for (const o of r.resources) {
      resources.push(o.resource);
      plain.push({ chunk: chunk.id, docIndex: o.docIndex, base: o.base, object: o.resource.object, ref: o.resource.ref });
    }
  }
  const enabled = (id: string) => isEnabled(opts.config, id);
  const schemas = await createSchemas({ kubernetesVersion: opts.kubernetesVersion, schemaLocations: opts.schemaLocations });
  await schemas.prepare(resources.map((r) => r.ref));
  findings.push(...runSchemaChecks(resources, schemas, opts.kubernetesVersion, enabled));
  findings.push(...runPolicyChecks(resources, opts.context, enabled, 'single-object'));
  return { findings, resources: plain };
}

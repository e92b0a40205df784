import { buildResult, type ValidationResult } from '../findings.js';
import { applyConfig, isEnabled, type ValidatorConfig } from '../config/validator-config.js';
import type { PolicyContext } from '../checks/check.js';
import { runPolicyChecks } from '../checks/run-policy-checks.js';
import type { Chunk } from './chunk-checks.js';
import { rehydrate } from './lazy-locate.js';
import type { InputFile } from './read-inputs.js';
import { runChunkBatches } from './run-batches.js';
import { splitDocuments } from './split-documents.js';

export interface ManifestsValidationOptions {
  kubernetesVersion: string;
  schemaLocations?: string[];
  config: ValidatorConfig;
  context: PolicyContext;
  /** Worker threads at most (default: the machine's cores) and the document count from which they are used. */
  parallel?: number;
  workerThreshold?: number;
  /** Test hook: the main thread waits for the workers before it takes a batch (see runChunkBatches). */
  waitForWorkers?: boolean;
  /** Test hook: false checks every document on the slow path (see createChunkChecker). Same result. */
  fastPath?: boolean;
}

/** Validates plain manifests, as kubeconform does, plus the policy checks over all of them together. */
export async function validateManifestInputs(
  inputs: InputFile[],
  opts: ManifestsValidationOptions,
): Promise<ValidationResult> {
  const chunks: Chunk[] = [];
  for (const input of inputs) {
    for (const c of splitDocuments(input.text))
      chunks.push({ id: chunks.length, file: input.path, text: c.text, startLine: c.startLine });
  }
  const options = {
    kubernetesVersion: opts.kubernetesVersion,
    schemaLocations: opts.schemaLocations,
    config: opts.config,
    context: opts.context,
    fastPath: opts.fastPath,
  };
  const single = await runChunkBatches(chunks, options, {
    parallel: opts.parallel,
    threshold: opts.workerThreshold,
    waitForWorkers: opts.waitForWorkers,
  });
  const resources = rehydrate(single.resources, new Map(chunks.map((c) => [c.id, c])));
  const cross = runPolicyChecks(resources, opts.context, (id) => isEnabled(opts.config, id), 'cross-object');
  return buildResult(applyConfig([...single.findings, ...cross], opts.config), resources.length);
}

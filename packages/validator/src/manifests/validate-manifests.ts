import { buildResult, type ValidationResult } from '../findings.js';
import { applyConfig, isEnabled, type ValidatorConfig } from '../config/validator-config.js';
import type { PolicyContext } from '../checks/check.js';
import { runPolicyChecks } from '../checks/run-policy-checks.js';
import { rehydrate } from './lazy-locate.js';
import { inputChunks } from './input-chunks.js';
import type { ManifestInput } from './read-inputs.js';
import { runChunkBatches } from './run-batches.js';

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
  inputs: ManifestInput[],
  opts: ManifestsValidationOptions,
): Promise<ValidationResult> {
  const chunks = inputChunks(inputs);
  const options = {
    kubernetesVersion: opts.kubernetesVersion,
    schemaLocations: opts.schemaLocations,
    config: opts.config,
    context: opts.context,
    fastPath: opts.fastPath,
  };
  try {
    const single = await runChunkBatches(chunks, options, {
      parallel: opts.parallel,
      threshold: opts.workerThreshold,
      waitForWorkers: opts.waitForWorkers,
    });
    const resources = rehydrate(single.resources, chunks.refs, (id) => chunks.texts([chunks.refs[id]!])[0]!);
    const cross = runPolicyChecks(resources, opts.context, (id) => isEnabled(opts.config, id), 'cross-object');
    return buildResult(applyConfig([...single.findings, ...cross], opts.config), resources.length);
  } finally {
    chunks.close();
  }
}

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Plan } from '../core/change-plan.js';
import type { GateResult } from '../core/gates.js';
import { type BaseIndex, materializeChange } from './build-commit.js';
import { findValidator, VALIDATOR_ENV } from './validator.js';

// The validation gate: the services a change touches must pass the validator for the target
// environment, run on exactly the tree the commit would hold, before the commit is made.

export async function validationGates(
  root: string,
  base: string,
  plan: Plan,
  required: boolean,
  validatorOverride?: string,
  index?: BaseIndex,
): Promise<GateResult[]> {
  return validateServices(
    root,
    base,
    plan.files,
    plan.env,
    plan.changes.map((c) => c.service),
    required,
    validatorOverride,
    index,
  );
}

/**
 * The validation gate of `services` in `env` on the tree of `base` with `files` applied: one validator run
 * (it renders the services in parallel itself), one result per service. A batch of bumps (runChanges)
 * calls it once on the batch's last commit for the services whose overlay there is the one their bump
 * wrote, as `promote --all` validates all its services in one run.
 */
export async function validateServices(
  root: string,
  base: string,
  files: Plan['files'],
  env: string,
  services: string[],
  required: boolean,
  validatorOverride?: string,
  index?: BaseIndex,
): Promise<GateResult[]> {
  if (services.length === 0) return [];
  if (!required) {
    return [
      {
        gate: 'validation',
        service: null,
        status: 'skipped',
        message: `skipped (${env} does not set promotion.requireValidation)`,
      },
    ];
  }
  const validator = findValidator(root, { [VALIDATOR_ENV]: validatorOverride });
  if (!validator.installed) {
    // Required means fail closed: a gate that cannot run is a failed gate.
    return [
      {
        gate: 'validation',
        service: null,
        status: 'fail',
        message: `${env} requires validation (promotion.requireValidation) but the validator cannot run: ${validator.problem}; nothing was committed`,
      },
    ];
  }
  const dir = mkdtempSync(join(tmpdir(), 'gitops-sync-validate-'));
  try {
    await materializeChange(root, base, files, dir, index);
    const outcomes = await validator.validate(dir, env, services);
    return services.map((s) => {
      const o = outcomes.get(s)!;
      return { gate: 'validation', service: s, status: o.ok ? 'pass' : 'fail', message: o.summary };
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

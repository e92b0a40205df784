import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Plan } from '../core/change-plan.js';
import type { GateResult } from '../core/gates.js';
import { materializeChange } from './build-commit.js';
import { findValidator, VALIDATOR_ENV } from './validator.js';

// The validation gate: the services a change touches must pass the validator for the target
// environment, run on exactly the tree the commit would hold, before the commit is made.

export async function validationGates(
  root: string,
  base: string,
  plan: Plan,
  required: boolean,
  validatorOverride?: string,
): Promise<GateResult[]> {
  const services = plan.changes.map((c) => c.service);
  if (services.length === 0) return [];
  if (!required) {
    return [
      {
        gate: 'validation',
        service: null,
        status: 'skipped',
        message: `skipped (${plan.env} does not set promotion.requireValidation)`,
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
        message: `${plan.env} requires validation (promotion.requireValidation) but the validator cannot run: ${validator.problem}; nothing was committed`,
      },
    ];
  }
  const dir = mkdtempSync(join(tmpdir(), 'gitops-sync-validate-'));
  try {
    await materializeChange(root, base, plan.files, dir);
    // One validator run for the whole change: it renders the services in parallel itself.
    const outcomes = await validator.validate(dir, plan.env, services);
    const results: GateResult[] = services.map((s) => {
      const o = outcomes.get(s)!;
      return { gate: 'validation', service: s, status: o.ok ? 'pass' : 'fail', message: o.summary };
    });
    return results;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

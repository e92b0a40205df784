import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

// The one interface to the validator (packages/validator, written separately): run
//   node <root>/packages/validator/bin/validator.js --root DIR --env E --service S --output json
// on the tree the change would commit. Exit 0: valid; exit 1: findings; anything else: the validator
// itself failed, which refuses the change too (fail closed).

export interface ValidationOutcome {
  ok: boolean;
  summary: string;
}

export interface Validator {
  /** Where the validator was looked for, and whether it is there. */
  readonly bin: string;
  readonly installed: boolean;
  validate(treeDir: string, env: string, service: string): Promise<ValidationOutcome>;
}

export function findValidator(root: string): Validator {
  const bin = join(root, 'packages', 'validator', 'bin', 'validator.js');
  return { bin, installed: existsSync(bin), validate: (dir, env, service) => run(bin, root, dir, env, service) };
}

function run(bin: string, cwd: string, dir: string, env: string, service: string): Promise<ValidationOutcome> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, '--root', dir, '--env', env, '--service', service, '--output', 'json'], {
      cwd, stdio: ['ignore', 'pipe', 'pipe'], timeout: 10 * 60_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', (e) => resolve({ ok: false, summary: `the validator could not be started: ${e.message}` }));
    child.on('close', (code, signal) => {
      if (code === 0) return resolve({ ok: true, summary: `validator: ${service} in ${env} is valid` });
      if (code === 1) {
        const messages = findingMessages(stdout);
        if (messages) return resolve({ ok: false, summary: `validator findings for ${service} in ${env}: ${messages}` });
      }
      const why = signal ? `killed by ${signal}` : `exit ${code}`;
      const detail = (stderr.trim().split('\n').pop() ?? '') || stdout.trim().slice(0, 200);
      resolve({ ok: false, summary: `the validator failed to run for ${service} in ${env} (${why})${detail ? `: ${detail}` : ''}` });
    });
  });
}

/** Up to three finding messages from the validator's JSON (errors first), with file:line when given. */
function findingMessages(stdout: string): string | undefined {
  let json: unknown;
  try {
    json = JSON.parse(stdout);
  } catch {
    return undefined;
  }
  const found: Array<{ text: string; error: boolean }> = [];
  const walk = (v: unknown): void => {
    if (v === null || typeof v !== 'object') return;
    const o = v as Record<string, unknown>;
    if (typeof o.message === 'string') {
      const where = typeof o.file === 'string' ? `${o.file}${typeof o.line === 'number' ? `:${o.line}` : ''}: ` : '';
      found.push({ text: where + o.message, error: o.severity === undefined || o.severity === 'error' });
      return;
    }
    Object.values(o).forEach(walk);
  };
  walk(json);
  const errors = found.filter((f) => f.error);
  const shown = (errors.length > 0 ? errors : found).map((f) => f.text);
  if (shown.length === 0) return 'the validator reported findings (exit 1)';
  return shown.slice(0, 3).join('; ') + (shown.length > 3 ? ` (and ${shown.length - 3} more)` : '');
}

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

// The one interface to the validator (packages/validator, written separately): run
//   node <root>/packages/validator/bin/validator.js --root DIR --env E --service S1 --service S2 ... --output json
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
  /** One run for all `services`; the outcome of each, by service. */
  validate(treeDir: string, env: string, services: string[]): Promise<Map<string, ValidationOutcome>>;
}

export function findValidator(root: string): Validator {
  const bin = join(root, 'packages', 'validator', 'bin', 'validator.js');
  return { bin, installed: existsSync(bin), validate: (dir, env, services) => run(bin, root, dir, env, services) };
}

function run(bin: string, cwd: string, dir: string, env: string, services: string[]): Promise<Map<string, ValidationOutcome>> {
  const all = (o: (s: string) => ValidationOutcome) => new Map(services.map((s) => [s, o(s)]));
  return new Promise((resolve) => {
    const args = [bin, '--root', dir, '--env', env, ...services.flatMap((s) => ['--service', s]), '--output', 'json'];
    const child = spawn(process.execPath, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], timeout: 10 * 60_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', (e) => resolve(all(() => ({ ok: false, summary: `the validator could not be started: ${e.message}` }))));
    child.on('close', (code, signal) => {
      const valid = (s: string): ValidationOutcome => ({ ok: true, summary: `validator: ${s} in ${env} is valid` });
      if (code === 0) return resolve(all(valid));
      if (code === 1) {
        const bySvc = findingMessages(stdout, services);
        if (bySvc) {
          return resolve(all((s) => {
            const m = bySvc.get(s);
            return m ? { ok: false, summary: `validator findings for ${s} in ${env}: ${m}` } : valid(s);
          }));
        }
      }
      const why = signal ? `killed by ${signal}` : `exit ${code}`;
      const detail = (stderr.trim().split('\n').pop() ?? '') || stdout.trim().slice(0, 200);
      resolve(all((s) => ({ ok: false, summary: `the validator failed to run for ${s} in ${env} (${why})${detail ? `: ${detail}` : ''}` })));
    });
  });
}

/**
 * Up to three error messages per service from the validator's JSON, with file:line when given. A
 * finding without a service (e.g. a shared source file) counts against every service of the run.
 */
function findingMessages(stdout: string, services: string[]): Map<string, string> | undefined {
  let json: { findings?: Array<Record<string, unknown>> };
  try {
    json = JSON.parse(stdout) as typeof json;
  } catch {
    return undefined;
  }
  if (!Array.isArray(json.findings)) return undefined;
  const errors = json.findings.filter((f) => f.severity === 'error' && typeof f.message === 'string');
  const out = new Map<string, string>();
  for (const s of services) {
    const mine = errors.filter((f) => f.service === undefined || f.service === s);
    if (mine.length === 0) continue;
    const shown = mine.map((f) => `${typeof f.file === 'string' ? `${f.file}${typeof f.line === 'number' ? `:${f.line}` : ''}: ` : ''}${String(f.message)}`);
    out.set(s, shown.slice(0, 3).join('; ') + (shown.length > 3 ? ` (and ${shown.length - 3} more)` : ''));
  }
  // Exit 1 with no error we can attribute: refuse all rather than pass silently.
  if (out.size === 0) for (const s of services) out.set(s, 'the validator reported findings (exit 1)');
  return out;
}

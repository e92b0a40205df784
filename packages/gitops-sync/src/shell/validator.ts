import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';

// The one interface to the validator (the `validator` workspace package, a dependency of gitops-sync):
//   node <validator bin> --root DIR --env E --service S1 --service S2 ... --output json
// on the tree the change would commit. Exit 0: valid; exit 1: findings; anything else: the validator
// itself failed, which refuses the change too (fail closed). The validator is the one installed with
// gitops-sync (resolved from this file, as `import` would), never a file looked up inside --root, so a
// repository cannot switch the gate off by lacking (or shipping) a validator; GITOPS_SYNC_VALIDATOR
// points at another validator bin explicitly.

/** Environment variable naming the validator bin to run instead of the installed one. */
export const VALIDATOR_ENV = 'GITOPS_SYNC_VALIDATOR';

export interface ValidationOutcome {
  ok: boolean;
  summary: string;
}

export type Validator =
  | {
      readonly installed: true;
      readonly bin: string;
      validate(treeDir: string, env: string, services: string[]): Promise<Map<string, ValidationOutcome>>;
    }
  | {
      readonly installed: false /** Why it cannot run and how to install it or point at it. */;
      readonly problem: string;
    };

const HOW = `install gitops-sync with its dependencies (\`npm ci\` in its repository installs the validator workspace package next to it), or set ${VALIDATOR_ENV} to the path of packages/validator/bin/validator.js`;

/** Shell: the validator to run: $GITOPS_SYNC_VALIDATOR, else the `validator` package installed with gitops-sync. */
export function findValidator(root: string, env: NodeJS.ProcessEnv = process.env): Validator {
  const explicit = env[VALIDATOR_ENV];
  if (explicit !== undefined && explicit !== '') {
    const bin = resolve(root, explicit);
    if (!existsSync(bin))
      return { installed: false, problem: `${VALIDATOR_ENV}=${explicit}: ${bin} does not exist; ${HOW}` };
    return installed(bin, root);
  }
  const bin = installedValidatorBin();
  return typeof bin === 'string' ? installed(bin, root) : { installed: false, problem: `${bin.problem}; ${HOW}` };
}

function installed(bin: string, root: string): Validator {
  return { installed: true, bin, validate: (dir, env, services) => run(bin, root, dir, env, services) };
}

/** The `validator` bin of the package gitops-sync depends on (package.json "bin"), resolved from here. */
export function installedValidatorBin(): string | { problem: string } {
  let pkgFile: string;
  try {
    pkgFile = createRequire(import.meta.url).resolve('validator/package.json');
  } catch {
    return {
      problem:
        'the validator package is not installed with gitops-sync (cannot resolve validator/package.json from it)',
    };
  }
  let bin: unknown;
  try {
    bin = (JSON.parse(readFileSync(pkgFile, 'utf8')) as { bin?: unknown }).bin;
  } catch (e) {
    return { problem: `${pkgFile} cannot be read (${(e as Error).message})` };
  }
  const rel =
    typeof bin === 'string'
      ? bin
      : bin && typeof bin === 'object'
        ? (bin as Record<string, unknown>).validator
        : undefined;
  if (typeof rel !== 'string')
    return { problem: `${pkgFile} declares no "validator" bin: it is not the validator of packages/validator` };
  const path = join(dirname(pkgFile), rel);
  return existsSync(path) ? path : { problem: `the validator bin ${path} is missing` };
}

function run(
  bin: string,
  cwd: string,
  dir: string,
  env: string,
  services: string[],
): Promise<Map<string, ValidationOutcome>> {
  const all = (o: (s: string) => ValidationOutcome) => new Map(services.map((s) => [s, o(s)]));
  return new Promise((resolve) => {
    const args = [bin, '--root', dir, '--env', env, ...services.flatMap((s) => ['--service', s]), '--output', 'json'];
    const child = spawn(process.execPath, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], timeout: 10 * 60_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', (e) =>
      resolve(all(() => ({ ok: false, summary: `the validator could not be started: ${e.message}` }))),
    );
    child.on('close', (code, signal) => {
      const valid = (s: string): ValidationOutcome => ({ ok: true, summary: `validator: ${s} in ${env} is valid` });
      if (code === 0) return resolve(all(valid));
      if (code === 1) {
        const bySvc = findingMessages(stdout, services);
        if (bySvc) {
          return resolve(
            all((s) => {
              const m = bySvc.get(s);
              return m ? { ok: false, summary: `validator findings for ${s} in ${env}: ${m}` } : valid(s);
            }),
          );
        }
      }
      const why = signal ? `killed by ${signal}` : `exit ${code}`;
      const detail = (stderr.trim().split('\n').pop() ?? '') || stdout.trim().slice(0, 200);
      resolve(
        all((s) => ({
          ok: false,
          summary: `the validator failed to run for ${s} in ${env} (${why})${detail ? `: ${detail}` : ''}`,
        })),
      );
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
    const shown = mine.map(
      (f) =>
        `${typeof f.file === 'string' ? `${f.file}${typeof f.line === 'number' ? `:${f.line}` : ''}: ` : ''}${String(f.message)}`,
    );
    out.set(s, shown.slice(0, 3).join('; ') + (shown.length > 3 ? ` (and ${shown.length - 3} more)` : ''));
  }
  // Exit 1 with no error we can attribute: refuse all rather than pass silently.
  if (out.size === 0) for (const s of services) out.set(s, 'the validator reported findings (exit 1)');
  return out;
}

import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, mkdirSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { repoRoot } from './helm.js';
import { innerNxEnv } from './inner-nx-env.js';

// The workspace's own command-line tools run as child processes (end-to-end tests, benchmarks): nx in a
// throwaway workspace and the validator over a generated repository. Asynchronous on purpose: a cache server
// or a progress callback may be answering from the calling process's event loop, which spawnSync would block.

/** The nx of this workspace (node_modules/.bin/nx points here). */
export const NX_BIN = join(repoRoot, 'node_modules', 'nx', 'dist', 'bin', 'nx.js');

/** The validator's command-line entry point (packages/validator, package.json "bin"). */
export const VALIDATOR_BIN = join(repoRoot, 'packages', 'validator', 'bin', 'validator.js');

/** Resolves with the exit code (-1 when killed by a signal), standard output and both streams interleaved. */
function collect(child: ChildProcess): Promise<{ code: number; stdout: string; out: string }> {
  let stdout = '';
  let out = '';
  child.stdout?.on('data', (d) => {
    stdout += d;
    out += d;
  });
  child.stderr?.on('data', (d) => (out += d));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, out }));
  });
}

/**
 * Lays out a throwaway nx workspace in `ws` from this repository: `copy` (files or folders, relative to the
 * repository root, e.g. nx.json and tools/nx-plugin) are copied, `link` (e.g. node_modules) symlinked, each
 * at the same relative path.
 */
export function scaffoldNxWorkspace(ws: string, parts: { copy: readonly string[]; link: readonly string[] }): void {
  for (const rel of [...parts.copy, ...parts.link]) mkdirSync(dirname(join(ws, rel)), { recursive: true });
  for (const rel of parts.copy) cpSync(join(repoRoot, rel), join(ws, rel), { recursive: true });
  for (const rel of parts.link) symlinkSync(join(repoRoot, rel), join(ws, rel));
}

/** Runs this workspace's nx in `ws` with innerNxEnv(extra); `out` is standard output and error interleaved. */
export async function runInnerNx(
  ws: string,
  args: readonly string[],
  extra: Record<string, string | undefined> = {},
): Promise<{ code: number; out: string }> {
  const { code, out } = await collect(spawn(process.execPath, [NX_BIN, ...args], { cwd: ws, env: innerNxEnv(extra) }));
  return { code, out };
}

/** One finding of the validator's JSON report (the fields end-to-end tests compare). */
export interface ValidatorCliFinding {
  check: string;
  severity: string;
  file: string;
  line: number;
  message: string;
}

/**
 * The real validator CLI over `envs` of the repository at `root`, in one process (the schemas compiled once),
 * with its JSON report parsed; rejects, quoting the output, when that is not JSON.
 */
export async function runValidatorCli(
  root: string,
  envs: readonly string[],
): Promise<{ code: number; findings: ValidatorCliFinding[] }> {
  const args = [VALIDATOR_BIN, '--root', root, ...envs.flatMap((e) => ['--env', e]), '--output', 'json'];
  const child = spawn(process.execPath, args, { env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined } });
  const { code, stdout } = await collect(child);
  try {
    return { code, findings: (JSON.parse(stdout) as { findings: ValidatorCliFinding[] }).findings };
  } catch (e) {
    throw new Error(`validator output is not JSON (exit ${code}): ${stdout.slice(0, 500)} ${(e as Error).message}`);
  }
}

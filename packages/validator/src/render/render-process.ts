import { type ChildProcess, fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';

// How a native render process (native-pool.ts runs renders in them) is started, and the one started ahead by
// bin/validator.js: a process takes ~0.25 s to load the engine, so a one-service run (what nx runs after a
// change) starts it before the CLI itself is compiled and the pool adopts it. Node built-ins only: the bin
// loads this module before the program.

/** Render processes unless VALIDATOR_RENDER_THREADS says (see NativePoolOptions.threads). */
export const DEFAULT_RENDER_THREADS = 1;

/** The heap (V8 old generation) each render process may use, in MB, unless VALIDATOR_RENDER_MEMORY_MB says. */
export const DEFAULT_RENDER_MEMORY_MB = 512;

/**
 * Environment variables that set the pool: render processes and each one's heap in MB (the name says
 * threads: renders ran on worker threads until the abort native-pool.ts explains; kept so settings keep working).
 */
export const RENDER_THREADS_ENV = 'VALIDATOR_RENDER_THREADS';
export const RENDER_MEMORY_ENV = 'VALIDATOR_RENDER_MEMORY_MB';

/**
 * Pure: the pool settings of an environment (VALIDATOR_RENDER_THREADS, VALIDATOR_RENDER_MEMORY_MB), or what
 * is wrong with them. Unset means the default.
 */
export function poolSettings(env: NodeJS.ProcessEnv): { threads?: number; memoryMb?: number } | { problem: string } {
  const threads = env[RENDER_THREADS_ENV]?.trim();
  const memory = env[RENDER_MEMORY_ENV]?.trim();
  if (threads && !/^[1-9]\d{0,2}$/.test(threads))
    return {
      problem: `${RENDER_THREADS_ENV}=${JSON.stringify(threads)}: expected a whole number of threads from 1 to 999, such as 2`,
    };
  if (memory && (!/^[1-9]\d{0,5}$/.test(memory) || Number(memory) < 64))
    return {
      problem: `${RENDER_MEMORY_ENV}=${JSON.stringify(memory)}: expected a whole number of MB from 64 to 999999, such as ${DEFAULT_RENDER_MEMORY_MB}`,
    };
  return { ...(threads ? { threads: Number(threads) } : {}), ...(memory ? { memoryMb: Number(memory) } : {}) };
}

/**
 * Pure: the stack of a render process in KB (V8's --stack-size). With V8's default (about 1 MB) a template
 * that includes itself ran out of stack before helm's limit of 1,000 nested includes while the engine's code
 * was cold, and reached it once warm: the same chart gave one finding or the other by what was rendered
 * before. 8 MB holds 1,000 levels either way, so the finding is always helm's own (about 2 MB is enough
 * cold). A process's main thread has the stack its rlimit allows (8 MB soft on Linux by default): V8 is told
 * 1 MB less than that, so that native code below V8's own check never meets the guard page. The limit in
 * bytes is readStackLimit()'s (undefined: unlimited).
 */
export function renderStackKb(stackLimitBytes: number | undefined): number {
  if (stackLimitBytes === undefined) return 8 * 1024;
  return Math.max(984, Math.min(8 * 1024, Math.floor(stackLimitBytes / 1024) - 1024));
}

/** Shell: the soft stack rlimit in bytes from /proc/self/limits (Linux), undefined when unlimited. */
function readStackLimit(): number | undefined {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max stack size'));
    const soft = line?.slice('Max stack size'.length).trim().split(/\s+/)[0];
    return soft && /^\d+$/.test(soft) ? Number(soft) : undefined;
  } catch {
    return 8 * 1024 * 1024; // macOS and others: their default main-thread stack
  }
}

/** The node options of a render process: `loaderArgv` (tsx from the sources), its heap and its stack. */
export function renderProcessArgv(memoryMb: number, loaderArgv: string[]): string[] {
  return [...loaderArgv, `--max-old-space-size=${memoryMb}`, `--stack-size=${renderStackKb(readStackLimit())}`];
}

/** Shell: starts a render process running `entry` (native-worker.js) with `execArgv`. */
export function forkRenderProcess(entry: URL, execArgv: string[]): ChildProcess {
  return fork(entry, [], {
    execArgv,
    // Results travel over IPC only; stderr is kept for why a process ended (V8 prints there why it aborted).
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    serialization: 'advanced',
  });
}

/** The tail of a render process's stderr kept, in characters: enough for V8's fatal message, bounded whatever it prints. */
export const STDERR_KEPT = 4096;

/**
 * Shell: whether `child` keeps this process alive: its process handle, IPC channel and stderr pipe (a
 * net.Socket, typed as a Readable) are ref'd or unref'd together.
 */
export function holdProcess(child: ChildProcess, held: boolean): void {
  for (const h of [child, child.channel, child.stderr as Socket | null]) if (h) held ? h.ref() : h.unref();
}

/** A render process started ahead (startEarly), with what it did before the pool took it. */
export interface EarlyRenderProcess {
  child: ChildProcess;
  entry: string;
  execArgv: string[];
  /** It said it is ready (the engine loaded). */
  ready: boolean;
  /** It ended before the pool took it. */
  ended: boolean;
  /** What it wrote to stderr so far. */
  stderr: string;
  /** Removes the listeners startEarly added (the pool adds its own). */
  release(): void;
}

// One process-wide slot: the bin and the bundled program each load their own copy of this module.
const EARLY = Symbol.for('@cmsweb/validator: render process started ahead');
type Slot = { [EARLY]?: EarlyRenderProcess };

/**
 * Pure: whether a validator command line (argv after the script) is a one-service repository run with the
 * native renderer, whose render process is worth starting before the program loads: `--scope service:…`, or
 * `--nx-task` in an nx task of a service project (svc-*), without a subcommand, --help or another renderer.
 */
export function earlyRenderWanted(argv: string[], env: NodeJS.ProcessEnv): boolean {
  if (argv.length === 0 || !argv[0]!.startsWith('-')) return false; // a subcommand (chart, manifests, render, …)
  let scope: string | undefined;
  let renderer = env.VALIDATOR_RENDERER || 'native';
  let nxTask = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const [name, inline] =
      a.startsWith('--') && a.includes('=')
        ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)]
        : [a, undefined];
    const value = () => inline ?? argv[++i];
    if (name === '--help' || name === '-h' || name === '--version' || name === '-V') return false;
    if (name === '--scope') scope = value();
    else if (name === '--renderer') renderer = value() ?? '';
    else if (name === '--nx-task') nxTask = true;
  }
  if (renderer !== 'native' || 'problem' in poolSettings(env)) return false;
  return scope !== undefined ? scope.startsWith('service:') : nxTask && /^svc-/.test(env.NX_TASK_TARGET_PROJECT ?? '');
}

/**
 * Shell: starts a render process now, held for the pool (takeEarly) without holding this process: a run that
 * ends before it renders (a usage error) exits, and the render process with it (its IPC channel closes).
 */
export function startEarly(entry: URL, memoryMb: number, loaderArgv: string[] = []): EarlyRenderProcess {
  const execArgv = renderProcessArgv(memoryMb, loaderArgv);
  const child = forkRenderProcess(entry, execArgv);
  const early: EarlyRenderProcess = {
    child,
    entry: entry.href,
    execArgv,
    ready: false,
    ended: false,
    stderr: '',
    release: () => {
      child.off('message', onMessage);
      child.off('close', onClose);
      child.off('error', onClose);
      child.stderr?.off('data', onData);
    },
  };
  const onMessage = () => {
    early.ready = true;
  };
  const onClose = () => {
    early.ended = true;
  };
  const onData = (text: string) => {
    early.stderr = (early.stderr + text).slice(-STDERR_KEPT);
  };
  child.once('message', onMessage);
  child.on('close', onClose);
  child.on('error', onClose);
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', onData);
  holdProcess(child, false);
  (globalThis as Slot)[EARLY] = early;
  return early;
}

/**
 * Shell: the render process started ahead, if any, for a pool that would start `entry` with `execArgv`; the
 * slot is emptied either way. One started for other settings, or that ended, is killed and not returned.
 */
export function takeEarly(entry: URL, execArgv: string[]): EarlyRenderProcess | undefined {
  const slot = globalThis as Slot;
  const early = slot[EARLY];
  if (!early) return undefined;
  delete slot[EARLY];
  early.release();
  if (early.ended || early.entry !== entry.href || early.execArgv.join('\0') !== execArgv.join('\0')) {
    early.child.kill('SIGKILL');
    return undefined;
  }
  return early;
}

/** close() of every render pool not yet closed (native-pool.ts adds and removes them). */
export const openPools = new Set<{ close(): Promise<void> }>();

/**
 * Shell: ends every render process of this process (the pools' and one started ahead and never taken) and
 * waits until they are gone. The CLI calls it before it exits: a process reaped by its parent has its CPU
 * time counted with the parent's (getrusage, /usr/bin/time, nx's task timings); one left to end by itself
 * would be reaped by init, and its CPU time would drop out of every figure.
 */
export async function endRenderProcesses(): Promise<void> {
  const slot = globalThis as Slot;
  const early = slot[EARLY];
  delete slot[EARLY];
  const waits: Array<Promise<unknown>> = [...openPools].map((p) => p.close());
  if (early) {
    early.release();
    waits.push(killAndWait(early.child));
  }
  await Promise.all(waits);
}

/**
 * Shell: kills `child` (SIGKILL) and resolves once it has been reaped and its stderr read to the end. Its
 * handles are held meanwhile: an idle pool's are not, and the wait would otherwise let this process's event
 * loop run dry and end it (exit code 0) before the caller goes on.
 */
export function killAndWait(child: ChildProcess): Promise<void> {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    holdProcess(child, true);
    child.once('close', () => resolve());
    child.kill('SIGKILL');
  });
}

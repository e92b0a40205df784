import type { ChildProcess } from 'node:child_process';
import { defaultHelmTimeoutSeconds } from '@cmsweb/toolchain';
import { NATIVE_TIMEOUT_PREFIX } from './helm-errors.js';
import {
  DEFAULT_RENDER_MEMORY_MB,
  DEFAULT_RENDER_THREADS,
  forkRenderProcess,
  holdProcess,
  killAndWait,
  openPools,
  poolSettings,
  RENDER_MEMORY_ENV,
  renderProcessArgv,
  STDERR_KEPT,
  takeEarly,
} from './render-process.js';
import type { Renderer, RenderError, RenderRequest, RenderResult } from './renderer.js';
import { workerModule } from '../worker-module.js';

// The native renderer in child processes: the same render function as in-process (nativeRenderer.render of
// native-renderer.ts, run by native-worker.ts), in N processes at once, each render with a bounded time and
// each process with a bounded heap. A chart that loops for ever is stopped after the request's timeout (the
// process is killed and a fresh one takes its place); one that grows without end runs out of its heap, which
// ends that process, not the validator. Either is a render error of that chart × environment.
//
// Why processes, not worker threads: a worker's heap limit (resourceLimits) is best-effort. When one large
// allocation crosses it (a list grown by doubling: `until 100000000`; one list made at once:
// `splitList "," (repeat 100000000 ",")`), V8 aborts the WHOLE process with "FATAL ERROR: Reached heap
// limit" instead of ending the thread (nodejs/node#47224, open; nodejs/node#65019 documents it): a hostile
// chart killed the validator (the first about one time in ten, the second nearly always). A child process
// that aborts takes only itself down.
//
// The process's module: the emitted native-worker.js, or from the sources its tsx entry (worker-module.ts).
const WORKER = workerModule(import.meta.url, './native-worker.js', './native-worker-entry.mjs');
/** What a render process of this pool runs (tests start one ahead with it). */
export const RENDER_PROCESS = { entry: WORKER.entry, loaderArgv: WORKER.execArgv ?? [] };

export {
  DEFAULT_RENDER_MEMORY_MB,
  DEFAULT_RENDER_THREADS,
  poolSettings,
  RENDER_MEMORY_ENV,
  RENDER_THREADS_ENV,
  renderStackKb,
} from './render-process.js';

export interface NativePoolOptions {
  /**
   * Render processes at most (default DEFAULT_RENDER_THREADS). One: a second pays the engine's warm-up again
   * and, with the checks on the main thread, bought no wall time on the 2-core machine (README, Performance).
   */
  threads?: number;
  /** Heap of each process in MB (V8's --max-old-space-size; default DEFAULT_RENDER_MEMORY_MB). */
  memoryMb?: number;
  /** Seconds a render without `timeoutSeconds` may take (default: helm's, 60 s scaled by load). */
  defaultTimeoutSeconds?: () => number;
}

/** A native renderer in child processes; close() ends them (idle ones never keep the process alive). */
export interface NativePool extends Renderer {
  close(): Promise<void>;
  /** Processes started so far, replacements included (tests). */
  readonly started: number;
  /** The process ids of the render processes now running (tests). */
  readonly pids: number[];
  /**
   * Starts a process now when none is (its engine loads while the caller reads the repository, instead of
   * after, when the first render waits for it), without holding the caller's process.
   */
  prestart(): void;
}

/** Validator → render process. */
export interface WorkerRequest {
  id: number;
  request: RenderRequest;
}

/** Render process → validator: ready once the engine is loaded, then one reply per request. */
export type WorkerReply =
  | { ready: true; id?: undefined }
  | { id: number; result: RenderResult }
  | { id: number; thrown: { name: string; message: string } };

/** Pure: the render error of a process that ran out of memory (its heap limit, or a string or array too long). */
export function outOfMemoryError(memoryMb: number, detail?: string): RenderError {
  return {
    kind: 'template-execute',
    message: `the native renderer ran out of memory rendering the chart (${detail ?? `more than its ${memoryMb} MB heap`}): expected templates that build manifests of a sensible size; a range over a huge list (until, seq) or a string grown in a loop? If the chart is only large, raise ${RENDER_MEMORY_ENV}`,
  };
}

/** Pure: the RangeErrors V8 throws for a value too large to exist, whatever the heap limit. */
function tooLarge(thrown: { name: string; message: string }): boolean {
  return (
    thrown.name === 'RangeError' &&
    /Invalid string length|Invalid array length|Array buffer allocation failed|Invalid typed array length/.test(
      thrown.message,
    )
  );
}

/**
 * Pure: whether a render process's last words (its stderr) say that V8 ran out of heap: "FATAL ERROR: Reached
 * heap limit Allocation failed - JavaScript heap out of memory", or "CALL_AND_RETRY_LAST Allocation failed"
 * for one allocation larger than the whole heap.
 */
export function ranOutOfHeap(stderr: string): boolean {
  return /JavaScript heap out of memory|Allocation failed/.test(stderr);
}

/** Pure: the process a chart's renders prefer, from its directory (FNV-1a). */
function homeOf(chartDir: string, threads: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < chartDir.length; i++) h = Math.imul(h ^ chartDir.charCodeAt(i), 0x01000193) >>> 0;
  return h % threads;
}

interface Task {
  request: RenderRequest;
  /** The process (Slot.index) this chart's renders go to when it is free: its caches already hold the chart. */
  home: number;
  resolve: (r: RenderResult) => void;
  reject: (e: Error) => void;
}

interface Slot {
  /** 0 .. threads-1; a replacement process takes the index of the one it replaces. */
  index: number;
  child: ChildProcess;
  ready: boolean;
  task?: Task;
  timer?: NodeJS.Timeout;
  /** Set when the process is done with (killed, or ended): it takes no further request. */
  gone?: boolean;
  /** The end of what the process wrote to stderr (V8 prints why it aborted there). */
  stderr: string;
  /** Its own error event (it could not be started, or a message could not be sent). */
  error?: Error;
}

/**
 * Shell: a pool of render processes. Processes start when renders wait for one (at most `threads`), are held
 * by this process only while they render (unref'd when idle), and each render gets the request's
 * timeoutSeconds or the default. Results are those of the in-process native renderer; in addition a render
 * that times out, runs out of memory or ends its process is a render error, and the process is replaced.
 */
export function createNativePool(options: NativePoolOptions = {}): NativePool {
  const threads = Math.max(1, Math.floor(options.threads ?? DEFAULT_RENDER_THREADS));
  const memoryMb = options.memoryMb ?? DEFAULT_RENDER_MEMORY_MB;
  const defaultTimeout = options.defaultTimeoutSeconds ?? defaultHelmTimeoutSeconds;
  // Not this process's own flags when compiled (an --inspect port or a --cpu-prof of the validator's is not
  // the render process's); from the sources, the loader flags vitest or tsx run with.
  const execArgv = renderProcessArgv(memoryMb, RENDER_PROCESS.loaderArgv);
  const slots: Slot[] = [];
  const queue: Task[] = [];
  let started = 0;
  let nextId = 0;
  let closed = false;

  const retire = (slot: Slot) => {
    slot.gone = true;
    if (slot.timer) clearTimeout(slot.timer);
    const i = slots.indexOf(slot);
    if (i >= 0) slots.splice(i, 1);
  };

  const finish = (slot: Slot, settle: (task: Task) => void) => {
    const task = slot.task;
    if (!task) return;
    slot.task = undefined;
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = undefined;
    settle(task);
    pump();
  };

  /** A process holds this one only while it renders or starts for a waiting render. */
  const hold = (slot: Slot, held: boolean) => holdProcess(slot.child, held);

  const ended = (slot: Slot, code: number | null, signal: NodeJS.Signals | null) => {
    if (slot.gone) return;
    const wasReady = slot.ready;
    retire(slot);
    const e = slot.error;
    const how = `${signal ? `signal ${signal}` : `exit code ${code}`}${e ? `: ${e.message}` : ''}`;
    const lastWords = slot.stderr.trim().split('\n').filter(Boolean).slice(0, 1)[0];
    if (slot.task) {
      const t = slot.task;
      slot.task = undefined;
      t.resolve({
        manifests: '',
        error: ranOutOfHeap(slot.stderr)
          ? outOfMemoryError(memoryMb)
          : {
              kind: 'template-execute',
              message: `the native renderer's process ended (${how}${lastWords ? `; it said: ${lastWords.slice(0, 300)}` : ''}) while rendering the chart; the render was not completed`,
            },
      });
    } else if (!wasReady) {
      // The process could not even start (a broken install): every waiting render gets that, not a retry loop.
      const err = new Error(
        `the native renderer's process did not start (${how}${lastWords ? `; it said: ${lastWords.slice(0, 300)}` : ''})`,
      );
      for (const t of queue.splice(0)) t.reject(err);
    }
    pump();
  };

  const start = () => {
    started++;
    // The first process may have been started ahead by bin/validator.js (render-process.ts, startEarly).
    const early = started === 1 ? takeEarly(RENDER_PROCESS.entry, execArgv) : undefined;
    const child = early?.child ?? forkRenderProcess(RENDER_PROCESS.entry, execArgv);
    let index = 0;
    while (slots.some((s) => s.index === index)) index++;
    const slot: Slot = { index, child, ready: early?.ready ?? false, stderr: early?.stderr ?? '' };
    slots.push(slot);
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (text: string) => {
      slot.stderr = (slot.stderr + text).slice(-STDERR_KEPT);
    });
    child.on('message', (m: WorkerReply) => {
      if (slot.gone) return;
      if (m.id === undefined) {
        slot.ready = true;
        return pump();
      }
      if ('result' in m) return finish(slot, (t) => t.resolve(m.result));
      const thrown = m.thrown;
      finish(slot, (t) =>
        tooLarge(thrown)
          ? t.resolve({ manifests: '', error: outOfMemoryError(memoryMb, thrown.message) })
          : t.reject(Object.assign(new Error(thrown.message), { name: thrown.name })),
      );
    });
    child.on('error', (e: Error) => {
      slot.error = e;
      // Not started at all (no pid): no 'close' may follow.
      if (child.pid === undefined) ended(slot, null, null);
    });
    // 'close', not 'exit': stderr has been read to its end by then.
    child.on('close', (code, signal) => ended(slot, code, signal));
    // Started ahead and already ready: it takes the waiting renders once the caller's pump is done.
    if (slot.ready) process.nextTick(pump);
  };

  const dispatch = (slot: Slot, task: Task) => {
    slot.task = task;
    const seconds = task.request.timeoutSeconds ?? defaultTimeout();
    slot.timer = setTimeout(() => {
      if (slot.task !== task) return;
      // A process busy in a template cannot be asked to stop: it is killed, and a fresh one started when a
      // render waits for it.
      retire(slot);
      slot.task = undefined;
      slot.child.kill('SIGKILL');
      hold(slot, false);
      task.resolve({ manifests: '', error: { kind: 'timeout', message: `${NATIVE_TIMEOUT_PREFIX} in ${seconds} s` } });
      pump();
    }, seconds * 1000);
    const { timeoutSeconds: _timeout, ...request } = task.request;
    // A process that ended meanwhile: its 'close' settles the task.
    slot.child.send({ id: nextId++, request } satisfies WorkerRequest, (e) => {
      if (e) slot.error ??= e;
    });
  };

  function pump(): void {
    if (closed) return;
    for (const slot of slots) {
      if (!queue.length) break;
      if (!slot.ready || slot.task || slot.gone) continue;
      // Chart affinity: the engine caches what it parsed (templates, YAML) by text, so a process renders a
      // chart it has seen at a fraction of the first cost. A free process takes the oldest render of its own
      // charts, else the oldest of all (no process waits while there is work).
      const own = queue.findIndex((t) => t.home === slot.index);
      dispatch(slot, queue.splice(own >= 0 ? own : 0, 1)[0]!);
    }
    // Processes still starting will take as many renders; start more only for the rest, up to `threads`.
    const starting = slots.filter((s) => !s.ready).length;
    for (let i = starting; i < queue.length && slots.length < threads; i++) start();
    // A process holds this one only while it renders or starts for a waiting render: an idle pool lets this
    // process end without close() (the children then see their IPC channel close and end too).
    for (const slot of slots) hold(slot, Boolean(slot.task || (!slot.ready && queue.length)));
  }

  const pool: NativePool = {
    name: 'native',
    get started() {
      return started;
    },
    get pids() {
      return slots.flatMap((s) => (s.child.pid === undefined ? [] : [s.child.pid]));
    },
    prestart() {
      if (closed || slots.length) return;
      start();
      hold(slots.at(-1)!, false);
    },
    async render(request: RenderRequest): Promise<RenderResult> {
      if (closed) throw new Error('the native render pool is closed');
      return new Promise<RenderResult>((resolve, reject) => {
        queue.push({ request, home: homeOf(request.chartDir, threads), resolve, reject });
        pump();
      });
    },
    async close(): Promise<void> {
      closed = true;
      const err = new Error('the native render pool was closed');
      for (const t of queue.splice(0)) t.reject(err);
      const all = slots.splice(0);
      for (const s of all) {
        s.gone = true;
        if (s.timer) clearTimeout(s.timer);
        if (s.task) s.task.reject(err);
      }
      openPools.delete(pool);
      await Promise.all(all.map((s) => killAndWait(s.child)));
    },
  };
  openPools.add(pool);
  return pool;
}

let shared: NativePool | undefined;

/**
 * The native renderer of the CLI (--renderer native): one pool per process, set from the environment
 * (poolSettings) when the first render comes. commands.ts checks the settings first, for a usage error.
 */
export const pooledNativeRenderer: Renderer & { prestart(): void } = {
  name: 'native',
  render(request: RenderRequest): Promise<RenderResult> {
    if (!shared) {
      const settings = poolSettings(process.env);
      if ('problem' in settings) return Promise.reject(new Error(settings.problem));
      shared = createNativePool(settings);
    }
    return shared.render(request);
  },
  /** NativePool.prestart of the process's pool (a problem with the settings is reported by the first render). */
  prestart(): void {
    if (!shared) {
      const settings = poolSettings(process.env);
      if ('problem' in settings) return;
      shared = createNativePool(settings);
    }
    shared.prestart();
  },
};

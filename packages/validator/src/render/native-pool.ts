import { Worker } from 'node:worker_threads';
import { defaultHelmTimeoutSeconds } from '@cmsweb/toolchain';
import { NATIVE_TIMEOUT_PREFIX } from './helm-errors.js';
import type { Renderer, RenderError, RenderRequest, RenderResult } from './renderer.js';
import { workerModule } from '../worker-module.js';

// The native renderer on worker threads: the same render function as in-process (nativeRenderer.render of
// native-renderer.ts, run by native-worker.ts), on N threads at once, each render with a bounded time and
// each thread with a bounded heap. A chart that loops for ever is stopped after the request's timeout (the
// thread is terminated and a fresh one takes its place); one that grows without end runs out of its heap,
// which ends that thread, not the validator. Either is a render error of that chart × environment.
//
// The thread's module: the emitted native-worker.js, or from the sources its tsx entry (worker-module.ts).
const WORKER = workerModule(import.meta.url, './native-worker.js', './native-worker-entry.mjs');

/** Render threads unless VALIDATOR_RENDER_THREADS says (see NativePoolOptions.threads). */
export const DEFAULT_RENDER_THREADS = 1;

/** The heap (V8 old generation) each render thread may use, in MB, unless VALIDATOR_RENDER_MEMORY_MB says. */
export const DEFAULT_RENDER_MEMORY_MB = 512;

/** Environment variables that set the pool: render threads and each thread's heap in MB. */
export const RENDER_THREADS_ENV = 'VALIDATOR_RENDER_THREADS';
/**
 * Stack of each thread in MB. With V8's default (about 1 MB) a template that includes itself ran out of stack
 * before helm's limit of 1,000 nested includes while the engine's code was cold, and reached it once warm:
 * the same chart gave one finding or the other by what was rendered before. 8 MB holds 1,000 levels either
 * way, so the finding is always helm's own.
 */
const RENDER_STACK_MB = 8;
export const RENDER_MEMORY_ENV = 'VALIDATOR_RENDER_MEMORY_MB';

export interface NativePoolOptions {
  /**
   * Render threads at most (default DEFAULT_RENDER_THREADS). One: a second thread pays the engine's warm-up again
   * and, with the checks on the main thread, bought no wall time on the 2-core machine (README, Performance).
   */
  threads?: number;
  /** Heap of each thread in MB (resourceLimits.maxOldGenerationSizeMb; default DEFAULT_RENDER_MEMORY_MB). */
  memoryMb?: number;
  /** Seconds a render without `timeoutSeconds` may take (default: helm's, 60 s scaled by load). */
  defaultTimeoutSeconds?: () => number;
}

/** A native renderer on worker threads; close() ends its threads (idle ones never keep the process alive). */
export interface NativePool extends Renderer {
  close(): Promise<void>;
  /** Threads started so far, replacements included (tests). */
  readonly started: number;
  /**
   * Starts a thread now when none is (its engine loads while the caller reads the repository, instead of after,
   * when the first render waits for it), without holding the process.
   */
  prestart(): void;
}

/** Main thread → worker. */
export interface WorkerRequest {
  id: number;
  request: RenderRequest;
}

/** Worker → main thread: ready once the engine is loaded, then one reply per request. */
export type WorkerReply =
  | { ready: true; id?: undefined }
  | { id: number; result: RenderResult }
  | { id: number; thrown: { name: string; message: string } };

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

/** Pure: the render error of a thread that ran out of memory (its heap limit, or a string or array too long). */
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

/** Pure: the thread a chart's renders prefer, from its directory (FNV-1a). */
function homeOf(chartDir: string, threads: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < chartDir.length; i++) h = Math.imul(h ^ chartDir.charCodeAt(i), 0x01000193) >>> 0;
  return h % threads;
}

interface Task {
  request: RenderRequest;
  /** The thread (Slot.index) this chart's renders go to when it is free: its caches already hold the chart. */
  home: number;
  resolve: (r: RenderResult) => void;
  reject: (e: Error) => void;
}

interface Slot {
  /** 0 .. threads-1; a replacement thread takes the index of the one it replaces. */
  index: number;
  worker: Worker;
  ready: boolean;
  task?: Task;
  timer?: NodeJS.Timeout;
  /** Set when the thread is done with (terminated, or ended): it takes no further request. */
  gone?: boolean;
  /** The thread's own error event (e.g. ERR_WORKER_OUT_OF_MEMORY), before its exit. */
  error?: Error & { code?: string };
}

/**
 * Shell: a pool of render threads. Threads start when renders wait for one (at most `threads`), are held by
 * the process only while they render (unref'd when idle), and each render gets the request's timeoutSeconds
 * or the default. Results are those of the in-process native renderer; in addition a render that times out,
 * runs out of memory or ends its thread is a render error, and the thread is replaced.
 */
export function createNativePool(options: NativePoolOptions = {}): NativePool {
  const threads = Math.max(1, Math.floor(options.threads ?? DEFAULT_RENDER_THREADS));
  const memoryMb = options.memoryMb ?? DEFAULT_RENDER_MEMORY_MB;
  const defaultTimeout = options.defaultTimeoutSeconds ?? defaultHelmTimeoutSeconds;
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

  const start = () => {
    started++;
    const worker = new Worker(WORKER.entry, {
      execArgv: WORKER.execArgv,
      resourceLimits: { maxOldGenerationSizeMb: memoryMb, stackSizeMb: RENDER_STACK_MB },
    });
    let index = 0;
    while (slots.some((s) => s.index === index)) index++;
    const slot: Slot = { index, worker, ready: false };
    slots.push(slot);
    worker.on('message', (m: WorkerReply) => {
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
    worker.on('error', (e: Error) => {
      slot.error = e;
    });
    worker.on('exit', (code) => {
      if (slot.gone) return;
      const wasReady = slot.ready;
      retire(slot);
      const e = slot.error;
      if (slot.task) {
        const t = slot.task;
        slot.task = undefined;
        t.resolve({
          manifests: '',
          error:
            e?.code === 'ERR_WORKER_OUT_OF_MEMORY'
              ? outOfMemoryError(memoryMb)
              : {
                  kind: 'template-execute',
                  message: `the native renderer's thread ended (exit code ${code}${e ? `: ${e.message}` : ''}) while rendering the chart; the render was not completed`,
                },
        });
      } else if (!wasReady) {
        // The thread could not even start (a broken install): every waiting render gets that, not a retry loop.
        const err = new Error(
          `the native renderer's thread did not start (exit code ${code}${e ? `: ${e.message}` : ''})`,
        );
        for (const t of queue.splice(0)) t.reject(err);
      }
      pump();
    });
  };

  const dispatch = (slot: Slot, task: Task) => {
    slot.task = task;
    const seconds = task.request.timeoutSeconds ?? defaultTimeout();
    slot.timer = setTimeout(() => {
      if (slot.task !== task) return;
      // A thread busy in a template cannot be asked to stop: it is terminated, and a fresh one started when
      // a render waits for it.
      retire(slot);
      slot.task = undefined;
      void slot.worker.terminate();
      task.resolve({ manifests: '', error: { kind: 'timeout', message: `${NATIVE_TIMEOUT_PREFIX} in ${seconds} s` } });
      pump();
    }, seconds * 1000);
    const { timeoutSeconds: _timeout, ...request } = task.request;
    slot.worker.postMessage({ id: nextId++, request } satisfies WorkerRequest);
  };

  function pump(): void {
    if (closed) return;
    for (const slot of slots) {
      if (!queue.length) break;
      if (!slot.ready || slot.task || slot.gone) continue;
      // Chart affinity: the engine caches what it parsed (templates, YAML) by text, so a thread renders a chart
      // it has seen at a fraction of the first cost. A free thread takes the oldest render of its own charts,
      // else the oldest of all (no thread waits while there is work).
      const own = queue.findIndex((t) => t.home === slot.index);
      dispatch(slot, queue.splice(own >= 0 ? own : 0, 1)[0]!);
    }
    // Threads still starting will take as many renders; start more only for the rest, up to `threads`.
    const starting = slots.filter((s) => !s.ready).length;
    for (let i = starting; i < queue.length && slots.length < threads; i++) start();
    // A thread holds the process only while it renders or starts for a waiting render: an idle pool lets the
    // process end without close().
    for (const slot of slots)
      if (slot.task || (!slot.ready && queue.length)) slot.worker.ref();
      else slot.worker.unref();
  }

  return {
    name: 'native',
    get started() {
      return started;
    },
    prestart() {
      if (closed || slots.length) return;
      start();
      slots.at(-1)!.worker.unref();
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
      await Promise.all(all.map((s) => s.worker.terminate()));
    },
  };
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

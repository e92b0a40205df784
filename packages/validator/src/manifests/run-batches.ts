import { availableParallelism, loadavg } from 'node:os';
import { Worker } from 'node:worker_threads';
import { createKubeSchemaValidator } from '../schema/kube-schemas-adapter.js';
import { workerModule } from '../worker-module.js';
import { createChunkChecker, type ChunkBatchResult, type ChunkCheckOptions } from './chunk-checks.js';
import type { ChunkRef, InputChunks } from './input-chunks.js';

// The manifests worker, compiled or from the sources (worker-module.ts).
const WORKER = workerModule(import.meta.url, './manifest-worker.js', './worker-entry.mjs');

// When worker threads pay. A worker needs about a second to start (modules, schemas), competes for the
// cores while it does, holds a heap and compiled schemas of its own, and the main thread spends time
// receiving its results. On the project's 2-core machine, idle, two busy threads reach about 1.3 times one
// at 1.7 times the CPU time and 1.5 times the memory; busy (load above the cores), they are slower than one
// thread in wall clock too (bench/bench-validate.ts, README "Performance"). So workers start only for large
// inputs, from WORKER_THRESHOLD documents, and only when the machine has a core to spare (the 1-minute load
// average, which counts this process, is at most the cores less one). Below it everything runs on the main
// thread: memory stays that of one thread.

/** From this many documents on, worker threads are started (when a core is free). */
export const WORKER_THRESHOLD = 50_000;

/** Below this many documents everything runs inline, in one batch. */
const MIN_BATCHED = 1_000;

/**
 * Documents per batch handed out; small enough that no thread waits long for the last ones, and that a
 * batch's parsed documents (alive until its checks are done) die young: with 250, they outlived
 * scavenges and were promoted, and the old generation grew (20,000 prod manifests: ~150 MB of heap against
 * ~125 MB with 25, and several times the scavenge time).
 */
const BATCH = 25;

/** Shell: whether another thread would get a core of its own (load average, this process included). */
function coreToSpare(cores: number): boolean {
  return loadavg()[0]! <= cores - 1;
}

export interface BatchSchedule {
  /** Threads at most, the main thread included (default: the machine's cores). */
  parallel?: number;
  /**
   * Documents from which worker threads are started (default WORKER_THRESHOLD, when a core is to spare);
   * given, workers start from it whatever the load (tests, the bench's "workers forced").
   */
  threshold?: number;
  /** Test hook: the main thread takes no batch before the workers are ready, so workers check some. */
  waitForWorkers?: boolean;
}

interface WorkerMessage {
  ok: boolean;
  result?: ChunkBatchResult;
  message?: string;
}

/**
 * Shell: the single-object checks of all chunks. Small inputs are checked inline, in one batch. Otherwise
 * the chunks are cut into batches that the main thread and, for large inputs (see above; not with one core),
 * worker threads (one per further core) take in turn, each as soon as it is free, so a worker that is slow
 * to start costs nothing. Results are put back in batch order: the same result as inline.
 */
export async function runChunkBatches(
  input: InputChunks,
  options: ChunkCheckOptions,
  schedule: BatchSchedule = {},
): Promise<ChunkBatchResult & { workerBatches: number }> {
  const parallel = schedule.parallel ?? availableParallelism();
  const threshold = schedule.threshold ?? WORKER_THRESHOLD;
  const chunks = input.refs;
  const local = createChunkChecker(options, createKubeSchemaValidator);
  if (chunks.length === 0 || (chunks.length < MIN_BATCHED && (parallel < 2 || chunks.length < threshold))) {
    return { ...(await (await local).check(input.texts(chunks))), workerBatches: 0 };
  }

  const size = Math.max(1, Math.min(BATCH, Math.ceil(chunks.length / (parallel * 4))));
  // Batches are of chunk refs: a batch's texts are read (or sliced) when it is handed out, so only the
  // batches in flight hold texts.
  const batches: ChunkRef[][] = [];
  for (let i = 0; i < chunks.length; i += size) batches.push(chunks.slice(i, i + size));
  const results: ChunkBatchResult[] = new Array(batches.length);
  let next = 0;
  let completed = 0;
  let workerBatches = 0;
  let failed = false;
  let settle!: { resolve: () => void; reject: (e: Error) => void };
  const finished = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
  finished.catch(() => {}); // awaited below; this only keeps an early failure from counting as unhandled
  const fail = (e: Error) => {
    if (!failed) settle.reject(e);
    failed = true;
  };
  const store = (i: number, r: ChunkBatchResult) => {
    results[i] = r;
    if (++completed === batches.length) settle.resolve();
  };

  const workers: Worker[] = [];
  const readies: Array<Promise<void>> = [];
  const startWorker = () => {
    const worker = new Worker(WORKER.entry, { workerData: { options }, execArgv: WORKER.execArgv });
    workers.push(worker);
    // Batches sent and not yet answered, in order; two at a time, so the worker never waits for the
    // main thread (busy with a batch of its own) to hand it the next one.
    const inFlight: number[] = [];
    let ready!: () => void;
    readies.push(new Promise<void>((r) => (ready = r)));
    const give = () => {
      while (!failed && next < batches.length && inFlight.length < 2) {
        // Reading a batch's texts may refuse the input (a file changed meanwhile): that fails the run, as
        // on the main thread, rather than escaping from this event handler.
        let texts: ReturnType<InputChunks['texts']>;
        try {
          texts = input.texts(batches[next]!);
        } catch (e) {
          return fail(e as Error);
        }
        inFlight.push(next++);
        worker.postMessage(texts);
      }
    };
    worker.on('message', (m: WorkerMessage) => {
      if (!m.ok) return fail(new Error(m.message));
      if (m.result) {
        workerBatches++;
        store(inFlight.shift()!, m.result);
      } else ready();
      give();
    });
    worker.on('error', fail);
    worker.on('exit', () => {
      if (inFlight.length) fail(new Error('a manifests worker thread stopped before it finished its batches'));
    });
  };
  const startWorkers = () => {
    while (workers.length < parallel - 1) startWorker();
  };
  if (parallel > 1 && chunks.length >= threshold && (schedule.threshold !== undefined || coreToSpare(parallel)))
    startWorkers();

  try {
    const checker = await local;
    if (schedule.waitForWorkers && workers.length) await Promise.race([Promise.all(readies), finished.catch(() => {})]);
    while (!failed && next < batches.length) {
      const i = next++;
      store(i, await checker.check(input.texts(batches[i]!)));
      // Let the workers' messages in (results, and with them requests for the next batch).
      await new Promise<void>((r) => setImmediate(r));
    }
    await finished;
  } finally {
    // Workers still starting have nothing left to do.
    for (const w of workers) void w.terminate();
  }
  return {
    findings: results.flatMap((r) => r.findings),
    resources: results.flatMap((r) => r.resources),
    workerBatches,
  };
}

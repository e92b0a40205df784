import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { createKubeSchemaValidator } from '../schema/kube-schemas-adapter.js';
import { createChunkChecker, type Chunk, type ChunkBatchResult, type ChunkCheckOptions } from './chunk-checks.js';

// Compiled (dist/*.js), the worker is the emitted module; run from the TypeScript sources (vitest), it is
// started through worker-entry.mjs, which registers tsx (a devDependency) in the worker thread first, with the
// "source" export condition so that the workspace packages load from their sources too.
const FROM_SOURCE = import.meta.url.endsWith('.ts');
const ENTRY = FROM_SOURCE
  ? new URL('./worker-entry.mjs', import.meta.url)
  : new URL('./manifest-worker.js', import.meta.url);
const EXEC_ARGV = FROM_SOURCE ? [...process.execArgv, '--conditions=source'] : undefined;

// When worker threads pay. A worker needs about a second to start (tsx loader, modules, schemas), competes
// for the cores while it does, and the main thread spends time receiving its results; on the project's
// 2-core machines two busy threads reach about 1.3 times one. Clean documents take the fast path (about
// 15,000 a second on the main thread): there workers break even at about 40,000 documents and gain 10-20%
// at 100,000. Documents with findings take the slow path, about five times slower: there they pay from a
// few thousand on. So workers start at once from WORKER_THRESHOLD documents, and below it as soon as the
// main thread's own pace says the rest would take longer than WORKER_PAYOFF_MS (bench/bench-validate.ts).

/** From this many documents on, worker threads are started at once. */
export const WORKER_THRESHOLD = 50_000;

/** Below WORKER_THRESHOLD, workers start when the main thread would need longer than this for the rest. */
export const WORKER_PAYOFF_MS = 2_500;

/** Documents the main thread's pace is taken over before it decides (a garbage collection evens out). */
const PACE_DOCUMENTS = 1_000;

/** Below this many documents everything runs inline, in one batch. */
const MIN_BATCHED = 1_000;

/** Documents per batch handed out; small enough that no thread waits long for the last ones. */
const BATCH = 250;

export interface BatchSchedule {
  /** Threads at most, the main thread included (default: the machine's cores). */
  parallel?: number;
  /** Documents from which worker threads are started at once (default WORKER_THRESHOLD). */
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
 * the chunks are cut into batches that the main thread and, once started (see above; not with one core), worker
 * threads (one per further core) take in turn, each as soon as it is free, so a worker that is slow to
 * start costs nothing. Results are put back in batch order: the same result as inline.
 */
export async function runChunkBatches(
  chunks: Chunk[],
  options: ChunkCheckOptions,
  schedule: BatchSchedule = {},
): Promise<ChunkBatchResult & { workerBatches: number }> {
  const parallel = schedule.parallel ?? availableParallelism();
  const threshold = schedule.threshold ?? WORKER_THRESHOLD;
  const local = createChunkChecker(options, createKubeSchemaValidator);
  if (chunks.length === 0 || (chunks.length < MIN_BATCHED && (parallel < 2 || chunks.length < threshold))) {
    return { ...(await (await local).check(chunks)), workerBatches: 0 };
  }

  const size = Math.max(1, Math.min(BATCH, Math.ceil(chunks.length / (parallel * 4))));
  const batches: Chunk[][] = [];
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
    const worker = new Worker(ENTRY, { workerData: { options }, execArgv: EXEC_ARGV });
    workers.push(worker);
    // Batches sent and not yet answered, in order; two at a time, so the worker never waits for the
    // main thread (busy with a batch of its own) to hand it the next one.
    const inFlight: number[] = [];
    let ready!: () => void;
    readies.push(new Promise<void>((r) => (ready = r)));
    const give = () => {
      while (!failed && next < batches.length && inFlight.length < 2) {
        inFlight.push(next);
        worker.postMessage(batches[next++]);
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
  const canStart = parallel > 1;
  if (chunks.length >= threshold) startWorkers();

  try {
    const checker = await local;
    if (schedule.waitForWorkers && workers.length) await Promise.race([Promise.all(readies), finished.catch(() => {})]);
    // The main thread's pace, from its second batch on (the first one also sets up the schemas).
    let paced = 0;
    let pacedMs = 0;
    let own = 0;
    while (!failed && next < batches.length) {
      const i = next++;
      const t = performance.now();
      store(i, await checker.check(batches[i]!));
      if (canStart && !workers.length && own++ > 0) {
        paced += batches[i]!.length;
        pacedMs += performance.now() - t;
        const rest = (batches.length - next) * size;
        if (paced >= PACE_DOCUMENTS && (rest / paced) * pacedMs > WORKER_PAYOFF_MS) startWorkers();
      }
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

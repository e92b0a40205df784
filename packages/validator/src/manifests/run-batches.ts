import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { createKubeSchemaValidator } from '../schema/kube-schemas-adapter.js';
import { checkChunkBatch, type Chunk, type ChunkBatchResult, type ChunkCheckOptions } from './chunk-checks.js';

const ENTRY = new URL('./worker-entry.mjs', import.meta.url);

/** Below this many documents a worker's start-up (loader, schema compilation) costs more than it saves. */
export const WORKER_THRESHOLD = 2000;

function runInWorker(chunks: Chunk[], options: ChunkCheckOptions): Promise<ChunkBatchResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(ENTRY, { workerData: { chunks, options } });
    worker.once('message', (m: { ok: boolean; result?: ChunkBatchResult; message?: string }) => {
      void worker.terminate();
      if (m.ok) resolve(m.result!);
      else reject(new Error(m.message));
    });
    worker.once('error', reject);
  });
}

/**
 * Shell: the single-object checks of all chunks, split into one batch per core when there are enough
 * documents (the main thread checks one, worker threads the others); otherwise inline. Same result.
 */
export async function runChunkBatches(chunks: Chunk[], options: ChunkCheckOptions, parallel = availableParallelism(), threshold = WORKER_THRESHOLD): Promise<ChunkBatchResult> {
  const workers = Math.min(parallel, Math.ceil(chunks.length / Math.max(1, threshold / 2)));
  if (chunks.length < threshold || workers < 2) return checkChunkBatch(chunks, options, createKubeSchemaValidator);
  // Contiguous batches of about equal text size.
  const total = chunks.reduce((n, c) => n + c.text.length, 0);
  const batches: Chunk[][] = [[]];
  let size = 0;
  for (const c of chunks) {
    if (size >= total / workers && batches.length < workers) {
      batches.push([]);
      size = 0;
    }
    batches.at(-1)!.push(c);
    size += c.text.length;
  }
  // The main thread takes the first batch itself while the workers take the others.
  const [mine, ...rest] = batches;
  const remote = rest.map((b) => runInWorker(b, options));
  const local = await checkChunkBatch(mine!, options, createKubeSchemaValidator);
  const results = [local, ...(await Promise.all(remote))];
  return { findings: results.flatMap((r) => r.findings), resources: results.flatMap((r) => r.resources) };
}

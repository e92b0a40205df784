import { parentPort, workerData } from 'node:worker_threads';
import { createKubeSchemaValidator } from '../schema/kube-schemas-adapter.js';
import { checkChunkBatch, type Chunk, type ChunkCheckOptions } from './chunk-checks.js';

// Worker thread: checks one batch of chunks and posts the plain result back.
const { chunks, options } = workerData as { chunks: Chunk[]; options: ChunkCheckOptions };
checkChunkBatch(chunks, options, createKubeSchemaValidator).then(
  (result) => parentPort!.postMessage({ ok: true, result }),
  (e: unknown) => parentPort!.postMessage({ ok: false, message: (e as Error).message ?? String(e) }),
);

import { parentPort, workerData } from 'node:worker_threads';
import { createKubeSchemaValidator } from '../schema/kube-schemas-adapter.js';
import { createChunkChecker, type Chunk, type ChunkCheckOptions } from './chunk-checks.js';

// Worker thread: says when it is ready (schemas set up), then checks each batch it is sent and posts the
// plain result back, until the main thread terminates it.
const { options } = workerData as { options: ChunkCheckOptions };
const fail = (e: unknown) => parentPort!.postMessage({ ok: false, message: (e as Error).message ?? String(e) });
createChunkChecker(options, createKubeSchemaValidator).then((checker) => {
  parentPort!.on('message', (chunks: Chunk[]) => {
    checker.check(chunks).then((result) => parentPort!.postMessage({ ok: true, result }), fail);
  });
  parentPort!.postMessage({ ok: true });
}, fail);

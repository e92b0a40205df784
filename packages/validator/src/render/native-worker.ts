import { parentPort } from 'node:worker_threads';
import { nativeRenderer } from './native-renderer.js';
import type { WorkerReply, WorkerRequest } from './native-pool.js';

// Worker thread of the native render pool (native-pool.ts): says when it is ready (the engine loaded), then
// renders each request it is sent with the in-process native renderer, one at a time, and posts the result
// back (or what it threw, as the in-process renderer would throw it), until the pool terminates it.
const port = parentPort!;
port.on('message', ({ id, request }: WorkerRequest) => {
  nativeRenderer.render(request).then(
    (result) => port.postMessage({ id, result } satisfies WorkerReply),
    (e: unknown) => {
      const err = e instanceof Error ? e : new Error(String(e));
      port.postMessage({ id, thrown: { name: err.name, message: err.message } } satisfies WorkerReply);
    },
  );
});
port.postMessage({ ready: true } satisfies WorkerReply);

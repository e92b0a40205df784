import { nativeRenderer } from './native-renderer.js';
import type { WorkerReply, WorkerRequest } from './native-pool.js';

// Child process of the native render pool (native-pool.ts, started with `fork`): says when it is ready (the
// engine loaded), then renders each request it is sent with the in-process native renderer, one at a time,
// and sends the result back (or what it threw, as the in-process renderer would throw it), until the pool
// kills it or goes away (the IPC channel closes: nothing is left to hold this process, so it ends).
const send = (reply: WorkerReply) => process.send!(reply);
process.on('message', ({ id, request }: WorkerRequest) => {
  nativeRenderer.render(request).then(
    (result) => send({ id, result }),
    (e: unknown) => {
      const err = e instanceof Error ? e : new Error(String(e));
      send({ id, thrown: { name: err.name, message: err.message } });
    },
  );
});
send({ ready: true });

import { Worker } from 'node:worker_threads';
import { nativeRenderer } from './native-renderer.js';
import type { WorkerReply, WorkerRequest } from './native-pool.js';

// Child process of the native render pool (native-pool.ts, started with `fork`): says when it is ready (the
// engine loaded), then renders each request it is sent with the in-process native renderer, one at a time,
// and sends the result back (or what it threw, as the in-process renderer would throw it), until the pool
// kills it or goes away (the IPC channel closes: nothing is left to hold this process, so it ends).
//
// A render busy in a template that never ends does not return to the event loop, so it would not see the
// channel close if the validator were killed outright (SIGKILL; the pool's own timeout died with it): a small
// watchdog thread ends this process once its parent has changed (the validator is gone), checking twice a
// second. Unref'd: it never keeps an idle process alive.
new Worker(
  `const { workerData: parent } = require('node:worker_threads');
setInterval(() => { if (process.ppid !== parent) process.kill(process.pid, 'SIGKILL'); }, 500);`,
  { eval: true, workerData: process.ppid },
).unref();

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

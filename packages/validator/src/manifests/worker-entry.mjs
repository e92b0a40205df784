// Worker threads start without the tsx loader of the main thread: register it, then run the worker.
import { register } from 'tsx/esm/api';

register();
await import('./manifest-worker.ts');

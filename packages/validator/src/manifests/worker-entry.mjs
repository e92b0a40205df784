// Tests only (the compiled validator starts dist/manifests/manifest-worker.js directly): a worker thread
// starts without the loaders of vitest, so register tsx (a devDependency) and resolve the workspace packages
// to their TypeScript sources ("source" export condition), as vitest does.
import { register } from 'tsx/esm/api';

register();
await import('./manifest-worker.ts');

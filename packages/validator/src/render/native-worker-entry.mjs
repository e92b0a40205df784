// Tests only (the compiled validator starts dist/render/native-worker.js directly): a render process starts
// without the loaders of vitest, so register tsx (a devDependency) and resolve the workspace packages to
// their TypeScript sources ("source" export condition), as vitest does. See manifests/worker-entry.mjs.
import { register } from 'tsx/esm/api';

register();
await import('./native-worker.ts');

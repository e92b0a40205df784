// Bundles the compiled CLI and its two worker threads into dist/bundle/ (run by `npm run build` after tsc), the
// way @cmsweb/toolkit bundle-cli.mjs bundles every CLI (gitops-sync's too): read it for how paths are kept.
// Why: a one-service run (what nx runs after a change) spent most of its CPU opening, resolving and compiling
// ~730 module files, many of them in both threads; one file per thread costs about a quarter less CPU
// (README "Start-up"). bin/validator.js runs the bundle only while it is newer than every compiled package
// it holds, else dist/cli.js, so a plain `tsc -b` never leaves a stale bundle running.
//
// The modules that start worker threads (workerStarters) keep the bundle's own URL, so that
// './native-worker.js' and './manifest-worker.js' are the bundled workers beside them.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleCli } from '@cmsweb/toolkit/bundle-cli';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
await bundleCli({
  pkg,
  /** dist/bundle, or the folder given (test/bundle.test.ts bundles into a temporary one). */
  out: process.argv[2] ? resolve(process.argv[2]) : join(pkg, 'dist', 'bundle'),
  cli: join(pkg, 'dist', 'cli.js'),
  // The names native-pool.ts and run-batches.ts start.
  workers: {
    'native-worker': join(pkg, 'dist', 'render', 'native-worker.js'),
    'manifest-worker': join(pkg, 'dist', 'manifests', 'manifest-worker.js'),
  },
  workerStarters: [join(pkg, 'dist', 'render', 'native-pool.js'), join(pkg, 'dist', 'manifests', 'run-batches.js')],
});

// Bundles the compiled CLI into dist/bundle/cli.cjs (run by `npm run build` after tsc; @cmsweb/toolkit
// bundle-cli.mjs says how). bin/gitops-sync.js runs it, through V8's code cache, while it is newer than every
// compiled package it holds, else dist/cli.js. Why: a command spent ~0.2 CPU s opening, resolving and
// compiling ~200 module files before doing anything (README "Start-up").
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleCli } from '@cmsweb/toolkit/bundle-cli';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
await bundleCli({
  pkg,
  /** dist/bundle, or the folder given (test/bundle.test.ts bundles into a temporary one). */
  out: process.argv[2] ? resolve(process.argv[2]) : join(pkg, 'dist', 'bundle'),
  cli: join(pkg, 'dist', 'cli.js'),
  // Only `cluster` and `serve` use them, and they are large: required from node_modules when those run.
  external: ['@kubernetes/client-node', 'prom-client'],
});

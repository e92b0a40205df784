#!/usr/bin/env node
// Runs the compiled validator (dist/cli.js, from src/cli.ts): see @cmsweb/toolkit/run-built. The same program
// bundled into one CommonJS file (dist/bundle/cli.cjs, scripts/bundle.mjs) runs instead while it is fresh,
// compiled through V8's code cache: it starts with about a third less CPU (README "Start-up").
import { setFlagsFromString } from 'node:v8';
import { runBuilt } from '@cmsweb/toolkit/run-built';

// The heap bound of the repository and manifests commands (cli.ts, which sets it too), set before the bundle
// is compiled: V8 uses a code cache only under the flags it was made with, and the cache is made at exit.
setFlagsFromString('--heap-growing-percent=50');
await runBuilt(
  'validator',
  new URL('../dist/cli.js', import.meta.url),
  new URL('../dist/bundle/cli.cjs', import.meta.url),
);

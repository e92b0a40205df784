#!/usr/bin/env node
// Runs the compiled validator (dist/cli.js, from src/cli.ts): see @cmsweb/toolkit/run-built. The same program
// bundled into one CommonJS file (dist/bundle/cli.cjs, scripts/bundle.mjs) runs instead while it is fresh,
// compiled through V8's code cache: it starts with about a third less CPU (README "Start-up").
import { setFlagsFromString } from 'node:v8';
import { bundleFresh, runBuilt } from '@cmsweb/toolkit/run-built';

const argv = process.argv.slice(2);
const bundle = new URL('../dist/bundle/cli.cjs', import.meta.url);

// A one-service run (what nx runs after a change) renders in a child process that takes ~0.25 s to load the
// engine: it starts now, on the other core, while this process compiles the program, and the render pool
// takes it over (src/render/render-process.ts). Only a command line that may be one is looked at further.
if (argv.some((a) => a.startsWith('--scope') || a === '--nx-task')) {
  try {
    const early = await import('../dist/render/render-process.js');
    if (early.earlyRenderWanted(argv, process.env)) {
      const worker = bundleFresh(bundle) ? '../dist/bundle/native-worker.js' : '../dist/render/native-worker.js';
      const settings = early.poolSettings(process.env);
      early.startEarly(new URL(worker, import.meta.url), settings.memoryMb ?? early.DEFAULT_RENDER_MEMORY_MB);
    }
  } catch {
    // Not built: runBuilt says so.
  }
}

// The heap bound of the repository and manifests commands (cli.ts, which sets it too), set before the bundle
// is compiled: V8 uses a code cache only under the flags it was made with, and the cache is made at exit.
setFlagsFromString('--heap-growing-percent=50');
await runBuilt('validator', new URL('../dist/cli.js', import.meta.url), bundle);

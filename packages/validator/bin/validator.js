#!/usr/bin/env node
// Runs the compiled validator (dist/cli.js, from src/cli.ts): see @cmsweb/toolkit/run-built. The same program
// bundled into one file per thread (dist/bundle/, scripts/bundle.mjs) runs instead while it is fresh: it starts
// with about a quarter less CPU (README "Start-up").
import { runBuilt } from '@cmsweb/toolkit/run-built';

await runBuilt(
  'validator',
  new URL('../dist/cli.js', import.meta.url),
  new URL('../dist/bundle/cli.js', import.meta.url),
);

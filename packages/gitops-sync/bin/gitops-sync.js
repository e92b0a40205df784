#!/usr/bin/env node
// Runs the compiled gitops-sync (dist/cli.js, from src/cli.ts): see @cmsweb/toolkit/run-built. The same program
// bundled into one CommonJS file (dist/bundle/cli.cjs, scripts/bundle.mjs) runs instead while it is fresh,
// compiled through V8's code cache: a command starts with less CPU (README "Start-up").
import { runBuilt } from '@cmsweb/toolkit/run-built';

await runBuilt(
  'gitops-sync',
  new URL('../dist/cli.js', import.meta.url),
  new URL('../dist/bundle/cli.cjs', import.meta.url),
);

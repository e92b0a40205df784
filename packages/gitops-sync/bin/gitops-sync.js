#!/usr/bin/env node
// Runs the compiled gitops-sync (dist/cli.js, from src/cli.ts): see @cmsweb/toolkit/run-built.
import { runBuilt } from '@cmsweb/toolkit/run-built';

await runBuilt('gitops-sync', new URL('../dist/cli.js', import.meta.url));

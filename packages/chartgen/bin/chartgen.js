#!/usr/bin/env node
// Runs the compiled chartgen (dist/cli.js, from src/cli.ts): see @cmsweb/toolkit/run-built.
import { runBuilt } from '@cmsweb/toolkit/run-built';

await runBuilt('chartgen', new URL('../dist/cli.js', import.meta.url));

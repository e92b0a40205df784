#!/usr/bin/env node
// Runs the compiled nx-cache-server (dist/nx-cache-server-cli.js, from src/nx-cache-server-cli.ts): see @cmsweb/toolkit/run-built.
import { runBuilt } from '@cmsweb/toolkit/run-built';

await runBuilt('nx-cache-server', new URL('../dist/nx-cache-server-cli.js', import.meta.url));

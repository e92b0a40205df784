#!/usr/bin/env node
// Runs the compiled nx remote cache server: dist/ is emitted by `npm ci` (postinstall) or `npm run build`.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/nx-cache-server-cli.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('nx-cache-server: not built: run `npm run build` at the repository root (`npm ci` does it)\n');
  process.exit(3);
}
await import(entry.href);

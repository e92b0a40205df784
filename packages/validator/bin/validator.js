#!/usr/bin/env node
// Runs the compiled CLI: dist/ is emitted by `npm ci` (postinstall) or `npm run build`; the source entry is src/cli.ts.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('validator: not built: run `npm run build` at the repository root (`npm ci` does it)\n');
  process.exit(3);
}
await import(entry.href);

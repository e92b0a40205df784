// vitest globalSetup for the packages whose tests spawn their CLI: tests run the TypeScript sources in
// process, but a spawned bin/*.js runs the compiled dist/, so bring dist/ up to date first (incremental:
// about a second when nothing changed). Under nx the `test` target already depends on `build`.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { bundleFresh } from '@cmsweb/toolkit/run-built';

export default function setup() {
  if (process.env.NX_TASK_TARGET_PROJECT) return;
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const r = spawnSync(process.execPath, [tsc, '-b', 'tsconfig.build.json'], { stdio: 'inherit' });
  if (r.status !== 0)
    throw new Error('tsc -b tsconfig.build.json failed: the compiled CLI the tests spawn would be stale');
  // A package whose bin runs a bundle while it is fresh (the validator: scripts/bundle.mjs): make it again when
  // tsc emitted since, so that the spawned CLI is the bundle, as after `npm run build`.
  if (existsSync('scripts/bundle.mjs') && !bundleFresh(pathToFileURL('dist/bundle/cli.cjs'))) {
    const b = spawnSync(process.execPath, ['scripts/bundle.mjs'], { stdio: 'inherit' });
    if (b.status !== 0) throw new Error('scripts/bundle.mjs failed: the bundle the tests spawn would be stale');
  }
}

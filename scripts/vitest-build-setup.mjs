// vitest globalSetup for the packages whose tests spawn their CLI: tests run the TypeScript sources in
// process, but a spawned bin/*.js runs the compiled dist/, so bring dist/ up to date first (incremental:
// about a second when nothing changed). Under nx the `test` target already depends on `build`.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

export default function setup() {
  if (process.env.NX_TASK_TARGET_PROJECT) return;
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const r = spawnSync(process.execPath, [tsc, '-b', 'tsconfig.build.json'], { stdio: 'inherit' });
  if (r.status !== 0)
    throw new Error('tsc -b tsconfig.build.json failed: the compiled CLI the tests spawn would be stale');
}

import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RENDERER } from '../src/render/renderers.js';
import { type JsonReport, REPO_ROOT, runRepoInProcess } from './helpers.js';

// The repository itself: once chartgen's output is committed, a full validation of main exits 0.
//
// Every service × environment is still rendered and checked (the claim is about the whole repository), but in
// process (no CLI start-up, the schemas compiled once) and through the render store CI's `npx validator
// --render-store .nx-results/renders` fills just before `npm test` (.ci/run): the store is keyed on the bytes of
// everything helm reads, so a replayed render is the render of exactly these files, and on CI helm does not
// run a second time over the same 250-odd charts. Without the store (a developer's first run) every chart is
// rendered and the store filled, so the next run replays. The renderer is the CLI's default, so that the keys
// are those `npx validator` wrote; the key holds helm's version or a digest of the native engine's build
// (render-store.ts), so a store can never replay the output of another build.
const charts = join(REPO_ROOT, 'charts');
const generated = existsSync(charts) && readdirSync(charts).length > 0;
if (!generated)
  console.log('this-repository test skipped: charts/ is empty (run `npx chartgen generate` and commit its output)');

describe('this repository', () => {
  (generated ? it : it.skip)(
    'validates clean: no finding at error severity in any service × environment',
    { timeout: 900_000 },
    async () => {
      const r = await runRepoInProcess(REPO_ROOT, {
        renderer: DEFAULT_RENDERER,
        renderStore: join(REPO_ROOT, '.nx-results', 'renders'),
      });
      const report = JSON.parse(r.stdout) as JsonReport;
      const errors = report.findings
        .filter((f) => f.severity === 'error')
        .map((f) => `${f.file}:${f.line} ${f.check} [${f.env ?? ''}] ${f.message}`);
      expect(errors).toEqual([]);
      expect(r.code).toBe(0);
      expect(report.summary.resources).toBeGreaterThan(0);
    },
  );
});

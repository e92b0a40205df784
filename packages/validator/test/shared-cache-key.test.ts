import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { innerNxEnv } from '@cmsweb/toolchain';
import { REPO_ROOT } from './helpers.js';

// The corpus tests (this package's corpus and fast-path tests, chartgen's frontend and CRD tests, kube-schemas'
// conformance) read ../shared. nx caches a test run on its inputs; the repository's nx.json adds a runtime
// input (scripts/shared-fingerprint.mjs) so that a run with ../shared present is never replayed once it is gone
// or changed. Proven here with the real nx on a throwaway workspace that carries the repository's nx.json and
// script (and .env) verbatim and one project whose `test` target counts its runs, beside its own ../shared.

const NX = join(REPO_ROOT, 'node_modules', '.bin', 'nx');
const base = mkdtempSync(join(tmpdir(), 'validator-nx-shared-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

function workspace(): { ws: string; shared: string; runs: () => number; nx: () => string } {
  const ws = join(base, 'ws');
  const shared = join(base, 'shared');
  mkdirSync(join(ws, 'scripts'), { recursive: true });
  mkdirSync(join(ws, 'packages', 'probe'), { recursive: true });
  mkdirSync(join(shared, 'corpus'), { recursive: true });
  mkdirSync(join(shared, 'reference'), { recursive: true });
  writeFileSync(join(shared, 'corpus', 'backends.txt'), 'one\n');
  writeFileSync(join(shared, 'reference', 'facts.yaml'), 'a: 1\n');
  copyFileSync(join(REPO_ROOT, 'nx.json'), join(ws, 'nx.json'));
  // The repository's .env too (NX_ISOLATE_PLUGINS=false): nx as this repository runs it, its plugin in nx's own
  // process; without it each of the five runs also starts a plugin worker (about half of an nx run's CPU).
  copyFileSync(join(REPO_ROOT, '.env'), join(ws, '.env'));
  copyFileSync(join(REPO_ROOT, 'scripts', 'shared-fingerprint.mjs'), join(ws, 'scripts', 'shared-fingerprint.mjs'));
  // nx.json loads the catalog plugin (no catalog here: it adds no project).
  cpSync(join(REPO_ROOT, 'tools', 'nx-plugin'), join(ws, 'tools', 'nx-plugin'), { recursive: true });
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(ws, 'node_modules'));
  writeFileSync(join(ws, 'package.json'), JSON.stringify({ name: 'ws', private: true, workspaces: ['packages/*'] }));
  const log = join(base, 'runs.log');
  const probe = join(ws, 'packages', 'probe');
  writeFileSync(
    join(probe, 'run.cjs'),
    `const fs = require('fs');\nfs.appendFileSync(${JSON.stringify(log)}, 'run\\n');\nfs.mkdirSync('.test-results', { recursive: true });\n`,
  );
  const test = { command: 'node run.cjs', options: { cwd: 'packages/probe' } };
  writeFileSync(join(probe, 'package.json'), JSON.stringify({ name: 'probe', nx: { targets: { test } } }));
  return {
    ws,
    shared,
    runs: () => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean).length : 0),
    nx: () => {
      const r = spawnSync(NX, ['run', 'probe:test', '--outputStyle=stream'], {
        cwd: ws,
        encoding: 'utf8',
        // A clean environment: under `nx run validator:test` the parent's NX_*, npm_* and INIT_CWD variables
        // would leak in and change the inner task hash from one run to the next.
        env: innerNxEnv({
          NX_CACHE_DIRECTORY: join(base, 'cache'),
          NX_WORKSPACE_DATA_DIRECTORY: join(base, 'workspace-data'),
        }),
      });
      expect(r.status, r.stdout + r.stderr).toBe(0);
      return r.stdout;
    },
  };
}

describe('nx keys test runs on ../shared', () => {
  // Five nx runs: about a minute on a loaded machine; the timeout is a safety net, not a speed check.
  it('a test run is replayed from cache only while ../shared/corpus and ../shared/reference are unchanged', {
    timeout: 600_000,
  }, () => {
    const { shared, runs, nx } = workspace();
    nx();
    expect(runs()).toBe(1);
    nx();
    expect(runs(), 'nothing changed: served from cache').toBe(1);

    renameSync(join(shared, 'corpus'), join(shared, 'corpus.away'));
    nx();
    expect(runs(), 'the corpus disappeared: not a cache hit').toBe(2);

    renameSync(join(shared, 'corpus.away'), join(shared, 'corpus'));
    writeFileSync(join(shared, 'reference', 'facts.yaml'), 'a: 2\n');
    nx();
    expect(runs(), 'a reference file changed: not a cache hit').toBe(3);
    nx();
    expect(runs()).toBe(3);
  });
});

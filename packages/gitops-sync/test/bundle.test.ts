import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bundleFresh, codeCacheFile } from '@cmsweb/toolkit/run-built';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { at, cliEnv, createFixture, type Fixture } from './helpers/fixture.js';

// The bundle (scripts/bundle.mjs) is what bin/gitops-sync.js runs after `npm run build` (the tests' build setup
// makes it too): every spawned CLI of the other tests runs it. What only this file checks is what depends on
// where a module is, which bundling changes: the validator installed with gitops-sync, resolved from
// shell/validator.js (a gate that could not find it would fail closed, and every other test names the stand-in
// validator), and that the bundle prints what the compiled modules print, with and without its code cache.
// Made here into a temporary <package>/dist/bundle (so its code cache is <package>/node_modules/.cache there,
// not the one the other tests' CLIs use).
const PKG = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const tmp = mkdtempSync(join(tmpdir(), 'gitops-sync-bundle-'));
const BUNDLE = join(tmp, 'dist', 'bundle', 'cli.cjs');
const LAUNCHER = pathToFileURL(join(PKG, '..', 'toolkit', 'run-built.mjs')).href;

// Two launchers: the bundle run as bin/gitops-sync.js runs it (runBundle), and the compiled entry.
const LAUNCH = {
  bundle: `import { runBundle } from ${JSON.stringify(LAUNCHER)};\nrunBundle(new URL(${JSON.stringify(pathToFileURL(BUNDLE).href)}));\n`,
  dist: `await import(${JSON.stringify(pathToFileURL(join(PKG, 'dist', 'cli.js')).href)});\n`,
};
for (const [name, code] of Object.entries(LAUNCH)) writeFileSync(join(tmp, `${name}.mjs`), code);

function run(how: keyof typeof LAUNCH, cwd: string, args: string[], env: Record<string, string>) {
  const r = spawnSync(process.execPath, [join(tmp, `${how}.mjs`), ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

let fx: Fixture;
let repo: string;
beforeAll(() => {
  const r = spawnSync(process.execPath, [join(PKG, 'scripts', 'bundle.mjs'), dirname(BUNDLE)], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  fx = createFixture({ a: { dev: 'v1', preprod: 'v1' }, b: { dev: 'v2' } });
  repo = fx.clone('ci');
});
afterAll(() => {
  fx.cleanup();
  rmSync(tmp, { recursive: true, force: true });
});

describe('the bundled CLI', () => {
  it('lists the .tsbuildinfo of every workspace package it holds (what the bin checks), and is fresh', () => {
    expect(bundleFresh(pathToFileURL(BUNDLE))).toBe(true);
    // The package's own, which the bin runs: made by the build (the tests' build setup, nx's build target).
    expect(bundleFresh(pathToFileURL(join(PKG, 'dist', 'bundle', 'cli.cjs')))).toBe(true);
    const inputs = JSON.parse(readFileSync(join(dirname(BUNDLE), 'inputs.json'), 'utf8')) as string[];
    expect(inputs.map((p) => resolve(dirname(BUNDLE), p).split('/').slice(-3, -2)[0]).sort()).toEqual([
      'catalog',
      'gitops-sync',
      'toolkit',
      'yaml',
    ]);
  });

  it('prints what the compiled modules print, compiled from source and then through its code cache', () => {
    const cache = codeCacheFile(BUNDLE);
    expect(cache).toBe(join(tmp, 'node_modules', '.cache', 'code-cache', 'cli.cjs.v8'));
    const args = ['status', '--json'];
    const env = cliEnv(at(2));
    const dist = run('dist', repo, args, env);
    expect(dist.code, dist.stderr).toBe(0);
    const cold = run('bundle', repo, args, env);
    expect(cold).toEqual(dist);
    expect(existsSync(cache)).toBe(true); // written at exit: the run compiled from source
    const made = statSync(cache).mtimeMs;
    const warm = run('bundle', repo, args, env);
    expect(warm).toEqual(dist);
    expect(statSync(cache).mtimeMs).toBe(made); // taken, so not written again
  }, 60_000);

  it('runs the validator installed with gitops-sync as the gate, which refuses on its findings', () => {
    // The fixture is no complete repository (its catalog lacks most keys): the real validator says so, and the
    // gate refuses with its findings; the stand-in validator knows nothing of catalogs.
    const env: Record<string, string> = { ...cliEnv(at(2)), GITOPS_SYNC_VALIDATOR: '' };
    const args = ['bump', '--service', 'a', '--env', 'dev', '--tag', 'v3', '--dry-run', '--json'];
    const r = run('bundle', repo, args, env);
    expect(r.code, r.stderr).toBe(1);
    const gate = JSON.parse(r.stdout).gates.find((g: { gate: string }) => g.gate === 'validation');
    expect(gate.status).toBe('fail');
    expect(gate.message).toMatch(
      /^validator findings for a in dev: catalog\/cluster\.yaml:1: missing required key "allowedHostPaths" in the top level/,
    );
  }, 60_000);
});

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMPTY_CONTEXT } from '../src/checks/check.js';
import { DEFAULT_CONFIG } from '../src/config/validator-config.js';
import { FIXTURE_REPO, PACKAGE_DIR } from './helpers.js';

// The bundle (scripts/bundle.mjs) is what bin/validator.js runs after `npm run build`: made here into a
// temporary folder from the compiled modules, it must do exactly what they do, in each of its three threads'
// files. What would differ is what depends on where a module is: package.json (--version), the schema data
// of kube-schemas, the worker files beside their starter, the helm binary, the compiled-schema cache.
const tmp = mkdtempSync(join(tmpdir(), 'validator-bundle-'));
// <package>/dist/bundle, as in the package: the code cache goes to <package>/node_modules/.cache.
const dir = join(tmp, 'dist', 'bundle');
const CODE_CACHE = join(tmp, 'node_modules', '.cache', 'code-cache', 'cli.cjs.v8');
const COMPILED = join(PACKAGE_DIR, 'dist');
const LAUNCHER = pathToFileURL(join(PACKAGE_DIR, '..', 'toolkit', 'run-built.mjs')).href;
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

beforeAll(() => {
  const r = spawnSync(process.execPath, [join(PACKAGE_DIR, 'scripts', 'bundle.mjs'), dir], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
}, 120_000);

/** The bundle run as bin/validator.js runs it (the same V8 flag first; runBundle: through its code cache). */
function runBundled(args: string[]) {
  const runner = join(tmp, 'run.mjs');
  writeFileSync(
    runner,
    `import { setFlagsFromString } from 'node:v8';\nimport { runBundle } from ${JSON.stringify(LAUNCHER)};\nsetFlagsFromString('--heap-growing-percent=50');\nrunBundle(new URL(${JSON.stringify(pathToFileURL(join(dir, 'cli.cjs')).href)}));\n`,
  );
  const r = spawnSync(process.execPath, [runner, ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function run(entry: string, args: string[]) {
  const r = spawnSync(process.execPath, [entry, ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Starts a manifests worker, waits until it is ready, checks one batch and returns the result. */
async function checkInWorker(file: string, chunks: unknown[]): Promise<unknown> {
  // execArgv: none of vitest's (its "source" condition would send the compiled worker to the TypeScript sources).
  const worker = new Worker(file, {
    execArgv: [],
    workerData: { options: { kubernetesVersion: '1.33', config: DEFAULT_CONFIG, context: EMPTY_CONTEXT } },
  });
  try {
    return await new Promise((resolve, reject) => {
      worker.on('error', reject);
      worker.on('message', (m: { ok: boolean; message?: string; result?: unknown }) => {
        if (!m.ok) reject(new Error(m.message));
        else if (m.result) resolve(m.result);
        else worker.postMessage(chunks);
      });
    });
  } finally {
    await worker.terminate();
  }
}

describe('the bundled validator', () => {
  it('lists the .tsbuildinfo of every compiled package it holds (what the bin checks before running it)', () => {
    const inputs = JSON.parse(readFileSync(join(dir, 'inputs.json'), 'utf8')) as string[];
    expect(inputs.map((p) => new URL(p, `file://${dir}/`).pathname.split('/').slice(-3, -2)[0]).sort()).toEqual([
      'catalog',
      'helm-engine',
      'kube-schemas',
      'toolchain',
      'toolkit',
      'validator',
      'yaml',
    ]);
  });

  it('validates the fixture repository as the compiled modules do (native render process, schemas, policies)', () => {
    const args = ['--root', FIXTURE_REPO, '--output', 'json'];
    const compiled = run(join(COMPILED, 'cli.js'), args);
    // First without a code cache (written at exit), then compiled from it (V8 took it: not written again).
    const first = runBundled(args);
    const made = statSync(CODE_CACHE).mtimeMs;
    const second = runBundled(args);
    expect(statSync(CODE_CACHE).mtimeMs).toBe(made);
    expect(first.stderr).toBe('');
    expect(JSON.parse(first.stdout).summary.resources).toBeGreaterThan(0);
    expect(first).toEqual(compiled);
    expect(second).toEqual(compiled);
    expect(run(join(dir, 'cli.cjs'), ['--version'])).toEqual(run(join(COMPILED, 'cli.js'), ['--version']));
  }, 120_000);

  it('checks a batch in its manifests worker thread as the compiled worker does', async () => {
    const chunks = [
      // missing standard labels, a duplicate key, a schema violation, an unknown kind
      {
        id: 0,
        file: 'a.yaml',
        startLine: 1,
        text: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: v\n',
      },
      { id: 1, file: 'a.yaml', startLine: 8, text: 'apiVersion: v1\nkind: Service\nmetadata:\n  name: b\n  name: c\n' },
      {
        id: 2,
        file: 'b.yaml',
        startLine: 1,
        text: 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  replicas: many\n',
      },
      { id: 3, file: 'b.yaml', startLine: 8, text: 'apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n' },
    ];
    const [bundled, compiled] = await Promise.all([
      checkInWorker(join(dir, 'manifest-worker.js'), chunks),
      checkInWorker(join(COMPILED, 'manifests', 'manifest-worker.js'), chunks),
    ]);
    const checks = (bundled as { findings: Array<{ check: string }> }).findings.map((f) => f.check);
    expect(checks).toEqual(expect.arrayContaining(['yaml-duplicate-key', 'schema-unknown-kind', 'standard-labels']));
    expect(bundled).toEqual(compiled);
  }, 120_000);
});

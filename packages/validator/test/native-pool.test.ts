// The native renderer in child processes (src/render/native-pool.ts): the same results as in-process, and a
// render that never ends or grows without end is a render error of that chart while the pool goes on. No
// assertion is on speed: the timeouts below are the renders' own (a chart that never finishes on any
// machine), the tests' bounds only generous. Half a second: each second of an endless render's timeout is
// a second of CPU its process burns.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { generatedCases } from '@cmsweb/helm-engine/conformance';
import { afterAll, describe, expect, it } from 'vitest';
import { renderErrorFinding } from '../src/chart/render-findings.js';
import { createNativePool, poolSettings, ranOutOfHeap, renderStackKb } from '../src/render/native-pool.js';
import { nativeRenderer } from '../src/render/native-renderer.js';
import type { RenderRequest } from '../src/render/renderer.js';
import { PACKAGE_DIR, REPO_ROOT, writeChart } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'native-pool-'));
const pools: Array<ReturnType<typeof createNativePool>> = [];
afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()));
  rmSync(tmp, { recursive: true, force: true });
});
const pool = (options: Parameters<typeof createNativePool>[0]) => {
  const p = createNativePool(options);
  pools.push(p);
  return p;
};

const chart = (name: string, files: Record<string, string>) => writeChart(tmp, name, files);
const request = (chartDir: string, more: Partial<RenderRequest> = {}): RenderRequest => ({
  chartDir,
  releaseName: 'r',
  namespace: 'ns',
  valueFiles: [],
  kubeVersion: '1.33',
  ...more,
});

/** Whether process `pid` runs (a zombie, ended but not yet reaped, does not). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Three nested ranges of 100,000: 10^15 iterations, no output, no memory to speak of. */
const ENDLESS_RANGE =
  '{{- range until 100000 }}{{ range until 100000 }}{{ range until 100000 }}{{ end }}{{ end }}{{ end }}\nx: 1\n';

describe('native render pool', { timeout: 300_000 }, () => {
  it('renders generated charts of this repository (chart × environment) as the in-process renderer, errors included', async () => {
    const cases = generatedCases(REPO_ROOT).filter((_, i) => i % 25 === 0);
    expect(cases.length).toBeGreaterThan(5);
    const requests: RenderRequest[] = cases.map((c) =>
      request(c.chartDir, { releaseName: c.releaseName, namespace: c.namespace, valueFiles: c.valueFiles }),
    );
    // Errors too: a template that fails, one that does not parse, values the schema refuses, a missing chart.
    const failing = chart('failing', { 'templates/a.yaml': 'a: {{ required "y is required" .Values.y }}\n' });
    const unparsed = chart('unparsed', { 'templates/b.yaml': 'b: {{ .Values.x | nosuchfunc }}\n' });
    const schema = chart('schema', {
      'values.schema.json': '{"type": "object", "properties": {"x": {"type": "string"}}}',
      'templates/cm.yaml': 'x: {{ .Values.x }}\n',
    });
    requests.push(
      request(failing),
      request(unparsed),
      request(schema),
      request(schema, { inlineValues: 'x: "1"\n' }),
      request(schema, { chartValues: 'x: two\n' }),
      request(schema, { set: [{ name: 'x', value: 'three' }] }),
      request(join(tmp, 'no-such-chart')),
    );
    const inProcess = [];
    for (const r of requests) inProcess.push(await nativeRenderer.render(r));
    const p = pool({ threads: 2 });
    const parallel = await Promise.all(requests.map((r) => p.render(r)));
    expect(parallel).toEqual(inProcess);
    expect(inProcess.slice(0, cases.length).every((r) => !r.error && r.manifests.includes('kind:'))).toBe(true);
    expect(inProcess.slice(cases.length).map((r) => r.error?.kind)).toEqual([
      'template-execute',
      'template-parse',
      'values-schema',
      undefined,
      undefined,
      undefined,
      'chart',
    ]);
    expect(p.started).toBe(2);
  });

  it('a range that never ends is stopped after the timeout (a timeout error), and the next render works', async () => {
    const p = pool({ threads: 1 });
    const ok = chart('ok', { 'templates/cm.yaml': 'x: {{ .Values.x }}\n' });
    expect(await p.render(request(ok))).toEqual({ manifests: '---\n# Source: ok/templates/cm.yaml\nx: 1\n' });
    const endless = chart('endless', { 'templates/cm.yaml': ENDLESS_RANGE });
    const r = await p.render(request(endless, { timeoutSeconds: 0.5 }));
    expect(r).toEqual({
      manifests: '',
      error: { kind: 'timeout', message: 'the native renderer did not finish in 0.5 s' },
    });
    // The finding reads as helm's, with the native renderer's likely cause.
    expect(renderErrorFinding(r.error!, 'charts/endless', { env: 'dev', service: 'endless' }).message).toMatch(
      /^the native renderer did not finish in 0\.5 s rendering charts\/endless for environment dev and was stopped: a range over a huge list .*; if the chart is only slow, raise --render-timeout or renderTimeout in validator\.yaml$/,
    );
    expect(await p.render(request(ok))).toEqual({ manifests: '---\n# Source: ok/templates/cm.yaml\nx: 1\n' });
    expect(p.started).toBe(2); // the stopped process was replaced
  });

  it('renders waiting behind a render that times out are rendered by the other processes and the replacement', async () => {
    const p = pool({ threads: 2 });
    const endless = chart('endless2', { 'templates/cm.yaml': ENDLESS_RANGE });
    const ok = chart('ok2', { 'templates/cm.yaml': 'x: {{ .Values.x }}\n' });
    const results = await Promise.all([
      p.render(request(endless, { timeoutSeconds: 0.5 })),
      p.render(request(endless, { timeoutSeconds: 0.5 })),
      ...Array.from({ length: 6 }, (_, i) => p.render(request(ok, { releaseName: `r${i}` }))),
    ]);
    expect(results.slice(0, 2).map((r) => r.error?.kind)).toEqual(['timeout', 'timeout']);
    for (const r of results.slice(2)) expect(r).toEqual({ manifests: '---\n# Source: ok2/templates/cm.yaml\nx: 1\n' });
  });

  it('a memory bomb is a render error naming the limit; the pool goes on', async () => {
    const p = pool({ threads: 1, memoryMb: 64 });
    // 64 MB: the least the pool's settings allow (the less the process fills, the less it collects before it
    // reaches the limit). Two shapes: a list of 100 million numbers grown one by one (800 MB); a list of 100
    // million strings made at once from one string (a single allocation of 800 MB). Both aborted the WHOLE
    // validator when renders ran on worker threads (V8's "FATAL ERROR: Reached heap limit": the second almost
    // always, the first about one time in ten; nodejs/node#47224): this test process would have died with it.
    const bombs = [
      chart('bomb', { 'templates/cm.yaml': '{{- $n := until 100000000 }}\nx: {{ len $n }}\n' }),
      chart('split-bomb', { 'templates/cm.yaml': 'x: {{ splitList "," (repeat 100000000 ",") | len }}\n' }),
    ];
    for (const bomb of bombs) {
      const r = await p.render(request(bomb, { timeoutSeconds: 600 }));
      expect(r.manifests).toBe('');
      expect(r.error).toEqual({ kind: 'template-execute', message: expect.any(String) });
      expect(r.error!.message).toMatch(
        /^the native renderer ran out of memory rendering the chart \(more than its 64 MB heap\): expected .* raise VALIDATOR_RENDER_MEMORY_MB$/,
      );
    }
    const ok = chart('ok3', { 'templates/cm.yaml': 'x: {{ .Values.x }}\n' });
    expect(await p.render(request(ok))).toEqual({ manifests: '---\n# Source: ok3/templates/cm.yaml\nx: 1\n' });
    expect(p.started).toBe(3); // each bomb ended its process
  });

  it('a render process that ends mid-render is a render error with its exit and last words; the next render works', async () => {
    const p = pool({ threads: 1 });
    const ok = chart('ok6', { 'templates/cm.yaml': 'x: {{ .Values.x }}\n' });
    expect(await p.render(request(ok))).toEqual({ manifests: '---\n# Source: ok6/templates/cm.yaml\nx: 1\n' });
    const endless = chart('endless3', { 'templates/cm.yaml': ENDLESS_RANGE });
    const pending = p.render(request(endless, { timeoutSeconds: 600 }));
    // Killed from outside (the OOM killer, an operator): the pool sees the process end while it renders.
    await new Promise((r) => setTimeout(r, 300));
    expect(p.pids).toHaveLength(1);
    process.kill(p.pids[0]!, 'SIGTERM');
    expect(await pending).toEqual({
      manifests: '',
      error: {
        kind: 'template-execute',
        message:
          "the native renderer's process ended (signal SIGTERM) while rendering the chart; the render was not completed",
      },
    });
    expect(await p.render(request(ok))).toEqual({ manifests: '---\n# Source: ok6/templates/cm.yaml\nx: 1\n' });
  });

  it('a render process busy in an endless render ends by itself when the validator is killed outright', async () => {
    const dist = pathToFileURL(join(PACKAGE_DIR, 'dist', 'render', 'native-pool.js')).href;
    const endless = chart('endless4', { 'templates/cm.yaml': ENDLESS_RANGE });
    const script = join(tmp, 'killed-validator.mjs');
    writeFileSync(
      script,
      `import { createNativePool } from ${JSON.stringify(dist)};
const p = createNativePool({ threads: 1 });
const r = p.render(${JSON.stringify(request(endless, { timeoutSeconds: 600 }))});
const t = setInterval(() => { if (p.pids.length) { process.stdout.write(p.pids[0] + '\\n'); clearInterval(t); } }, 20);
await r;`,
    );
    const validator = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const pid = Number(
      await new Promise<string>((resolve) => validator.stdout.once('data', (b: Buffer) => resolve(b.toString()))),
    );
    expect(pid).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 1500)); // the render process loaded the engine and loops
    expect(alive(pid)).toBe(true);
    validator.kill('SIGKILL'); // no pool left to stop it: its watchdog thread must
    const deadline = Date.now() + 20_000;
    while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(alive(pid)).toBe(false);
  });

  it.each([
    ['Reached heap limit Allocation failed - JavaScript heap out of memory', true],
    ['FATAL ERROR: CALL_AND_RETRY_LAST Allocation failed - JavaScript heap out of memory', true],
    ['Error: Cannot find module', false],
    ['', false],
  ])('ranOutOfHeap(%j) is %s', (stderr, expected) => {
    expect(ranOutOfHeap(stderr)).toBe(expected);
  });

  it.each([
    [undefined, 8192], // unlimited (or unknown): the 8 MB the render needs at most
    [8 * 1024 * 1024, 7168], // Linux's default soft limit: 1 MB kept for native frames
    [64 * 1024 * 1024, 8192],
    [1024 * 1024, 984], // never below V8's own default
  ])('renderStackKb(%j) is %i', (limit, kb) => {
    expect(renderStackKb(limit)).toBe(kb);
  });

  it('an idle pool does not keep the process alive (no close)', () => {
    const dist = pathToFileURL(join(PACKAGE_DIR, 'dist', 'render', 'native-pool.js')).href;
    const ok = chart('ok4', { 'templates/cm.yaml': 'x: {{ .Values.x }}\n' });
    const script = join(tmp, 'idle-pool.mjs');
    writeFileSync(
      script,
      `import { createNativePool } from ${JSON.stringify(dist)};
const p = createNativePool({ threads: 2 });
const r = await p.render(${JSON.stringify(request(ok))});
process.stdout.write(r.manifests);`,
    );
    const run = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 100_000 });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toBe('---\n# Source: ok4/templates/cm.yaml\nx: 1\n');
  });

  it('prestart: the process started ahead serves the first render; started ahead and idle, it does not keep the process alive', async () => {
    const p = pool({ threads: 1 });
    p.prestart();
    expect(p.started).toBe(1);
    p.prestart(); // one is enough: the first render waits for it
    expect(p.started).toBe(1);
    const ok = chart('ok5', { 'templates/cm.yaml': 'x: {{ .Values.x }}\n' });
    expect(await p.render(request(ok))).toEqual({ manifests: '---\n# Source: ok5/templates/cm.yaml\nx: 1\n' });
    expect(p.started).toBe(1);
    const dist = pathToFileURL(join(PACKAGE_DIR, 'dist', 'render', 'native-pool.js')).href;
    const script = join(tmp, 'prestarted-pool.mjs');
    writeFileSync(
      script,
      `import { pooledNativeRenderer } from ${JSON.stringify(dist)};
pooledNativeRenderer.prestart();
process.stdout.write('done');`,
    );
    const run = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 100_000 });
    expect(run.error, 'the process ended by itself').toBeUndefined();
    expect([run.status, run.stdout, run.stderr]).toEqual([0, 'done', '']);
  });

  it.each([
    [{}, {}],
    [
      { VALIDATOR_RENDER_THREADS: '3', VALIDATOR_RENDER_MEMORY_MB: '1024' },
      { threads: 3, memoryMb: 1024 },
    ],
    [{ VALIDATOR_RENDER_THREADS: '0' }, { problem: expect.stringMatching(/^VALIDATOR_RENDER_THREADS="0": expected/) }],
    [
      { VALIDATOR_RENDER_MEMORY_MB: '32' },
      { problem: expect.stringMatching(/^VALIDATOR_RENDER_MEMORY_MB="32": expected/) },
    ],
    [{ VALIDATOR_RENDER_MEMORY_MB: '1e3' }, { problem: expect.stringMatching(/^VALIDATOR_RENDER_MEMORY_MB="1e3"/) }],
  ])('poolSettings(%j)', (env, settings) => {
    expect(poolSettings(env)).toEqual(settings);
  });
});

// The render process started ahead (src/render/render-process.ts): which command lines start one in
// bin/validator.js, and that the render pool takes it over when it would start the same process, and
// kills it otherwise.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createNativePool, RENDER_PROCESS } from '../src/render/native-pool.js';
import { earlyRenderWanted, startEarly, takeEarly } from '../src/render/render-process.js';
import { runCli, tempRepo, writeChart } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'render-process-'));
const pools: Array<ReturnType<typeof createNativePool>> = [];
afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()));
  rmSync(tmp, { recursive: true, force: true });
});

/** The processes now running whose environment holds `marker` (Linux: /proc/<pid>/environ). */
function processesWith(marker: string): number[] {
  const found: number[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d)))
    try {
      if (readFileSync(`/proc/${pid}/environ`, 'latin1').includes(marker)) found.push(Number(pid));
    } catch {
      // ended meanwhile, or not ours
    }
  return found;
}

/** A 64 MB pool (closed after the file) that has rendered a one-line chart `name` as the in-process renderer would. */
async function poolThatRendered(name: string) {
  const p = createNativePool({ memoryMb: 64 });
  pools.push(p);
  const chartDir = writeChart(tmp, name, { 'templates/cm.yaml': 'x: {{ .Values.x }}\n' });
  const request = { chartDir, releaseName: 'r', namespace: 'ns', valueFiles: [], kubeVersion: '1.33' };
  expect(await p.render(request)).toEqual({ manifests: `---\n# Source: ${name}/templates/cm.yaml\nx: 1\n` });
  return p;
}

const ended = (child: ReturnType<typeof startEarly>['child']) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('close', () => resolve());
  });

describe('render process started ahead', { timeout: 120_000 }, () => {
  it.each([
    [['--scope', 'service:dbs'], {}, true],
    [['--scope=service:dbs', '--quiet'], {}, true],
    [['--quiet', '--scope', 'service:dbs', '--renderer', 'native'], {}, true],
    [['--nx-task'], { NX_TASK_TARGET_PROJECT: 'svc-dbs' }, true],
    [['--nx-task'], { NX_TASK_TARGET_PROJECT: 'cluster' }, false], // renders mostly from the render store
    [['--scope', 'cluster'], {}, false],
    [['--scope', 'service:dbs', '--renderer', 'helm'], {}, false],
    [['--scope', 'service:dbs', '--renderer=helm'], {}, false],
    [['--scope', 'service:dbs'], { VALIDATOR_RENDERER: 'helm' }, false],
    [['--scope', 'service:dbs', '--renderer', 'native'], { VALIDATOR_RENDERER: 'helm' }, true],
    [['--scope', 'service:dbs', '--help'], {}, false],
    [['--scope', 'service:dbs'], { VALIDATOR_RENDER_MEMORY_MB: '10' }, false], // the CLI refuses it (exit 2)
    [['chart', 'charts/dbs', '--scope', 'service:dbs'], {}, false], // a subcommand
    [[], {}, false],
  ])('earlyRenderWanted(%j, %j) is %s', (argv, env, wanted) => {
    expect(earlyRenderWanted(argv, env)).toBe(wanted);
  });

  it('the pool takes over the process started ahead for its settings: no second process, the same results', async () => {
    const early = startEarly(RENDER_PROCESS.entry, 64, RENDER_PROCESS.loaderArgv);
    const p = await poolThatRendered('ok');
    expect(p.pids).toEqual([early.child.pid]);
    expect(p.started).toBe(1);
    expect(takeEarly(RENDER_PROCESS.entry, [])).toBeUndefined(); // taken once
  });

  it('one started for other settings is killed, and the pool starts its own', async () => {
    const early = startEarly(RENDER_PROCESS.entry, 128, RENDER_PROCESS.loaderArgv);
    const p = await poolThatRendered('ok2');
    expect(p.pids).toHaveLength(1);
    expect(p.pids).not.toEqual([early.child.pid]);
    await ended(early.child);
    expect(early.child.signalCode).toBe('SIGKILL');
  });

  it('the CLI, one service: its findings and exit code, and no render process left running once it has exited', () => {
    const repo = tempRepo();
    try {
      const overlay = join(repo.dir, 'environments/dev/values/demo.yaml');
      writeFileSync(overlay, `${readFileSync(overlay, 'utf8')}replicaz: 2\n`);
      // Every process the CLI starts inherits this variable: any still running after it exits is its leftover.
      const marker = `RENDER_PROCESS_TEST=${randomUUID()}`;
      const [name, value] = marker.split('=') as [string, string];
      const r = runCli(['--root', repo.dir, '--scope', 'service:demo', '--output', 'json'], { env: { [name]: value } });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(1);
      const report = JSON.parse(r.stdout) as { findings: Array<{ check: string; file: string }> };
      expect(report.findings.map((f) => `${f.file} ${f.check}`)).toEqual([
        'environments/dev/values/demo.yaml overlay-schema',
      ]);
      expect(processesWith(marker)).toEqual([]);
    } finally {
      repo.cleanup();
    }
  });
});

import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runHelm } from '@cmsweb/toolchain';
import { afterAll, describe, expect, it } from 'vitest';
import { runRenderCommand } from '../src/commands.js';
import { UsageError } from '../src/errors.js';
import { REPO_ROOT, runCli } from './helpers.js';

// `validator render` prints what `helm template` prints: checked against the real helm on a generated chart
// whose library dependency is vendored into a temp copy (the way `helm dependency build` leaves it).

const tmp = mkdtempSync(join(tmpdir(), 'validator-render-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const options = (extra: Partial<Parameters<typeof runRenderCommand>[1]> = {}) => ({
  root: REPO_ROOT,
  values: [],
  set: [],
  setString: [],
  setFile: [],
  release: 'release-name',
  namespace: 'default',
  renderer: 'helm',
  ...extra,
});

// Generous (run from the repository root, vitest's default is 5 s): the native renderer's thread starts first,
// from the TypeScript sources through tsx in a test run.
describe('validator render', { timeout: 120_000 }, () => {
  const chart = join(REPO_ROOT, 'charts', 'dbs');
  const prodValues = join(REPO_ROOT, 'environments', 'prod', 'values', 'dbs.yaml');

  it("prints exactly what helm template prints for a generated chart with an environment's values", async () => {
    const copy = join(tmp, 'dbs');
    cpSync(chart, copy, { recursive: true });
    mkdirSync(join(copy, 'charts'), { recursive: true });
    cpSync(join(REPO_ROOT, 'charts', '_library'), join(copy, 'charts', 'cmsweb-library'), { recursive: true });
    // What a user runs after `helm dependency build`: the same release, namespace, version and values.
    const helmTemplate = (...more: string[]) =>
      runHelm([
        'template',
        copy,
        '--name-template',
        'dbs',
        '--namespace',
        'dbs',
        '--kube-version',
        '1.33',
        '--values',
        prodValues,
        ...more,
      ]);
    const request = { values: [prodValues], release: 'dbs', namespace: 'dbs', kubeVersion: '1.33' };
    const helm = await helmTemplate('--set', 'replicaCount=3');
    expect(helm.code, helm.stderr).toBe(0);
    const ours = await runRenderCommand(chart, options({ ...request, set: ['replicaCount=3'] }));
    expect(ours.exitCode).toBe(0);
    expect(ours.stdout).toContain('replicas: 3');
    expect(ours.stdout).toBe(helm.stdout);
    const native = await runRenderCommand(chart, options({ ...request, renderer: 'native' }));
    const helmNoSet = await helmTemplate();
    expect(native).toEqual({ stdout: helmNoSet.stdout, exitCode: 0 });
  });

  it('a chart that fails to render is refused with the chart file and line', async () => {
    const bad = join(tmp, 'bad');
    mkdirSync(join(bad, 'templates'), { recursive: true });
    writeFileSync(join(bad, 'Chart.yaml'), 'apiVersion: v2\nname: bad\nversion: 0.1.0\n');
    writeFileSync(join(bad, 'templates', 'cm.yaml'), 'a: 1\n{{ required "image.tag is required" .Values.image }}\n');
    const out = await runRenderCommand(bad, options());
    expect(out).toEqual({
      stdout: '',
      stderr: `validator: render: ${bad}/templates/cm.yaml:2:3: template failed: image.tag is required\n`,
      exitCode: 1,
    });
  });

  it('bad input is a usage error naming what is wrong', async () => {
    await expect(runRenderCommand(join(tmp, 'none'), options())).rejects.toThrow(
      new UsageError(`render: ${join(tmp, 'none')} is not a chart directory (no Chart.yaml in it)`),
    );
    await expect(runRenderCommand(chart, options({ set: ['replicaCount'] }))).rejects.toThrow(
      '--set "replicaCount": expected NAME=VALUE',
    );
    await expect(runRenderCommand(chart, options({ renderer: 'kustomize' }))).rejects.toThrow(
      'unknown renderer "kustomize"',
    );
    await expect(runRenderCommand(chart, options({ values: [join(tmp, 'no.yaml')] }))).rejects.toThrow('values file');
  });

  it('end to end: exit codes 0 and 2 from the CLI', () => {
    const ok = runCli(['render', join(REPO_ROOT, 'charts', 'dbs'), '--release', 'dbs']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^---\n# Source: dbs\/templates\//);
    const usage = runCli(['render', 'charts/nope']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toBe('validator: render: charts/nope is not a chart directory (no Chart.yaml in it)\n');
  });
});

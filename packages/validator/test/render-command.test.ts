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

// --root is where validator.yaml and the catalog's Kubernetes version are read: this repository has no
// validator.yaml (the defaults), and every comparison with helm names its --kube-version; a folder that is no
// repository gives the same request without reading the catalog of ~100 services at every render.
const options = (extra: Partial<Parameters<typeof runRenderCommand>[1]> = {}) => ({
  root: tmp,
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
  /**
   * What a user runs after `helm dependency build` (the library vendored into a copy of the chart): the same
   * release, namespace, version and values, plus `more` flags.
   */
  const vendoredHelmTemplate = (name: string) => {
    const copy = join(tmp, name);
    cpSync(chart, copy, { recursive: true });
    mkdirSync(join(copy, 'charts'), { recursive: true });
    cpSync(join(REPO_ROOT, 'charts', '_library'), join(copy, 'charts', 'cmsweb-library'), { recursive: true });
    return (...more: string[]) =>
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
  };

  it("prints exactly what helm template prints for a generated chart with an environment's values", async () => {
    const helmTemplate = vendoredHelmTemplate('dbs');
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

  it('--set, --set-string and --set-file: both renderers print what helm template prints', async () => {
    const helmTemplate = vendoredHelmTemplate('dbs-set');
    const file = join(tmp, 'set-file.txt');
    writeFileSync(file, 'from a file\nsecond line\n');
    const missing = join(tmp, 'no-such-file.txt');
    const request = { values: [prodValues], release: 'dbs', namespace: 'dbs', kubeVersion: '1.33' };
    const cases: Array<{ set?: string[]; setString?: string[]; setFile?: string[]; fails?: string }> = [
      { set: ['replicaCount=3,image.tag=v1.2.3', 'args={--verbose,--port=8250,a\\,b}'] },
      { set: ['replicaCount=12345678901', 'env.A.value=x'], setString: ['env.B.value=123,env.C.value=true'] },
      { set: ['command[1]=serve,command[0]=/bin/dbs', 'resources.limits.cpu=null'] },
      { set: ['env.A.value=set'], setString: ['env.A.value=string'], setFile: [`env.A.value=${file}`] },
      { set: ['image.tag.x=1'], fails: 'failed parsing --set data: unable to parse key: interface conversion' },
      { set: ['args[x]=1'], fails: 'failed parsing --set data: error parsing index: strconv.Atoi: parsing "x"' },
      { setString: ['a.b=1,c'], fails: 'failed parsing --set-string data: key "c" has no value' },
      { setFile: [`env.A.value=${missing}`], fails: `failed parsing --set-file data: open ${missing}: no such file` },
    ];
    for (const c of cases) {
      const flags = [
        ...(c.set ?? []).flatMap((x) => ['--set', x]),
        ...(c.setString ?? []).flatMap((x) => ['--set-string', x]),
        ...(c.setFile ?? []).flatMap((x) => ['--set-file', x]),
      ];
      const helm = await helmTemplate(...flags);
      const more = { set: c.set ?? [], setString: c.setString ?? [], setFile: c.setFile ?? [] };
      for (const renderer of ['native', 'helm']) {
        const ours = await runRenderCommand(chart, options({ ...request, ...more, renderer }));
        if (c.fails) {
          expect(helm.code, flags.join(' ')).toBe(1);
          expect(helm.stderr).toContain(c.fails);
          // helm's message, after the prefix of `validator render`.
          expect(ours, `${renderer} ${flags.join(' ')}`).toEqual({
            stdout: '',
            stderr: `validator: render: ${helm.stderr.replace(/^Error: /, '')}`,
            exitCode: 1,
          });
        } else {
          expect(helm.code, helm.stderr).toBe(0);
          expect(ours, `${renderer} ${flags.join(' ')}`).toEqual({ stdout: helm.stdout, exitCode: 0 });
        }
      }
    }
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
    // From the temp folder (no repository there, as for the in-process runs above).
    const ok = runCli(['render', join(REPO_ROOT, 'charts', 'dbs'), '--release', 'dbs'], { cwd: tmp });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^---\n# Source: dbs\/templates\//);
    const usage = runCli(['render', 'charts/nope'], { cwd: tmp });
    expect(usage.code).toBe(2);
    expect(usage.stderr).toBe('validator: render: charts/nope is not a chart directory (no Chart.yaml in it)\n');
  });
});

import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { helmRenderer } from '../src/render/helm-renderer.js';
import { helmBinary, runHelm } from '@cmsweb/toolchain';
import { dependenciesSurelyMissing, isMissingDependency } from '../src/render/local-dependencies.js';
import { parseRenderedManifests } from '../src/render/rendered-manifests.js';
import { readChart } from '../src/chart/read-chart.js';

// A chart whose templates come from a library chart next to it (file://../lib), as the generated
// service charts use charts/_library: rendered by the real helm after the validator resolves the
// dependency in a temp copy, never in the repository.

let root = '';
afterEach(() => rmSync(root, { recursive: true, force: true }));

function write(path: string, text: string): void {
  mkdirSync(join(root, path, '..'), { recursive: true });
  writeFileSync(join(root, path), text);
}

function repo(dependency: { version: string; repository: string }): string {
  root = mkdtempSync(join(tmpdir(), 'validator-localdep-'));
  write('charts/lib/Chart.yaml', 'apiVersion: v2\nname: lib\ntype: library\nversion: 1.2.0\n');
  write(
    'charts/lib/templates/_cm.tpl',
    '{{- define "lib.cm" }}\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Chart.Name }}\ndata:\n  v: {{ .Values.v | quote }}\n{{- end }}\n',
  );
  write(
    'charts/app/Chart.yaml',
    `apiVersion: v2\nname: app\nversion: 0.1.0\ndependencies:\n  - name: lib\n    version: ${dependency.version}\n    repository: ${dependency.repository}\n`,
  );
  write('charts/app/values.yaml', 'v: one\n');
  write('charts/app/templates/cm.yaml', '{{ include "lib.cm" . }}\n');
  return join(root, 'charts', 'app');
}

const request = (chartDir: string) => ({
  chartDir,
  releaseName: 'app',
  namespace: 'ns',
  valueFiles: [],
  kubeVersion: '1.33',
});

describe('charts with file:// dependencies', { timeout: 60_000 }, () => {
  it("recognises helm's missing-dependency refusal (the text Argo CD matches)", () => {
    expect(isMissingDependency('Error: found in Chart.yaml, but missing in charts/ directory: lib')).toBe(true);
    expect(isMissingDependency('Error: parse error at (app/templates/a.yaml:1)')).toBe(false);
  });

  it('renders a chart whose templates include its library, leaving the chart directory untouched', async () => {
    const chart = repo({ version: '1.2.0', repository: 'file://../lib' });
    const r = await helmRenderer.render(request(chart));
    expect(r.error).toBeUndefined();
    expect(r.manifests).toContain(
      '# Source: app/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  v: "one"\n',
    );
    expect(readdirSync(chart).sort()).toEqual(['Chart.yaml', 'templates', 'values.yaml']);
  });

  it('points a rendered object at the library line that wrote it, not at the one-line include', async () => {
    const chart = repo({ version: '1.2.0', repository: 'file://../lib' });
    const r = await helmRenderer.render(request(chart));
    const files = await readChart(chart, 'charts/app');
    expect(Object.keys(files.templates).sort()).toEqual(['../lib/templates/_cm.tpl', 'templates/cm.yaml']);
    const { resources, findings } = parseRenderedManifests({
      manifests: r.manifests,
      chartPath: 'charts/app',
      templates: files.templates,
      namespace: 'ns',
    });
    expect(findings).toEqual([]);
    expect(resources[0]!.source.file).toBe('charts/lib/templates/_cm.tpl');
    expect(resources[0]!.source.locate(['data', 'v'])).toEqual({
      file: 'charts/lib/templates/_cm.tpl',
      line: 7,
      column: 3,
    });
  });

  it('refuses a library whose version does not satisfy the dependency, naming both', async () => {
    const r = await helmRenderer.render(request(repo({ version: '2.0.0', repository: 'file://../lib' })));
    expect(r.error).toEqual({
      kind: 'chart',
      message: expect.stringMatching(
        /charts\/app\/Chart\.yaml: dependency "lib" wants version 2\.0\.0; file:\/\/\.\.\/lib has 1\.2\.0/,
      ),
    });
  });

  it('refuses an absolute file:// path (the consumers resolve dependencies inside their checkout)', async () => {
    const r = await helmRenderer.render(request(repo({ version: '1.2.0', repository: 'file:///etc/lib' })));
    expect(r.error?.message).toMatch(/absolute path file:\/\/\/etc\/lib: expected a path relative to the chart/);
  });

  it('refuses a file:// path without a chart, naming the missing Chart.yaml', async () => {
    const r = await helmRenderer.render(request(repo({ version: '1.2.0', repository: 'file://../nowhere' })));
    expect(r.error?.message).toMatch(/dependency "lib": .*charts\/nowhere\/Chart\.yaml does not exist/);
  });

  it('knows when helm is sure to refuse for a missing dependency: dependencies listed, no charts/ or an empty one', async () => {
    const chart = repo({ version: '1.2.0', repository: 'file://../lib' });
    expect(await dependenciesSurelyMissing(chart)).toBe(true);
    mkdirSync(join(chart, 'charts'));
    expect(await dependenciesSurelyMissing(chart)).toBe(true);
    // Anything in charts/ may be the dependency (helm reads the chart's name inside): helm decides.
    write('charts/app/charts/whatever.tgz', 'x');
    expect(await dependenciesSurelyMissing(chart)).toBe(false);
    rmSync(join(chart, 'charts'), { recursive: true });
    write('charts/app/Chart.yaml', 'apiVersion: v2\nname: app\nversion: 0.1.0\n');
    expect(await dependenciesSurelyMissing(chart)).toBe(false);
    write('charts/app/Chart.yaml', 'apiVersion: [v2\n');
    expect(await dependenciesSurelyMissing(chart)).toBe(false);
  });

  it('renders such a chart with one helm process (the refusal it would print is skipped), and a broken one with the refusal helm gives the chart itself', async () => {
    // A stand-in helm that logs each run and runs the real one: the renderer's processes, counted.
    const chart = repo({ version: '1.2.0', repository: 'file://../lib' });
    const log = join(root, 'helm-runs.log');
    const wrapper = join(root, 'helm');
    writeFileSync(wrapper, `#!/bin/sh\necho "$1" >> '${log}'\nexec '${helmBinary()}' "$@"\n`);
    chmodSync(wrapper, 0o755);
    const runs = () => readFileSync(log, 'utf8').trim().split('\n').length;
    const saved = process.env.HELM_BIN;
    process.env.HELM_BIN = wrapper;
    try {
      const ok = await helmRenderer.render(request(chart));
      expect(ok.error).toBeUndefined();
      expect(ok.manifests).toContain('kind: ConfigMap');
      expect(runs()).toBe(1);
      // helm refuses this Chart.yaml while loading, before it looks at dependencies: that refusal, as the chart's own.
      write(
        'charts/app/Chart.yaml',
        readFileSync(join(chart, 'Chart.yaml'), 'utf8').replace('apiVersion: v2', 'apiVersion: v9'),
      );
      const direct = await runHelm(['template', 'app', chart]);
      expect(direct.code).not.toBe(0);
      expect(isMissingDependency(direct.stderr)).toBe(false);
      const broken = await helmRenderer.render(request(chart));
      expect(broken.error?.message).toBeDefined();
      expect(direct.stderr).toContain(broken.error!.message.split('\n')[0]!.replace(/^Error: /, ''));
    } finally {
      if (saved === undefined) delete process.env.HELM_BIN;
      else process.env.HELM_BIN = saved;
    }
  });
});

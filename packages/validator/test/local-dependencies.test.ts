import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { helmRenderer } from '../src/render/helm-renderer.js';
import { isMissingDependency } from '../src/render/local-dependencies.js';
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
});

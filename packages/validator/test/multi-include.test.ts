// A chart whose one template file is a list of block includes of a library (the generated service charts'
// templates/resources.yaml): helm prints every document under the same `# Source:` line and sorts them by
// kind, so each object must still be located at the library template that wrote it, as with one file per
// include. Rendered by the real helm and by the native renderer (the validator's default), which must agree.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readChart } from '../src/chart/read-chart.js';
import { definitions, includeOfDocument, blockIncludes } from '../src/render/included-templates.js';
import { helmRenderer } from '../src/render/helm-renderer.js';
import { nativeRenderer } from '../src/render/native-renderer.js';
import { parseRenderedManifests } from '../src/render/rendered-manifests.js';

const root = mkdtempSync(join(tmpdir(), 'validator-multi-include-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function write(path: string, text: string): void {
  mkdirSync(join(root, path, '..'), { recursive: true });
  writeFileSync(join(root, path), text);
}

const LIB = {
  // Two documents from one include, written RoleBinding first: helm's kind sort puts the Role first.
  'charts/lib/templates/_rbac.tpl': [
    '{{- define "lib.rbac" }}',
    '---',
    'apiVersion: rbac.authorization.k8s.io/v1',
    'kind: RoleBinding',
    'metadata:',
    '  name: {{ .Chart.Name }}',
    'roleRef:',
    '  kind: Role',
    '  name: {{ .Chart.Name }}',
    '  apiGroup: rbac.authorization.k8s.io',
    '---',
    'apiVersion: rbac.authorization.k8s.io/v1',
    'kind: Role',
    'metadata:',
    '  name: {{ .Chart.Name }}',
    'rules: []',
    '{{- end }}',
    '',
  ].join('\n'),
  'charts/lib/templates/_cm.tpl': [
    '{{- define "lib.cm" }}',
    '---',
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata:',
    '  name: {{ .Chart.Name }}',
    'data:',
    '  v: {{ .Values.v | quote }}',
    '{{- end }}',
    '',
  ].join('\n'),
  // Renders nothing with these values: must leave no empty or glued document.
  'charts/lib/templates/_job.tpl': [
    '{{- define "lib.job" }}',
    '{{- if .Values.job }}',
    '---',
    'apiVersion: batch/v1',
    'kind: Job',
    'metadata:',
    '  name: {{ .Chart.Name }}',
    '{{- end }}',
    '{{- end }}',
    '',
  ].join('\n'),
  'charts/lib/templates/_deploy.tpl': [
    '{{- define "lib.deploy" }}',
    '---',
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: {{ .Chart.Name }}',
    'spec:',
    '  replicas: {{ .Values.replicas }}',
    '{{- end }}',
    '',
  ].join('\n'),
  'charts/lib/templates/_svc.tpl': [
    '{{- define "lib.svc" }}',
    '---',
    'apiVersion: v1',
    'kind: Service',
    'metadata:',
    '  name: {{ .Chart.Name }}',
    'spec:',
    '  type: {{ .Values.serviceType }}',
    '{{- end }}',
    '',
  ].join('\n'),
};

function chart(): string {
  write('charts/lib/Chart.yaml', 'apiVersion: v2\nname: lib\ntype: library\nversion: 1.0.0\n');
  for (const [p, t] of Object.entries(LIB)) write(p, t);
  write(
    'charts/app/Chart.yaml',
    'apiVersion: v2\nname: app\nversion: 0.1.0\ndependencies:\n  - name: lib\n    version: 1.0.0\n    repository: file://../lib\n',
  );
  write('charts/app/values.yaml', 'v: one\nreplicas: 2\nserviceType: ClusterIP\njob: false\n');
  write(
    'charts/app/templates/resources.yaml',
    ['deploy', 'cm', 'job', 'rbac', 'svc'].map((k) => `{{- include "lib.${k}" . }}\n`).join(''),
  );
  return join(root, 'charts', 'app');
}

const lineOf = (rel: string, text: string) =>
  LIB[`charts/lib/templates/${rel}` as keyof typeof LIB].split('\n').indexOf(text) + 1;

describe('a template file of several block includes', { timeout: 60_000 }, () => {
  it('locates every object (and a field of it) at the library template that wrote it, with helm and native', async () => {
    const dir = chart();
    const req = { chartDir: dir, releaseName: 'app', namespace: 'ns', valueFiles: [], kubeVersion: '1.33' };
    const [h, n] = await Promise.all([helmRenderer.render(req), nativeRenderer.render(req)]);
    expect(h.error).toBeUndefined();
    expect(n).toEqual(h);
    const files = await readChart(dir, 'charts/app');
    const { resources, findings } = parseRenderedManifests({
      manifests: h.manifests,
      chartPath: 'charts/app',
      templates: files.templates,
      namespace: 'ns',
    });
    expect(findings).toEqual([]);
    // helm's install order: ConfigMap, Role, RoleBinding, Service, Deployment; each under one # Source: line.
    expect(h.manifests.match(/^# Source: .*$/gm)).toEqual(Array(5).fill('# Source: app/templates/resources.yaml'));
    const at = (kind: string, path: Array<string | number>, name = 'app') => {
      const r = resources.find((x) => x.object.kind === kind && x.object.metadata?.name === name)!;
      return [r.source.file, r.source.locate(path)];
    };
    expect(resources.map((r) => r.object.kind)).toEqual(['ConfigMap', 'Role', 'RoleBinding', 'Service', 'Deployment']);
    const lib = (f: string, text: string, column: number) => [
      `charts/lib/templates/${f}`,
      { file: `charts/lib/templates/${f}`, line: lineOf(f, text), column },
    ];
    expect(at('ConfigMap', ['data', 'v'])).toEqual(lib('_cm.tpl', '  v: {{ .Values.v | quote }}', 3));
    expect(at('Role', ['rules'])).toEqual(lib('_rbac.tpl', 'rules: []', 1));
    expect(at('RoleBinding', ['roleRef', 'kind'])).toEqual(lib('_rbac.tpl', '  kind: Role', 3));
    expect(at('Service', ['spec', 'type'])).toEqual(lib('_svc.tpl', '  type: {{ .Values.serviceType }}', 3));
    expect(at('Deployment', ['spec', 'replicas'])).toEqual(lib('_deploy.tpl', '  replicas: {{ .Values.replicas }}', 3));
  });

  it('picks the include by the document kind; none when two includes write it (the whole file is aligned then)', () => {
    const templates = { 'templates/all.yaml': '{{ include "lib.cm" . }}\n---\n{{ include "lib.svc" . }}\n', ...LIB };
    const defs = definitions(templates);
    const list = blockIncludes(templates['templates/all.yaml'], defs)!;
    expect(list.map((i) => [i.name, i.line])).toEqual([
      ['lib.cm', 0],
      ['lib.svc', 2],
    ]);
    expect(includeOfDocument('apiVersion: v1\nkind: Service\n', list, defs)?.name).toBe('lib.svc');
    expect(includeOfDocument('kind: "ConfigMap"\n', list, defs)?.name).toBe('lib.cm');
    expect(includeOfDocument('kind: Secret\n', list, defs)).toBeUndefined();
    const twice = blockIncludes('{{ include "lib.cm" . }}\n{{ include "lib.cm" . }}\n', defs)!;
    expect(includeOfDocument('kind: ConfigMap\n', twice, defs)).toBeUndefined();
    // Anything but includes (and blank lines, comments, ---) and the file is not a list.
    expect(blockIncludes('{{ include "lib.cm" . }}\nkind: Secret\n', defs)).toBeUndefined();
    expect(blockIncludes('{{ include "lib.unknown" . }}\n', defs)).toBeUndefined();
  });
});

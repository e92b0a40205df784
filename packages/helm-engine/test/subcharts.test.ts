// Subcharts as helm loads them: packaged ones (charts/*.tgz, as `helm dependency build` leaves them), packed by
// the real `helm package`, and import-values; rendered by the real helm and by the engine, byte for byte.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { runHelm } from '@cmsweb/toolchain';
import { afterAll, describe, expect, it } from 'vitest';
import { readChartArchive } from '../src/chart-archive.js';
import { HelmError, readChartDir, renderChart } from '../src/index.js';

const tmp = mkdtempSync(join(tmpdir(), 'chart-archive-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function write(dir: string, files: Record<string, string>): string {
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), text);
  }
  return dir;
}

async function helmPackage(chart: string, into: string): Promise<void> {
  mkdirSync(into, { recursive: true });
  const r = await runHelm(['package', chart, '--destination', into]);
  expect(r.code, r.stderr).toBe(0);
}

/** A tar stream of the given entries (ustar headers), gzipped. */
function tgz(entries: Array<{ name: string; data: string }>): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const h = Buffer.alloc(512);
    h.write(e.name, 0, 100, 'utf8');
    h.write('0000644\0', 100);
    h.write('0000000\0', 108);
    h.write('0000000\0', 116);
    h.write(`${Buffer.byteLength(e.data).toString(8).padStart(11, '0')}\0`, 124);
    h.write('00000000000\0', 136);
    h.write('        ', 148);
    h.write('0', 156);
    h.write('ustar\0', 257);
    h.write('00', 263);
    let sum = 0;
    for (const b of h) sum += b;
    h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
    const data = Buffer.alloc(Math.ceil(Buffer.byteLength(e.data) / 512) * 512);
    data.write(e.data);
    blocks.push(h, data);
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}

describe('packaged subcharts', { timeout: 120_000 }, () => {
  it('render as helm renders them (nested archives, values, globals, .Files, .Chart)', async () => {
    const leaf = write(join(tmp, 'src', 'leaf'), {
      'Chart.yaml': 'apiVersion: v2\nname: leaf\nversion: 1.2.3\n',
      'values.yaml': 'greeting: hello\n',
      'templates/cm.yaml':
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-{{ .Chart.Name }}\ndata:\n  greeting: {{ .Values.greeting | quote }}\n  region: {{ .Values.global.region | default "none" | quote }}\n',
    });
    const sub = write(join(tmp, 'src', 'sub'), {
      'Chart.yaml': 'apiVersion: v2\nname: sub\nversion: 0.1.0\ndependencies:\n  - name: leaf\n    version: 1.2.3\n',
      'values.yaml': 'replicas: 1\nleaf:\n  greeting: hi\n',
      'files/motd.txt': 'welcome\n',
      'templates/_helpers.tpl': '{{- define "sub.name" -}}{{ .Chart.Name }}-{{ .Chart.Version }}{{- end -}}\n',
      'templates/deploy.yaml':
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ include "sub.name" . }}\ndata:\n  replicas: {{ .Values.replicas | quote }}\n  motd: {{ .Files.Get "files/motd.txt" | quote }}\n',
    });
    await helmPackage(leaf, join(sub, 'charts'));
    const parent = write(join(tmp, 'parent'), {
      'Chart.yaml': 'apiVersion: v2\nname: parent\nversion: 0.1.0\ndependencies:\n  - name: sub\n    version: 0.1.0\n',
      'values.yaml': 'global:\n  region: eu\nsub:\n  replicas: 3\n  leaf:\n    greeting: bonjour\n',
      'templates/own.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: own\n',
    });
    await helmPackage(sub, join(parent, 'charts'));

    const helm = await runHelm([
      'template',
      parent,
      '--name-template',
      'r',
      '--namespace',
      'ns',
      '--kube-version',
      '1.33',
    ]);
    expect(helm.code, helm.stderr).toBe(0);
    const engine = renderChart(readChartDir(parent), { releaseName: 'r', namespace: 'ns', kubeVersion: '1.33' });
    expect(engine.manifests).toBe(helm.stdout);
    expect(engine.manifests).toContain('greeting: "bonjour"');
    expect(engine.manifests).toContain('motd: "welcome\\n"');
  });

  it('import-values (exports names and child/parent paths) as helm imports them, below the parent values', async () => {
    const lib = write(join(tmp, 'imp', 'parent', 'charts', 'lib'), {
      'Chart.yaml': 'apiVersion: v2\nname: lib\nversion: 0.1.0\n',
      'values.yaml':
        'exports:\n  defaults:\n    color: blue\n    size: 3\n    nested: {a: 1, b: 2}\nsettings:\n  mode: fast\n  level: 7\nscalar: 5\n',
      'templates/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: lib\n',
    });
    expect(lib).toContain('lib');
    const parent = write(join(tmp, 'imp', 'parent'), {
      'Chart.yaml': [
        'apiVersion: v2',
        'name: parent',
        'version: 0.1.0',
        'dependencies:',
        '  - name: lib',
        '    version: 0.1.0',
        '    import-values:',
        '      - defaults',
        '      - missing',
        '      - child: settings',
        '        parent: imported.settings',
        '      - child: scalar',
        '        parent: not.a.table',
        '',
      ].join('\n'),
      'values.yaml': 'size: 10\nnested: {b: 20}\n',
      'templates/out.yaml':
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: out\ndata:\n  values: {{ toJson (omit .Values "lib") | quote }}\n',
    });
    const helm = await runHelm(['template', parent, '--name-template', 'r', '--namespace', 'ns']);
    expect(helm.code, helm.stderr).toBe(0);
    const engine = renderChart(readChartDir(parent), { releaseName: 'r', namespace: 'ns' });
    expect(engine.manifests).toBe(helm.stdout);
    expect(engine.manifests).toContain('\\"color\\":\\"blue\\"'); // imported
    expect(engine.manifests).toContain('\\"size\\":10'); // the parent's own value wins
    expect(engine.manifests).toContain('\\"mode\\":\\"fast\\"'); // child/parent form
  });

  it('an archive helm refuses is refused with its path (not gzip, leaving the archive, empty)', async () => {
    const refused = (bytes: Uint8Array) => {
      try {
        readChartArchive(bytes, 'parent/charts/x.tgz');
      } catch (e) {
        expect(e).toBeInstanceOf(HelmError);
        return (e as Error).message;
      }
      return 'accepted';
    };
    expect(refused(Buffer.from('not an archive'))).toMatch(/^parent\/charts\/x\.tgz: gzip: invalid header/);
    expect(refused(tgz([{ name: 'x/../../evil', data: 'x' }]))).toMatch(/illegally references parent directory/);
    expect(refused(tgz([{ name: 'x\\Chart.yaml', data: 'x' }]))).toMatch(/outside the base directory/);
    expect(refused(tgz([]))).toMatch(/no files in chart archive/);
    const ok = readChartArchive(tgz([{ name: 'x/Chart.yaml', data: 'name: x\n' }]), 'x.tgz');
    expect(ok.top).toBe('x');
    expect([...ok.files.keys()]).toEqual(['Chart.yaml']);

    // The real helm refuses the escaping archive too.
    const parent = write(join(tmp, 'escape'), {
      'Chart.yaml': 'apiVersion: v2\nname: escape\nversion: 0.1.0\n',
    });
    mkdirSync(join(parent, 'charts'));
    writeFileSync(join(parent, 'charts', 'x.tgz'), tgz([{ name: 'x/../../evil', data: 'x' }]));
    const helm = await runHelm(['template', parent]);
    expect(helm.code).not.toBe(0);
    expect(() => readChartDir(parent)).toThrow(/illegally references parent directory/);
  });
});

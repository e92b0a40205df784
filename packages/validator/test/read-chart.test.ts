import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type DependencyReads, readChart } from '../src/chart/read-chart.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** charts/a and charts/b, both depending on charts/_library by file://; the library has a symlink leaving it. */
function repo(): string {
  const root = mkdtempSync(join(tmpdir(), 'validator-read-chart-'));
  dirs.push(root);
  const lib = join(root, 'charts', '_library');
  mkdirSync(join(lib, 'templates'), { recursive: true });
  writeFileSync(join(lib, 'Chart.yaml'), 'apiVersion: v2\nname: lib\nversion: 0.1.0\ntype: library\n');
  writeFileSync(join(lib, 'templates', '_pod.tpl'), '{{- define "lib.pod" }}v1{{- end }}\n');
  symlinkSync('/etc/hostname', join(lib, 'templates', '_out.tpl'));
  for (const name of ['a', 'b']) {
    const chart = join(root, 'charts', name);
    mkdirSync(join(chart, 'templates'), { recursive: true });
    writeFileSync(
      join(chart, 'Chart.yaml'),
      `apiVersion: v2\nname: ${name}\nversion: 0.1.0\ndependencies:\n  - name: lib\n    version: 0.1.0\n    repository: file://../_library\n`,
    );
    writeFileSync(join(chart, 'values.yaml'), `name: ${name}\n`);
    writeFileSync(join(chart, 'templates', 'pod.yaml'), '{{ include "lib.pod" . }}\n');
  }
  return root;
}

describe('readChart with dependencyReads', () => {
  it('reads a shared file:// dependency once and gives each chart what it gave when read for each', async () => {
    const root = repo();
    const shared: DependencyReads = new Map();
    const a = await readChart(join(root, 'charts', 'a'), 'charts/a', undefined, shared);
    // Changed on disk after the first chart: the second, sharing the reads, still sees what was read.
    writeFileSync(join(root, 'charts', '_library', 'templates', '_pod.tpl'), '{{- define "lib.pod" }}v2{{- end }}\n');
    const b = await readChart(join(root, 'charts', 'b'), 'charts/b', undefined, shared);
    const bAlone = await readChart(join(root, 'charts', 'b'), 'charts/b');
    expect(shared.size).toBe(1);
    expect(a.templates['../_library/templates/_pod.tpl']).toContain('v1');
    expect(b.templates['../_library/templates/_pod.tpl']).toContain('v1');
    expect(bAlone.templates['../_library/templates/_pod.tpl']).toContain('v2');
    // The refused library file is reported for each chart, under that chart, as without sharing.
    const refused = (c: typeof a) => (c.refused ?? []).map((r) => `${r.path}: ${r.reason}`);
    expect(refused(a)).toEqual([expect.stringMatching(/^charts\/a\/\.\.\/_library\/templates\/_out\.tpl: .*outside/)]);
    expect(refused(b)).toEqual(refused(bAlone));
    expect(refused(b)[0]).toMatch(/^charts\/b\//);
    expect(Object.keys(b.templates).sort()).toEqual(Object.keys(bAlone.templates).sort());
    expect(b.valuesYaml).toBe('name: b\n');
    expect(b.chartYaml).toContain('name: b');
  });
});

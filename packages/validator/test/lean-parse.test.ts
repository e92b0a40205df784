// Lean parsing (repository mode: no syntax tree held, the fast parser where it vouches for a document) must
// give exactly what full parsing gives: the same objects, findings, positions and value origins.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { generatedCases, renderWithEngine } from '@cmsweb/helm-engine/conformance';
import { parseYaml, toJs } from '@cmsweb/yaml';
import { describe, expect, it } from 'vitest';
import { readChart } from '../src/chart/read-chart.js';
import { parseManifests } from '../src/manifests/parse-manifests.js';
import { parseRenderedManifests, type RenderedInput } from '../src/render/rendered-manifests.js';
import type { Resource } from '../src/resources.js';
import { REPO_ROOT } from './helpers.js';

type Path = Array<string | number>;

/** Every path of a value (maps and lists walked), the empty one included. */
function pathsOf(value: unknown, base: Path = [], out: Path[] = []): Path[] {
  out.push(base);
  if (Array.isArray(value)) value.forEach((v, i) => pathsOf(v, [...base, i], out));
  else if (value !== null && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) pathsOf(v, [...base, k], out);
  return out;
}

/** What a resource tells a finding: its object, identity and, for every path, its position and origin. */
function observe(resources: Resource[]) {
  return resources.map((r) => ({
    ref: r.ref,
    object: r.object,
    at: pathsOf(r.object).map((p) => ({ p, at: r.source.locate(p), origin: r.source.origin?.(p) })),
  }));
}

describe('lean parsing', () => {
  it('gives the same objects, findings, positions and value origins on rendered generated charts', async () => {
    const cases = generatedCases(REPO_ROOT).filter((_, i) => i % 25 === 0);
    expect(cases.length).toBeGreaterThan(5);
    let origins = 0;
    for (const c of cases) {
      const rendered = renderWithEngine(c);
      expect(rendered.ok, c.name).toBe(true);
      const chartPath = relative(REPO_ROOT, c.chartDir);
      const chart = await readChart(c.chartDir, chartPath);
      const layers = [`${c.chartDir}/values.yaml`, ...c.valueFiles].map((f) => {
        const parsed = parseYaml(readFileSync(f, 'utf8'), f);
        return { file: relative(REPO_ROOT, f), parsed, value: toJs(parsed)[0] ?? {} };
      });
      const input: RenderedInput = {
        manifests: rendered.out,
        chartPath,
        templates: chart.templates,
        namespace: c.namespace,
        values: { layers },
      };
      const full = parseRenderedManifests(input);
      const lean = parseRenderedManifests({ ...input, lean: true });
      expect(full.resources.length, c.name).toBeGreaterThan(0);
      expect(lean.findings, c.name).toEqual(full.findings);
      const seen = observe(lean.resources);
      expect(seen, c.name).toEqual(observe(full.resources));
      origins += seen.flatMap((r) => r.at).filter((a) => a.origin).length;
    }
    expect(origins).toBeGreaterThan(0); // values were traced to their files, lean and full alike
  });

  it('gives the same on YAML the fast parser leaves to the full one (anchors, duplicate keys, lists, several documents)', () => {
    const text = [
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata: &m',
      '  name: a',
      'data:',
      '  k: v',
      '  k: w',
      '---',
      'apiVersion: v1',
      'kind: List',
      'items:',
      '  - apiVersion: v1',
      '    kind: Service',
      '    metadata: {name: s}',
      '    spec:',
      '      ports: [{port: 80}]',
      '---',
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      '  name: d',
      'spec:',
      '  replicas: 1',
      '---',
      'kind: Secret',
      '',
    ].join('\n');
    const full = parseManifests(text, 'm.yaml');
    const lean = parseManifests(text, 'm.yaml', { lean: true });
    expect(full.resources.length).toBeGreaterThanOrEqual(2);
    expect(full.findings.length).toBeGreaterThan(0);
    expect(lean.findings).toEqual(full.findings);
    expect(observe(lean.resources)).toEqual(observe(full.resources));
  });
});

// Behaviours whose expected text was taken from the real helm 4.1.4 (`helm template` on the same input).
import { describe, expect, it } from 'vitest';
import { HelmError, renderChart, toGoYaml } from '../src/index.js';

function render(templates: Record<string, string>, values = '', opts: { valueFiles?: string[] } = {}) {
  const files = new Map<string, string>([
    ['Chart.yaml', 'apiVersion: v2\nname: c\nversion: 0.1.0\n'],
    ['values.yaml', values],
  ]);
  for (const [k, v] of Object.entries(templates)) files.set(`templates/${k}`, v);
  return renderChart(
    { files },
    {
      releaseName: 'r',
      namespace: 'default',
      valueFiles: (opts.valueFiles ?? []).map((text, i) => ({ name: `v${i}.yaml`, text })),
    },
  ).manifests;
}

describe('renderChart', () => {
  it('prints values as helm does: numbers are float64 (1e+06), maps as map[...], missing as nothing', () => {
    const out = render(
      {
        'a.yaml':
          'a: {{ .Values.big }} {{ .Values.small }} {{ .Values.f }} {{ .Values.m }} {{ .Values.missing }} {{ 1e6 }} {{ 123456789.0 }}\n',
      },
      'big: 1000000\nsmall: 100000\nf: 1.5\nm: {b: 1, a: [1, "x", null, true]}\n',
    );
    expect(out).toBe(
      '---\n# Source: c/templates/a.yaml\na: 1e+06 100000 1.5 map[a:[1 x <nil> true] b:1]  1e+06 1.23456789e+08\n',
    );
  });

  it('splits, trims and orders documents and heads each with its source', () => {
    const out = render({ 'a.yaml': 'b: 2\n\n---\n# only comment\n---\n\nkind: Service\n', 'b.yaml': 'x: 1' });
    expect(out).toBe(
      '---\n# Source: c/templates/a.yaml\nkind: Service\n---\n# Source: c/templates/a.yaml\nb: 2\n---\n# Source: c/templates/a.yaml\n# only comment\n---\n# Source: c/templates/b.yaml\nx: 1\n',
    );
  });

  it('toYaml writes go-yaml v2 style: YAML 1.1 keys quoted, sequences not indented, ints from float64', () => {
    expect(toGoYaml({ n: 3, y: 'y', list: [1, 'x', null, true], big: 1000000, f: 1.5, e: {}, l: [] })).toBe(
      'big: 1000000\ne: {}\nf: 1.5\nl: []\nlist:\n- 1\n- x\n- null\n- true\n"n": 3\n"y": "y"\n',
    );
  });

  it('a value file key that YAML 1.1 reads as a boolean becomes the key "false", as in helm', () => {
    const out = render({ 'a.yaml': '{{ toYaml .Values }}' }, 'n: 3\ns: hello\n');
    expect(out).toBe('---\n# Source: c/templates/a.yaml\n"false": 3\ns: hello\n');
  });

  it('fail and required: helm-shaped execution errors with file:line:column', () => {
    let err: unknown;
    try {
      render({ 'b.yaml': 'a: 1\n# {{ fail "boom" }}\n' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(HelmError);
    expect({ ...(err as HelmError), message: (err as HelmError).message }).toEqual({
      kind: 'template-execute',
      message: 'execution error at (c/templates/b.yaml:2:5): boom',
      file: 'c/templates/b.yaml',
      line: 2,
      column: 5,
    });
    expect(() => render({ 'b.yaml': 'a: 1\n# {{ required "need x" .Values.x }}\n' })).toThrow(
      'execution error at (c/templates/b.yaml:2:5): need x',
    );
  });

  it('parse errors name the file and line', () => {
    expect(() => render({ 'b.yaml': 'a: 1\n# {{ nosuch 1 }}\n' })).toThrow(
      'parse error at (c/templates/b.yaml:2): function "nosuch" not defined',
    );
    expect(() => render({ 'b.yaml': 'a: 1\n# {{ if }}\n' })).toThrow(
      'parse error at (c/templates/b.yaml:2): missing value for if',
    );
  });

  it('Go type errors surface as helm reports them', () => {
    expect(() => render({ 'b.yaml': '# {{ eq .Values.big 1 }}\n' }, 'big: 1000000\n')).toThrow(
      'error calling eq: incompatible types for comparison: float64 and int',
    );
    expect(() => render({ 'b.yaml': '# {{ .Values.missing.b }}\n' })).toThrow('nil pointer evaluating interface {}.b');
    expect(() => render({ 'b.yaml': '# {{ upper .Values.missing }}\n' })).toThrow(
      'wrong type for value; expected string; got interface {}',
    );
  });

  it('null in a value file deletes a chart default; later files override earlier ones', () => {
    const out = render({ 'a.yaml': '{{ toYaml .Values }}' }, 'a: 1\nb: {c: 1, d: 2}\n', {
      valueFiles: ['a: null\nb: {c: 5}\n', 'b: {d: 9}\n'],
    });
    expect(out).toBe('---\n# Source: c/templates/a.yaml\nb:\n  c: 5\n  d: 9\n');
  });
});

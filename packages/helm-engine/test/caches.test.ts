// The engine's memo caches (parsed template texts, parsed YAML texts): a hit must give what a miss gives, and
// nothing a render does may leak into the next one through them.
import { describe, expect, it } from 'vitest';
import { HelmError, renderChart, TemplateParseError, TemplateSet } from '../src/index.js';
import type { FuncDef } from '../src/template/exec.js';

function chart(name: string, templates: Record<string, string>, values = ''): Map<string, string> {
  const files = new Map<string, string>([
    ['Chart.yaml', `apiVersion: v2\nname: ${name}\nversion: 0.1.0\n`],
    ['values.yaml', values],
  ]);
  for (const [k, v] of Object.entries(templates)) files.set(`templates/${k}`, v);
  return files;
}

function render(files: Map<string, string>, valueFiles: string[] = []): string {
  return renderChart(
    { files },
    {
      releaseName: 'r',
      namespace: 'default',
      valueFiles: valueFiles.map((text, i) => ({ name: `v${i}.yaml`, text })),
    },
  ).manifests;
}

function errorOf(f: () => unknown): HelmError {
  try {
    f();
  } catch (e) {
    if (e instanceof HelmError) return e;
    throw e;
  }
  throw new Error('no error');
}

const HELPERS = '{{- define "lib.name" -}}{{ .Chart.Name }}-{{ .Values.suffix }}{{- end -}}\n';
const BODY = 'name: {{ include "lib.name" . }}\ntemplate: {{ .Template.Name }}\n';

describe('parsed template cache', () => {
  it('the same texts under two charts render as each chart (a hit equals a miss)', () => {
    const a = chart('alpha', { '_helpers.tpl': HELPERS, 'cm.yaml': BODY }, 'suffix: one\n');
    const b = chart('beta', { '_helpers.tpl': HELPERS, 'cm.yaml': BODY }, 'suffix: two\n');
    const first = render(a);
    expect(first).toBe('---\n# Source: alpha/templates/cm.yaml\nname: alpha-one\ntemplate: alpha/templates/cm.yaml\n');
    expect(render(b)).toBe('---\n# Source: beta/templates/cm.yaml\nname: beta-two\ntemplate: beta/templates/cm.yaml\n');
    expect(render(a)).toBe(first);
  });

  it('errors name the file of the chart being rendered, not the one the text was first parsed for', () => {
    const failing = '{{- define "lib.boom" -}}{{ fail (printf "boom %s" .Chart.Name) }}{{- end -}}\n';
    const body = 'x: {{ template "lib.boom" . }}\n';
    const e1 = errorOf(() => render(chart('first', { '_lib.tpl': failing, 'a.yaml': body })));
    const e2 = errorOf(() => render(chart('second', { '_lib.tpl': failing, 'a.yaml': body })));
    expect(e1.message).toBe('execution error at (first/templates/_lib.tpl:1:28): boom first');
    expect(e2.message).toBe('execution error at (second/templates/_lib.tpl:1:28): boom second');
    const nil = 'x: {{ .Values.a.b.c }}\n';
    expect(errorOf(() => render(chart('one', { 'n.yaml': nil }))).message).toContain('one/templates/n.yaml:1:');
    expect(errorOf(() => render(chart('two', { 'n.yaml': nil }))).message).toContain('two/templates/n.yaml:1:');
  });

  it('a parse error is not cached: the same bad text fails again, under its own name', () => {
    const bad = 'x: {{ nosuchfunction 1 }}\n';
    expect(errorOf(() => render(chart('p1', { 'a.yaml': bad }))).message).toBe(
      'parse error at (p1/templates/a.yaml:1): function "nosuchfunction" not defined',
    );
    expect(errorOf(() => render(chart('p2', { 'a.yaml': bad }))).message).toBe(
      'parse error at (p2/templates/a.yaml:1): function "nosuchfunction" not defined',
    );
  });

  it('tpl texts are cached too and still see the current values', () => {
    const t = { 'a.yaml': 'x: {{ tpl "{{ .Values.v }}" . }}\n' };
    expect(render(chart('t', t, 'v: 1\n'))).toBe('---\n# Source: t/templates/a.yaml\nx: 1\n');
    expect(render(chart('t', t, 'v: 2\n'))).toBe('---\n# Source: t/templates/a.yaml\nx: 2\n');
  });
});

describe('parsed YAML cache', () => {
  it('values changed by a template (set, unset, merge) do not leak into the next render of the same texts', () => {
    const values = 'a:\n  b: 1\n  list: [1, 2]\nkeep: yes\n';
    const t = {
      'a.yaml':
        '{{- $_ := set .Values.a "b" 99 }}{{- $_ := unset .Values "keep" }}{{- $_ := merge .Values.a (dict "c" 3) }}' +
        'out: {{ toJson .Values }}\n',
    };
    const before = render(chart('m', { 'b.yaml': 'v: {{ toJson .Values }}\n' }, values), ['a:\n  d: 4\n']);
    const mutated = render(chart('m', t, values), ['a:\n  d: 4\n']);
    expect(mutated).toContain('out: {"a":{"b":99,"c":3,"d":4,"list":[1,2]}}');
    const after = render(chart('m', { 'b.yaml': 'v: {{ toJson .Values }}\n' }, values), ['a:\n  d: 4\n']);
    expect(after).toBe(before);
    expect(after).toContain('v: {"a":{"b":1,"d":4,"list":[1,2]},"keep":true}');
  });

  it('render A, then B, then A again: the same bytes', () => {
    const values = 'image:\n  tag: "1.0"\nports:\n- 80\n- 443\nextra: {}\n';
    const t = { 'd.yaml': 'image: {{ .Values.image.tag }}\nports: {{ toYaml .Values.ports | nindent 2 }}\n' };
    const a = chart('same', t, values);
    const b = chart('other', t, values);
    const first = render(a, ['image:\n  tag: "2.0"\n']);
    const other = render(b, ['ports: null\n']);
    expect(other).toBe('---\n# Source: other/templates/d.yaml\nimage: 1.0\nports: \n  null\n');
    expect(render(a, ['image:\n  tag: "2.0"\n'])).toBe(first);
    expect(first).toBe('---\n# Source: same/templates/d.yaml\nimage: 2.0\nports: \n  - 80\n  - 443\n');
  });
});

describe('parsed template cache and function maps', () => {
  it('a text parsed with one function map is parsed again for a map without a function it calls', () => {
    const fn = (v: string): FuncDef => ({ params: [], fn: () => v });
    const text = '{{ alpha }}-{{ beta }}';
    const a = new TemplateSet(
      new Map([
        ['alpha', fn('A')],
        ['beta', fn('B')],
      ]),
    );
    a.add('one.tpl', text);
    expect(a.execute('one.tpl', null)).toBe('A-B');
    // Same size, another name: the cached trees must not be used.
    const b = new TemplateSet(
      new Map([
        ['alpha', fn('A')],
        ['gamma', fn('C')],
      ]),
    );
    expect(() => b.add('two.tpl', text)).toThrow(TemplateParseError);
    expect(() => b.add('two.tpl', text)).toThrow('template: two.tpl:1: function "beta" not defined');
    // A bigger map that has both: the cached trees serve it.
    const c = new TemplateSet(
      new Map([
        ['alpha', fn('a')],
        ['beta', fn('b')],
        ['gamma', fn('c')],
      ]),
    );
    c.add('three.tpl', text);
    expect(c.execute('three.tpl', null)).toBe('a-b');
  });
});

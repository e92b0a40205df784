import { describe, expect, it } from 'vitest';
import { Parser } from 'yaml';
import { jsonDepthFinding, parseYaml, toJs, tooDeepOffset, YAML_LIMITS } from '../src/index.js';

// Nesting deeper than YAML_LIMITS.maxDepth is refused with the place it goes too deep and the limit, in any
// YAML shape and in JSON, before anything recursive runs; exactly at the limit it still reads.

const max = YAML_LIMITS.maxDepth;
const flowSeq = (n: number) => `${'['.repeat(n)}1${']'.repeat(n)}\n`;
const flowMap = (n: number) => `${'{a: '.repeat(n)}1${'}'.repeat(n)}\n`;
const blockMap = (n: number) => `${Array.from({ length: n }, (_, i) => `${' '.repeat(i)}k:`).join('\n')} 1\n`;
const blockSeqOfMaps = (n: number) =>
  `${Array.from({ length: n / 2 }, (_, i) => `${' '.repeat(2 * i)}- k:`).join('\n')} 1\n`;
const compactSeq = (n: number) => `${'- '.repeat(n)}1\n`;
const list = (n: number) => `apiVersion: v1\nkind: List\nitems: ${flowSeq(n - 1)}`;

const depthOf = (text: string) => {
  // the smallest limit the text passes
  const tokens = [...new Parser().parse(text)];
  let d = 0;
  while (tooDeepOffset(tokens, d) !== undefined) d++;
  return d;
};

describe('nesting depth', () => {
  it.each([
    ['flow sequences', flowSeq, 1, max + 1],
    ['flow mappings', flowMap, 1, 4 * max + 1],
    ['block mappings', blockMap, max + 1, max + 1],
    ['block sequences of mappings', blockSeqOfMaps, max / 2 + 1, max + 1],
    ['compact sequences', compactSeq, 1, 2 * max + 1],
    ['a List', list, 3, max + 7],
  ] as const)('%s: refused one level past the limit, at the place, with the limit', (_name, make, line, column) => {
    const ok = parseYaml(make(max), 'f.yaml');
    expect(ok.findings).toEqual([]);
    expect(toJs(ok)).toHaveLength(1);
    const deep = parseYaml(make(max + (make === blockSeqOfMaps ? 2 : 1)), 'f.yaml');
    expect(deep.documents).toEqual([]);
    expect(deep.findings).toEqual([
      {
        file: 'f.yaml',
        line,
        column,
        check: 'yaml-depth',
        severity: 'error',
        message: `nested more than ${max} levels deep here (collections inside collections; the limit is ${max}): the deepest real Kubernetes object known here has 26 levels: flatten the data, or split it into several values`,
      },
    ]);
  });

  it('counts the levels the reader sees', () => {
    expect(
      [flowSeq(5), flowMap(5), blockMap(5), blockSeqOfMaps(6), compactSeq(5), 'a: 1\n', '1\n'].map(depthOf),
    ).toEqual([5, 5, 5, 6, 5, 1, 0]);
  });

  it('a List nested 3,000 (and 100,000) deep is refused at once, in the document it is in', () => {
    for (const n of [3000, 100_000]) {
      const parsed = parseYaml(`a: 1\n---\n${list(n)}`, 'deep.yaml');
      expect(parsed.findings.map((f) => `${f.line}:${f.column} ${f.check}`)).toEqual([`5:${max + 7} yaml-depth`]);
    }
  });

  it('JSON: refused at the bracket one level past the limit; brackets in strings do not count', () => {
    expect(jsonDepthFinding(`${'['.repeat(max)}${']'.repeat(max)}`, 'f.json')).toBeUndefined();
    expect(jsonDepthFinding(`{"a": "${'['.repeat(3 * max)}"}`, 'f.json')).toBeUndefined();
    expect(jsonDepthFinding(`{"a\\"[": ${'['.repeat(max - 1)}]}`, 'f.json')).toBeUndefined();
    expect(jsonDepthFinding(`{\n  "a":\n  ${'['.repeat(3000)}${']'.repeat(3000)}}`, 'f.json')).toMatchObject({
      file: 'f.json',
      line: 3,
      column: max + 2,
      check: 'yaml-depth',
      message: expect.stringContaining(`the limit is ${max}`),
    });
  });
});

describe('alias expansion', () => {
  it('a billion laughs document is refused naming the limit; a few aliases are fine', () => {
    const bomb = parseYaml(
      'a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n',
      'f.yaml',
    );
    expect(bomb.findings).toEqual([
      expect.objectContaining({
        line: 2,
        column: 8,
        check: 'yaml-alias-bomb',
        message: `aliases expand too often (a "billion laughs" document: an anchor used N times whose value holds M aliases counts N × M, and the limit is ${YAML_LIMITS.maxAliasCount}): write the values out instead of nesting aliases`,
      }),
    ]);
    expect(parseYaml('a: &a {x: 1}\nb: *a\nc: *a\n', 'f.yaml').findings).toEqual([]);
  });
});

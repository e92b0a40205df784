import { describe, expect, it } from 'vitest';
import { parseYaml, locate, toJs } from '../src/index.js';

const cases: Array<{ name: string; text: string; check: string; line: number; column: number; message: RegExp }> = [
  {
    name: 'duplicate key',
    text: 'a: 1\nb: 2\na: 3\n',
    check: 'yaml-duplicate-key',
    line: 3,
    column: 1,
    message: /duplicate key "a"/,
  },
  {
    name: 'duplicate key after a key with an empty value',
    text: 'probe:\n  exec:\n    command:\n  exec:\n    command: [a]\n',
    check: 'yaml-duplicate-key',
    line: 4,
    column: 3,
    message: /duplicate key "exec"/,
  },
  {
    name: 'tab indentation',
    text: 'a:\n\tb: 1\n',
    check: 'yaml-tab-indent',
    line: 2,
    column: 1,
    message: /tab character/,
  },
  {
    name: 'unterminated string',
    text: 'a: "abc\nb: 1\n',
    check: 'yaml-syntax',
    line: 1,
    column: 4,
    message: /quote|Missing closing/i,
  },
  {
    name: 'bad indentation',
    text: 'a:\n  b: 1\n c: 2\n',
    check: 'yaml-syntax',
    line: 3,
    column: 2,
    message: /indent/i,
  },
  {
    name: 'alias bomb',
    text: 'a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n',
    check: 'yaml-alias-bomb',
    line: 2,
    column: 8,
    message: /billion laughs/,
  },
];

describe('parseYaml findings', () => {
  for (const c of cases) {
    it(c.name, () => {
      const parsed = parseYaml(c.text, 'f.yaml');
      const f = parsed.findings.find((x) => x.check === c.check);
      expect(f, JSON.stringify(parsed.findings)).toBeDefined();
      expect({ line: f!.line, column: f!.column }).toEqual({ line: c.line, column: c.column });
      expect(f!.message).toMatch(c.message);
      expect(f!.file).toBe('f.yaml');
    });
  }

  it('reads YAML 1.1 as go-yaml v2 (kubectl) does when asked: 0640 is octal, yes is true', () => {
    const text = 'mode: 0640\nflag: yes\n';
    expect(toJs(parseYaml(text, 'm.yaml'))[0]).toEqual({ mode: 640, flag: 'yes' });
    expect(toJs(parseYaml(text, 'm.yaml', { version: '1.1' }))[0]).toEqual({ mode: 0o640, flag: true });
  });

  it('clean multi-document file has no findings', () => {
    expect(parseYaml('a: 1\n---\nb: [1, 2]\n', 'x.yaml').findings).toEqual([]);
  });

  it('locates keys and sequence items', () => {
    const p = parseYaml('top:\n  list:\n    - a\n    - b: 1\n', 'x.yaml');
    expect(locate(p, 0, ['top', 'list', 1, 'b'])).toEqual({ file: 'x.yaml', line: 4, column: 7 });
    expect(locate(p, 0, ['top', 'missing'])).toEqual({ file: 'x.yaml', line: 1, column: 1 });
  });
});

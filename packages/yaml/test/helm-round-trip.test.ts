import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { runHelm } from '@cmsweb/toolchain';
import { editYamlScalars, needsQuotes, stringifyYaml } from '../src/index.js';

// Property test against the real reader: helm (sigs.k8s.io/yaml → go-yaml v2, YAML 1.1 booleans) reads
// a values file written by our writers and echoes .Values back as JSON. Every generated string must come
// back as that same string, as a value and as a key. Many strings go through one helm call.

const KNOWN = [
  'no',
  'No',
  'NO',
  'n',
  'N',
  'yes',
  'Yes',
  'y',
  'Y',
  'on',
  'On',
  'ON',
  'off',
  'Off',
  'true',
  'False',
  '~',
  'null',
  'Null',
  '',
  '1e3',
  '1E3',
  '1e+3',
  '0x1F',
  '0X1f',
  '0o17',
  '0O17',
  '017',
  '08',
  '0b101',
  '-0b101',
  '1.10',
  '1.',
  '.5',
  '.5e3',
  '.inf',
  '-.Inf',
  '.NaN',
  '1_000',
  '1_',
  '+_1',
  '0x_1F',
  '+1',
  '-1',
  '12:30',
  '1:20:30',
  '1.2.3',
  '2001-12-14',
  '2001-1-2',
  '2001-12-14T21:59:43.10Z',
  '2001-12-14 21:59:43.10',
  '<<',
  '=',
  'v1.2.3',
  'HG2208d-stable',
  '--appendonly',
  'a: b',
  '- x',
  '#x',
  'x #y',
  '@x',
  '`x',
  '%x',
  '!x',
  '&x',
  '*x',
  '|',
  '>',
  '"',
  "'",
  '9223372036854775808',
  '18446744073709551616',
  '0xFFFFFFFFFFFFFFFFFF',
  '1e400',
  '00',
  '-0',
  '+0.5',
  '0.',
  'inf',
  'nan',
  'Infinity',
  'TRUE',
  'oN',
];

const PIECES = [
  '0',
  '1',
  '7',
  '8',
  '9',
  '2001',
  '-',
  '+',
  '_',
  '.',
  ':',
  'e',
  'E',
  'x',
  'X',
  'o',
  'O',
  'b',
  'B',
  'a',
  'f',
  'F',
  'y',
  'n',
  'Y',
  'N',
  'on',
  'off',
  'yes',
  'no',
  'true',
  'null',
  '~',
  'inf',
  'Inf',
  'nan',
  'T',
  'Z',
  ' ',
  '<<',
  '=',
  'v',
  '12',
  '-12-',
  '14',
  '#',
  ',',
  '[',
  '{',
  '"',
  "'",
];

/** Deterministic strings (mulberry32 with a fixed seed): 1 to 5 pieces each. */
function generated(count: number, seed: number): string[] {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = new Set<string>();
  while (out.size < count) {
    const n = 1 + Math.floor(next() * 5);
    let s = '';
    for (let i = 0; i < n; i++) s += PIECES[Math.floor(next() * PIECES.length)]!;
    out.add(s);
  }
  return [...out];
}

let chart: string;
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'yaml-helm-'));
  chart = join(dir, 'echo');
  mkdirSync(join(chart, 'templates'), { recursive: true });
  writeFileSync(join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: echo\nversion: 0.1.0\n');
  writeFileSync(
    join(chart, 'templates', 'echo.yaml'),
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: echo\ndata:\n  values: {{ toJson .Values | quote }}\n',
  );
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What helm reads from a values file, as JSON. */
async function helmReads(valuesText: string): Promise<Record<string, unknown>> {
  const file = join(dir, `values-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, valuesText);
  const r = await runHelm(['template', 'echo', chart, '-f', file]);
  if (r.code !== 0) throw new Error(`helm failed: ${r.stderr}`);
  const cm = parse(r.stdout.slice(r.stdout.indexOf('apiVersion'))) as { data: { values: string } };
  return JSON.parse(cm.data.values) as Record<string, unknown>;
}

/** The strings helm did not read back as themselves, with what it read. */
function mismatches(strings: string[], read: Record<string, unknown>): string[] {
  const out: string[] = [];
  const list = read.list as unknown[];
  const keys = read.keys as Record<string, unknown>;
  strings.forEach((s, i) => {
    if (list[i] !== s) out.push(`value ${JSON.stringify(s)} read as ${JSON.stringify(list[i])}`);
    if (s !== '' && keys[s] !== i)
      out.push(
        `key ${JSON.stringify(s)} not read back (keys ${JSON.stringify(Object.keys(keys).filter((k) => keys[k] === i))})`,
      );
  });
  return out;
}

const STRINGS = [...new Set([...KNOWN, ...generated(2500, 20261130)])];

describe('every string written by stringifyYaml reads back as itself in helm', () => {
  it(`${STRINGS.length} strings as values and as keys`, async () => {
    const text = stringifyYaml({
      list: STRINGS,
      keys: Object.fromEntries(STRINGS.filter((s) => s !== '').map((s) => [s, STRINGS.indexOf(s)])),
    });
    expect(mismatches(STRINGS, await helmReads(text))).toEqual([]);
  }, 60_000);

  it('the oracle tells: a YAML 1.2 writer without these rules loses no, on, y and 1_000 in helm', async () => {
    const strings = ['no', 'on', 'y', '0o17', '1_000', '2001-12-14'];
    const plain = stringify({ list: strings, keys: Object.fromEntries(strings.map((s, i) => [s, i])) });
    const wrong = mismatches(strings, await helmReads(plain));
    expect(wrong).toEqual(
      expect.arrayContaining([
        'value "no" read as false',
        'value "on" read as true',
        'value "y" read as true',
        'value "1_000" read as 1000',
      ]),
    );
  }, 60_000);

  it('quotes only what needs it: ordinary strings stay plain', () => {
    expect(stringifyYaml({ a: ['no', 'v1.2.3', 'HG2208d-stable', '1.10', 'on-call', 'yes-man', '--appendonly'] })).toBe(
      'a:\n  - "no"\n  - v1.2.3\n  - HG2208d-stable\n  - "1.10"\n  - on-call\n  - yes-man\n  - --appendonly\n',
    );
  });
});

describe('the byte-minimal editor writes what helm reads back', () => {
  // The editor re-reads the document after every edit (compare-and-swap, read-back): a smaller batch.
  const strings = [...KNOWN, ...generated(300, 7)].filter((s) => s !== '' && !/[\n\r]/.test(s));
  const keys = strings.map((_, i) => `k${i}`);

  /** Runs one edit per string on its own small document (the editor re-reads after each edit), returns the lines. */
  function edited(before: string, path: (key: string) => string[], expectOld: string | null): string {
    return (
      strings
        .map((s, i) => {
          const r = editYamlScalars(before.replace('KEY', keys[i]!), 'v.yaml', [
            { path: path(keys[i]!), expect: expectOld, value: s },
          ]);
          if (!r.ok) throw new Error(`${JSON.stringify(s)}: ${r.findings.map((f) => f.message).join('; ')}`);
          return r.text
            .split('\n')
            .filter((l) => l.startsWith(`${keys[i]}:`) || l.startsWith(`  ${keys[i]}:`))
            .join('\n');
        })
        .join('\n') + '\n'
    );
  }

  it(`replaces ${strings.length} plain values (gitops-sync bump --tag on)`, async () => {
    const read = await helmReads(edited('KEY: old   # comment\n', (k) => [k], 'old'));
    expect(
      strings
        .filter((s, i) => read[keys[i]!] !== s)
        .map((s, i) => `${JSON.stringify(s)} read as ${JSON.stringify(read[keys[i]!])}`),
    ).toEqual([]);
  }, 60_000);

  it(`adds ${strings.length} missing keys with their values`, async () => {
    const read = await helmReads(edited('image:\n  tag: v1\n', (k) => [k], null));
    expect(strings.filter((s, i) => read[keys[i]!] !== s)).toEqual([]);
  }, 60_000);

  it('bump --tag on: the plain tag becomes "on", the rest of the line stays', () => {
    const r = editYamlScalars('image:\n  tag: v1   # release\n', 'v.yaml', [
      { path: ['image', 'tag'], expect: 'v1', value: 'on' },
    ]);
    expect(r).toEqual({ ok: true, changed: true, text: 'image:\n  tag: "on"   # release\n' });
    expect(needsQuotes('on')).toBe(true);
  });
});

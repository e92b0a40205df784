import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { locate, parseYaml } from '@cmsweb/yaml';
import { describe, expect, it } from 'vitest';
import { generateDocs } from '../bench/generate-docs.js';
import { fastLoad } from '../src/manifests/fast-parse.js';
import { splitDocuments } from '../src/manifests/split-documents.js';
import { textLocator } from '../src/manifests/text-locate.js';
import { CORPUS, REPO_ROOT } from './helpers.js';

// The text locator (src/manifests/text-locate.ts) stands in for parseYaml + locate on the documents the
// fast path accepts: wherever it answers, it must answer what locate() says, on every path of a document
// (and on paths that go past a leaf or name a missing key).

type Path = Array<string | number>;

function pathsOf(v: unknown, prefix: Path = [], out: Path[] = []): Path[] {
  out.push(prefix, [...prefix, 'zz-missing'], [...prefix, 7]);
  if (Array.isArray(v)) v.forEach((x, i) => pathsOf(x, [...prefix, i], out));
  else if (v !== null && typeof v === 'object')
    for (const [k, x] of Object.entries(v)) pathsOf(x, [...prefix, /^(0|[1-9][0-9]*)$/.test(k) ? Number(k) : k], out);
  return out;
}

/** Disagreements of the two locators on one chunk, and how many paths the text locator answered. */
function compare(text: string): { wrong: string[]; answered: number; asked: number } {
  const fast = fastLoad(text);
  if (!fast || fast.value === null) return { wrong: [], answered: 0, asked: 0 };
  const parsed = parseYaml(text, 'chunk.yaml');
  const mine = textLocator(text);
  const wrong: string[] = [];
  let answered = 0;
  const paths = pathsOf(fast.value);
  for (const path of paths) {
    const got = mine(path);
    if (!got) continue;
    answered++;
    const want = locate(parsed, 0, path);
    if (got.line !== want.line || got.column !== want.column)
      wrong.push(
        `${JSON.stringify(path)}: ${got.line}:${got.column}, locate() ${want.line}:${want.column} in ${JSON.stringify(text.slice(0, 300))}`,
      );
  }
  return { wrong, answered, asked: paths.length };
}

function yamlFiles(dir: string, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const e of readdirSync(dir).sort()) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) yamlFiles(p, out);
    else if (/\.ya?ml$/.test(e)) out.push(p);
  }
  return out;
}

function check(texts: string[]): { wrong: string[]; answered: number; asked: number } {
  const all = { wrong: [] as string[], answered: 0, asked: 0 };
  for (const t of texts)
    for (const c of splitDocuments(t)) {
      const r = compare(c.text);
      all.wrong.push(...r.wrong);
      all.answered += r.answered;
      all.asked += r.asked;
    }
  return all;
}

describe('text locator', () => {
  it('answers as locate() does on hand-written cases, and declines what it cannot read', () => {
    const cases = [
      'a: 1\nb:\n  c: [x, {d: 2, "e": [3, 4]}]\n  f:\n  - g: 1\n    h: 2\n  - i\n',
      '---\n# c\napiVersion: v1\nkind: List\nitems:\n  - kind: A\n    metadata: {name: a}\n  -   kind: B\n',
      "a:\n  'q''k': 1\n  \"dq\": {x: y}\n  url: http://x:80/y\n  text: |\n    b: not a key\n    - not an item\n  next: 1\n",
      'a:\n  # comment\n\n  b: 1 # c: d\n  c: [ 1 , 2 ]\n  d: {}\n  e: []\n  f:\n  g: "x: y"\n',
      'list:\n- a\n- b: 1\n  c: 2\nafter: 1\n',
      '80: x\nk: {1: a}\n',
      'a: "x\\"y"\nb: {"c\\d": 1}\n',
    ];
    const r = check(cases);
    expect(r.wrong).toEqual([]);
    expect(r.answered).toBeGreaterThan(100);
    const declined = textLocator('80: x\n')([80]);
    expect(declined).toBeUndefined();
  });

  it('generated bench documents: every path as locate() gives it', () => {
    const r = check([generateDocs(400)]);
    expect(r.wrong).toEqual([]);
    expect(r.answered).toBe(r.asked);
  });

  it("this repository's YAML (catalog, charts' values, environments): every path it answers as locate() does", () => {
    const files = ['catalog', 'charts', 'environments'].flatMap((d) => yamlFiles(join(REPO_ROOT, d)));
    expect(files.length).toBeGreaterThan(100);
    const r = check(files.map((f) => readFileSync(f, 'utf8')));
    expect(r.wrong).toEqual([]);
    expect(r.answered).toBeGreaterThan(r.asked * 0.9);
  });

  const corpusIt = existsSync(CORPUS) ? it : it.skip;
  if (!existsSync(CORPUS)) console.log(`text locator corpus test skipped: ${CORPUS} is absent`);
  corpusIt('the CMSWEB corpus (manifests and chart values): every path it answers as locate() does', () => {
    const files = yamlFiles(join(CORPUS, 'cmskubernetes')).filter((f) => !f.includes('/templates/'));
    const r = check(files.map((f) => readFileSync(f, 'utf8')));
    expect(r.wrong).toEqual([]);
    expect(r.answered).toBeGreaterThan(r.asked * 0.9);
  });

  it('mutated documents (seeded): every path it answers as locate() does', () => {
    const base = splitDocuments(generateDocs(40)).map((c) => c.text);
    base.push('a:\n  b: [x, {c: 1}]\n  d:\n  - e: 1\n    f: "g"\n  - h\ni: |\n  j: k\n');
    const inserts = [' ', ':', ': ', '- ', '#', ' #', "'", '"', '[', ']', '{', '}', ',', '|', '\n', '0', '~', '  '];
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    const texts: string[] = [];
    for (let i = 0; i < 3000; i++) {
      let t = base[Math.floor(rnd() * base.length)]!;
      for (let k = 0; k < 1 + Math.floor(rnd() * 3); k++) {
        const pos = Math.floor(rnd() * (t.length + 1));
        t =
          rnd() < 0.3
            ? t.slice(0, pos) + t.slice(pos + 1)
            : t.slice(0, pos) + inserts[Math.floor(rnd() * inserts.length)]! + t.slice(pos);
      }
      texts.push(t);
    }
    const r = check(texts);
    expect(r.wrong).toEqual([]);
    expect(r.answered).toBeGreaterThan(10_000);
  });
});

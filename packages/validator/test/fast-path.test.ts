import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { YAML_PIECES } from '@cmsweb/helm-engine/conformance';
import { parseYaml } from '@cmsweb/yaml';
import { describe, expect, it } from 'vitest';
import { generateDocs } from '../bench/generate-docs.js';
import { EMPTY_CONTEXT } from '../src/checks/check.js';
import { DEFAULT_CONFIG } from '../src/config/validator-config.js';
import {
  closedBeforeColon,
  DEEP_INDENT,
  fastLoad,
  LINE_START,
  lineScreen,
  LONG_LINE_KEY,
  NULL_KEY,
  nullKey,
} from '../src/manifests/fast-parse.js';
import { quickLoad } from '../src/manifests/quick-yaml.js';
import { inputChunks } from '../src/manifests/input-chunks.js';
import { readInputs, type ManifestInput } from '../src/manifests/read-inputs.js';
import { runChunkBatches } from '../src/manifests/run-batches.js';
import { splitDocuments } from '../src/manifests/split-documents.js';
import { validateManifestInputs } from '../src/manifests/validate-manifests.js';
import { sortFindings } from '../src/findings.js';
import { CORPUS } from './helpers.js';

// The fast path of manifests mode (src/manifests/fast-parse.ts) must never change a result: a chunk it
// accepts is one the slow path (parseYaml) reads with no finding and the same value, and a whole run
// gives the same findings and resource count with and without it.

const CMSWEB = join(CORPUS, 'cmskubernetes', 'kubernetes', 'cmsweb');
const corpusPresent = existsSync(CMSWEB);
if (!corpusPresent)
  console.log(
    `fast-path corpus tests skipped: ${CMSWEB} is absent (they read the real CMSWEB manifests from ../shared/corpus)`,
  );
const corpusIt = corpusPresent ? it : it.skip;

const OPTS = { kubernetesVersion: '1.33', config: DEFAULT_CONFIG, context: EMPTY_CONTEXT };

/** Deep equality that also tells 0 from -0, NaN from everything else, and key order. */
function sameValue(a: unknown, b: unknown): boolean {
  if (typeof a !== typeof b) return false;
  if (typeof a === 'number') return Object.is(a, b);
  if (a === null || b === null || typeof a !== 'object') return a === b;
  if (Array.isArray(a) !== Array.isArray(b) || Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (Array.isArray(a))
    return a.length === (b as unknown[]).length && a.every((x, i) => sameValue(x, (b as unknown[])[i]));
  const ka = Object.keys(a);
  const kb = Object.keys(b as object);
  return (
    ka.length === kb.length &&
    ka.every((k, i) => k === kb[i] && sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
  );
}

/**
 * The premise of the fast path for one chunk: when it accepts the chunk, parseYaml reports nothing and
 * reads one document with the same value. Returns what is wrong, or undefined (also when not accepted).
 */
function premiseBroken(text: string, load = fastLoad): string | undefined {
  const fast = load(text);
  if (!fast) return undefined;
  const slow = parseYaml(text, 'chunk.yaml');
  if (slow.findings.length)
    return `accepted, but parseYaml reports ${slow.findings.map((f) => `${f.check} (${f.message})`).join(', ')}`;
  if (slow.documents.length > 1) return `accepted, but parseYaml reads ${slow.documents.length} documents`;
  const value = slow.documents[0]?.toJS({ maxAliasCount: 100 }) ?? null;
  if (!sameValue(fast.value, value))
    return `accepted, but the values differ: fast ${JSON.stringify(fast.value)}, slow ${JSON.stringify(value)}`;
  return undefined;
}

const chunksOf = (text: string) => splitDocuments(text).map((c) => c.text);

/** Bench documents with defects and unusual constructs mixed in, each kind of them several times. */
function defectiveDocs(n: number): string {
  const docs = generateDocs(n).split('---\n');
  const meta = (i: number) =>
    `metadata:\n  name: odd-${i}\n  namespace: ns-${i % 7}\n  labels: {app.kubernetes.io/name: odd, app.kubernetes.io/instance: odd-${i}, app.kubernetes.io/managed-by: test}\n`;
  // a Deployment (with its Service selecting it, as in the bench) under a name of its own
  const deploy = (i: number) => docs[i - (i % 4)]!.replace(/^  name: app-\d+$/m, `  name: odd-${i}`);
  const cm = (i: number, data: string) => `apiVersion: v1\nkind: ConfigMap\n${meta(i)}data:\n${data}`;
  const variants: Array<(i: number) => string> = [
    (i) => deploy(i).replace('  replicas: 2\n', '  replicas: 2\n  replicas: 3\n'), // duplicate key
    (i) => cm(i, `  a: &v value\n  b: *v\n`), // anchor and alias
    (i) => cm(i, `  <<: {x: "1"}\n  key: v\n`), // merge key: a plain key "<<" in YAML 1.2
    (i) => cm(i, `  key: v\n\tother: w\n`), // tab indentation
    (i) => cm(i, `  when: 2001-12-14t21:59:43.10-05:00\n  day: 2002-12-14\n`), // timestamps stay strings
    (i) => deploy(i).replace('          ports:', '          imagePullPolicyy: Always\n          ports:'), // unknown field
    (i) => cm(i, `  yes: yes\n  no: no\n  on: on\n  off: "off"\n`), // YAML 1.1 booleans are strings
    (i) => cm(i, `  mode: 0755\n  octal: 0o755\n  hex: 0x1F\n`), // numbers where strings belong
    (i) => deploy(i).replace('  replicas: 2\n', '  replicas: 123456789012345678901234567890\n'), // big int
    (i) => deploy(i).replace('  replicas: 2\n', '  replicas: 0o17\n'), // octal int
    (i) => deploy(i).replace('  replicas: 2\n', '  replicas: 2.50\n'), // float
    (i) => cm(i, `  ~: null key\n`), // null key
    (i) => cm(i, `  key: v\n`).replaceAll('\n', '\r\n'), // CRLF
    (i) =>
      `apiVersion: v1\nkind: List\nitems:\n  - ${cm(i, '    k: v\n').replaceAll('\n', '\n    ').trimEnd()}\n  - apiVersion: v1\n    kind: Secret\n    metadata: {name: s-${i}}\n    data: {k: not-base64!}\n`,
    () => `just a scalar\n`, // manifest-shape
    () => `# only a comment\n`,
    (i) => deploy(i).replace(/  name: app-\d+\n/, ''), // no metadata.name
    (i) => deploy(i).replace(/image: \S+/, 'image: registry.example.org/app:latest'), // policy finding
    (i) => deploy(i).replace('  selector:\n', '  selector: !!map\n'), // tag
    (i) => cm(i, `  key: "value"# comment\n`), // syntax error js-yaml accepts
    (i) => cm(i, `  ? complex\n  : key\n`),
    (i) =>
      docs[i - (i % 4) + 1]!.replace(/^  name: app-\d+$/m, `  name: odd-${i}`).replace(
        'targetPort: http',
        'targetPort: web',
      ), // cross-object finding
    (i) => cm(i, `  key: [a,\n  b]\n`), // flow end not indented more than its parent
    (i) => cm(i, `  script: |\n    \n   \n    echo hi\n`), // block scalar with more-indented leading empty lines
    (i) => cm(i, `  long: ${'x'.repeat(1200)}\n  ${'k'.repeat(1100)}: v\n`),
    (i) => `%YAML 1.2\n---\n${cm(i, '  k: v\n')}`,
    (i) => `${cm(i, '  k: v\n')}...\n`,
    (i) => `\uFEFF${cm(i, '  k: v\n')}`,
  ];
  return docs.map((d, i) => (i % 3 === 2 ? variants[Math.floor(i / 3) % variants.length]!(i) : d)).join('---\n');
}

async function bothPaths(inputs: ManifestInput[]) {
  const slow = await validateManifestInputs(inputs, { ...OPTS, parallel: 1, fastPath: false });
  const fast = await validateManifestInputs(inputs, { ...OPTS, parallel: 1 });
  return { slow, fast };
}

describe('manifests fast path', () => {
  it('reads scalars as the YAML 1.2 core schema of `yaml` does', () => {
    const value = fastLoad(
      'a: yes\nb: no\nc: on\nd: off\ne: y\nf: 0755\ng: 0o755\nh: 0x1F\ni: 0b101\nj: 1_000\nk: 2001-12-14t21:59:43.10-05:00\nl: 2002-12-14\n' +
        'm: 12:30:00\nn: .inf\no: -.Inf\np: .NaN\nq: 1e3\nr: 1.50\ns: -0\nt: 123456789012345678901234567890\nu: ~\nv: Null\nw: nULL\nx: TRUE\ny: tRUE\nz: +12\n' +
        'aa: .5\nab: 1.\nac: "0755"\nad: 0x\nae: -0x1F\naf: +0o7\nag: =\nah:\n',
    )?.value as Record<string, unknown>;
    expect(value).toEqual({
      a: 'yes',
      b: 'no',
      c: 'on',
      d: 'off',
      e: 'y',
      f: 755,
      g: 493,
      h: 31,
      i: '0b101',
      j: '1_000',
      k: '2001-12-14t21:59:43.10-05:00',
      l: '2002-12-14',
      m: '12:30:00',
      n: Infinity,
      o: -Infinity,
      p: NaN,
      q: 1000,
      r: 1.5,
      s: -0,
      t: 123456789012345678901234567890,
      u: null,
      v: null,
      w: 'nULL',
      x: true,
      y: 'tRUE',
      z: 12,
      aa: 0.5,
      ab: 1,
      ac: '0755',
      ad: '0x',
      ae: '-0x1F',
      af: '+0o7',
      ag: '=',
      ah: null,
    });
    expect(Object.is(value.s, -0)).toBe(true);
  });

  it('leaves to the slow path what it cannot vouch for', () => {
    const slow = [
      'a: 1\na: 2\n',
      'a: &x 1\nb: *x\n',
      'a: &x 1\n',
      '<<: {a: 1}\n',
      'a:\n\tb: 1\n',
      'a: b\r\n',
      '\uFEFFa: 1\n',
      'a: !!str 1\n',
      '? a\n: b\n',
      '[a]: b\n',
      '{a: 1}: b\n',
      '~: a\n',
      ': a\n',
      'null: a\n',
      'a: [1,\n]\n',
      '%YAML 1.2\n---\na: 1\n',
      'a: 1\n...\n',
      'a: 1\n---\nb: 2\n',
      '--- |\n  text\n',
      'a: "b"#c\n',
      'a: |\n   \n  b\n',
      `${'k'.repeat(1100)}: v\n`,
      'a: "unterminated\n',
      'a: b: c\n',
      '- a\nb: c\n',
      '__proto__: {a: 1}\n',
      '---#x\na: 1\n',
      '...\na: 1\n',
      `a: [${'k'.repeat(1100)}: v]\n`,
      'a: "\\U00110000"\n',
      'a: [w: x\n# c\n, y]\n',
      '- - a\n',
      '-  -\n-  -\n',
      'a:\n  -\n  - b\n',
      'a: |+\n  x\n  ',
      'a: >2\n   x\n  y\n   ',
      'a: "b\n  c"\n',
      'a: b ] [c,\n  d]\n',
    ];
    for (const text of slow) expect(fastLoad(text), JSON.stringify(text)).toBeUndefined();
    const fast = [
      'a: 1\n',
      '---\na: 1\n',
      '--- # first\na: 1\n',
      '# only a comment\n',
      '',
      'a: "x # y"\n',
      `a: ${'x'.repeat(1100)}\n`,
      'a: |\n  b\n\n  c\n',
      'a: [b, c]\nd: {e: f}\n',
      'a: "\u2028"\n',
    ];
    for (const text of fast) {
      expect(fastLoad(text), JSON.stringify(text)).toBeDefined();
      expect(premiseBroken(text)).toBeUndefined();
    }
  });

  it('its first reader (quick-yaml.ts) takes the block subset of rendered manifests and gives up on the rest', () => {
    const quick = [
      'a: 1\n',
      '---\na: 1\n',
      "---  \n# c\na:\n  b: c # d\n  e: \"f # g\"\n  h: 'i''j'\n",
      'a:\n- b\n- c: d\n  e:\n  - f\ng: []\nh: {}\ni: [ ]\n',
      'a:\n  - name: x\n    args: ["-c", \'/etc/f.yml\', -e, 1, .5, +3, true, null, 0x1F, {x: [y, {z: 1}]}]\n    b: :8080\n',
      'a: |\n  b\n\n  c\n    d\n\nk: |-\n    x\n    # not a comment\n- \n'.replace('- \n', 'l: m\n'),
      'a:\n  - |\n    x\n  - y\n',
      'a: x:y\nb: http://h:1/p?q=1&r=[2]\nc: a#b\nd: -1\ne: -x\nf: 1e3\ng: 0o17\nh: .inf\ni: TRUE\nj: 12:30\n',
      'constructor: 1\ntoString: 2\n',
      `a: ${'x'.repeat(1100)}\n`,
    ];
    for (const text of quick) {
      expect(quickLoad(text), JSON.stringify(text)).toBeDefined();
      expect(premiseBroken(text, quickLoad), JSON.stringify(text)).toBeUndefined();
    }
    const givesUp = [
      '',
      '# only a comment\n',
      'a: 1',
      '--- # c\na: 1\n',
      'a: "b\\"c"\n',
      'a: [b, c,]\n',
      'a: [b: c]\n',
      'a: {b: c,}\n',
      'a: {b:c}\n',
      'a: {b: c d}\n',
      'a: {b: 1, b: 2}\n',
      'a: [b, c\n  , d]\n',
      'a: >\n  b\n',
      'a: |2\n  b\n',
      'a: |\n  b\n c\nd: 1\n',
      'a: b\n  c\n',
      'a:\n  b\n',
      'a: [b] c\n',
      '- a\n',
      'a: -\n',
      'a: - b\n',
      'a: ?b\n',
      'a: "b" c\n',
      'a: "b": c\n',
      "a: 'b'#c\n",
      'True: a\n',
      'b: 1\nb: 2\n',
      'é: a\n',
      '1: a\n',
      'a :b\n',
      'a: b\t\n',
      'a: \u{1F600}\n',
      'a:\n  -\n  - b\n',
      'a:\n  - - b\n',
      'a:\n    b: 1\n  c: 2\n',
    ];
    for (const text of givesUp) expect(quickLoad(text), JSON.stringify(text)).toBeUndefined();
  });

  it('generated documents with defects: the same result with and without it, in worker threads too', {
    timeout: 120_000,
  }, async () => {
    // 270 documents: each of the 28 kinds of defect three or four times.
    const text = defectiveDocs(270);
    const chunks = chunksOf(text);
    expect(chunks.map((c) => premiseBroken(c) ?? premiseBroken(c, quickLoad)).filter(Boolean)).toEqual([]);
    const accepted = chunks.filter((c) => fastLoad(c) !== undefined).length;
    expect(accepted).toBeGreaterThan(chunks.length / 2);
    expect(accepted).toBeLessThan(chunks.length);

    const inputs = [
      { path: 'a.yaml', text },
      { path: 'b.yaml', text: generateDocs(40) },
    ];
    const { slow, fast } = await bothPaths(inputs);
    expect(fast).toEqual(slow);
    const workers = await validateManifestInputs(inputs, {
      ...OPTS,
      parallel: 2,
      workerThreshold: 10,
      waitForWorkers: true,
    });
    expect(workers).toEqual(slow);
    const checks = new Set(slow.findings.map((f) => f.check));
    for (const c of [
      'yaml-duplicate-key',
      'yaml-tab-indent',
      'yaml-syntax',
      'manifest-shape',
      'schema-unknown-field',
      'schema-type',
      'schema-format',
      'image-tag',
      'service-target-port',
    ]) {
      expect(checks, c).toContain(c);
    }
    expect(slow.summary.resources).toBeGreaterThan(250);
  });

  it('documents with findings everywhere (the fast path steps aside), then clean ones: the same result', {
    timeout: 120_000,
  }, async () => {
    // 1,200 documents (batched from 1,000): 32 batches of 25 with findings, the fast path skipped after the
    // first ones, then clean batches from the 33rd on, where its probe (every 8th batch) brings it back.
    const warned = generateDocs(1200).replaceAll(', app.kubernetes.io/managed-by: bench', '').split('---\n');
    const text = [...warned.slice(0, 800), ...generateDocs(1200).split('---\n').slice(800)].join('---\n');
    const { slow, fast } = await bothPaths([{ path: 'a.yaml', text }]);
    expect(fast).toEqual(slow);
    expect(slow.findings.filter((f) => f.check === 'standard-labels')).toHaveLength(800);
  });

  it('batches go to the main thread and the workers as each is free; results come back in order', {
    timeout: 60_000,
  }, async () => {
    const chunks = inputChunks(chunksOf(defectiveDocs(400)).map((text) => ({ path: 'a.yaml', text })));
    const inline = await runChunkBatches(chunks, OPTS, { parallel: 1 });
    const shared = await runChunkBatches(chunks, OPTS, { parallel: 2, threshold: 10, waitForWorkers: true });
    expect(inline.workerBatches).toBe(0);
    expect(shared.workerBatches).toBeGreaterThan(0);
    expect(shared.resources).toEqual(inline.resources);
    expect(sortFindings(shared.findings)).toEqual(sortFindings(inline.findings));
  });

  corpusIt(
    'the CMSWEB manifests: the same result with and without it; each accepted document reads the same',
    { timeout: 120_000 },
    async () => {
      const inputs = await readInputs([CMSWEB]);
      const all = inputChunks(inputs);
      const chunks = all.texts(all.refs).map((c) => c.text);
      expect(chunks.map((c) => premiseBroken(c) ?? premiseBroken(c, quickLoad)).filter(Boolean)).toEqual([]);
      expect(chunks.filter((c) => fastLoad(c) !== undefined).length).toBeGreaterThan(100);
      const { slow, fast } = await bothPaths(inputs);
      expect(slow.findings.length).toBeGreaterThan(100);
      expect(fast).toEqual(slow);
    },
  );

  it('mutated documents (seeded): each accepted document reads the same', { timeout: 120_000 }, () => {
    const base = chunksOf(defectiveDocs(120));
    if (corpusPresent) base.push(...chunksOf(readFileSync(join(CMSWEB, 'services', 'dbs2go.yaml'), 'utf8')));
    const inserts = [...YAML_PIECES];
    const scalars = [
      '0o17',
      '0x1F',
      '1e3',
      '.inf',
      '.NaN',
      '1_000',
      '0b101',
      '+12',
      '-0',
      '0755',
      '1.',
      'Yes',
      'on',
      '~',
      'NULL',
      'True',
      '2002-12-14',
      '12:30:00',
      '"x"',
      "'y'",
      '[a, b]',
      '{a: b}',
      '|\n  text',
      '"multi\n  line"',
      'a #b',
      'a#b',
      '@x',
      '- a',
      'x:y',
    ];
    let seed = 42;
    const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    const pick = <T>(a: T[]): T => a[Math.floor(rnd() * a.length)]!;
    const broken: string[] = [];
    let accepted = 0;
    let quick = 0;
    for (let i = 0; i < 3000; i++) {
      let t = pick(base);
      for (let k = 0; k < 1 + Math.floor(rnd() * 3); k++) {
        const pos = Math.floor(rnd() * (t.length + 1));
        const lines = t.split('\n');
        const li = Math.floor(rnd() * lines.length);
        const m = /^(\s*(?:- )?[^:#\s]+:)\s+\S.*$/.exec(lines[li]!);
        switch (Math.floor(rnd() * 5)) {
          case 0:
            t = t.slice(0, pos) + t.slice(pos + 1);
            break;
          case 1:
            t = t.slice(0, pos) + pick(inserts) + t.slice(pos);
            break;
          case 2:
            lines.splice(li, 0, lines[li]!);
            t = lines.join('\n');
            break;
          case 3:
            lines[li] = rnd() < 0.5 ? ` ${lines[li]}` : lines[li]!.replace(/^ {1,2}/, '');
            t = lines.join('\n');
            break;
          default:
            if (m) {
              lines[li] = `${m[1]} ${pick(scalars)}`;
              t = lines.join('\n');
            }
        }
      }
      for (const c of chunksOf(t)) {
        if (fastLoad(c)) accepted++;
        if (quickLoad(c)) quick++;
        const p = premiseBroken(c) ?? premiseBroken(c, quickLoad);
        if (p) broken.push(`${JSON.stringify(c)}: ${p}`);
      }
    }
    expect(broken).toEqual([]);
    expect(accepted).toBeGreaterThan(500);
    expect(quick, 'the quick reader takes many of them').toBeGreaterThan(300);
  });
});

describe('the quick reader on generated texts of its subset', () => {
  it('each text it takes reads as `yaml` reads it (seeded: nesting, entries with keys, edge scalars)', () => {
    let seed = 1;
    const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    const pick = <T>(a: T[]): T => a[Math.floor(rnd() * a.length)]!;
    const words = [
      'a',
      'name',
      'app.kubernetes.io/name',
      'x_y',
      'k-1',
      'True',
      'null',
      'e1',
      'constructor',
      '_',
      'a/b-c',
    ];
    const scalars = [
      ...['v', '1', '-1', '+1', '0x1F', '0o17', '0b1', '1e3', '1.', '.5', '-.inf', '.NaN', '~', 'null', 'nULL'],
      ...['true', 'tRUE', 'yes', '12:30', 'a:b', 'http://x:1/y', 'a #c', 'a#b', ':8080', '-x', '-', '"q"', "'s'"],
      ...["'it''s'", '"a\'b"', '""', "''", '[]', '{}', '[a, "b", \'c\', 1, -x, {k: v}]', '{a: 1, b: [x, y]}'],
      ...['[a,b]', '{a: b, a: c}', '[ ]', '[a, ]', '"x" #c', '0755', '1_000', '=', 'a b  c', 'é', 'x ', '"#"'],
      ...["'a'#", '@x', '`x', '%x', '!x', '&x', '*x', '?x', '|', '|-', '>', 'a: b'],
    ];
    const block = (indent: number, depth: number): string[] => {
      const lines: string[] = [];
      const pad = ' '.repeat(indent);
      const seq = rnd() < 0.3;
      const used = new Set<string>();
      for (let i = 0, n = 1 + Math.floor(rnd() * 4); i < n; i++) {
        const head = seq ? `${pad}- ` : `${pad}${pick(words)}:`;
        if (!seq && used.has(head) && rnd() < 0.9) continue;
        used.add(head);
        const r = rnd();
        if (r < 0.55 || depth > 4) {
          const s = pick(scalars);
          lines.push(`${head}${seq ? '' : ' '}${s}`);
          if (s === '|' || s === '|-') {
            const m = indent + 2 + Math.floor(rnd() * 3);
            for (let j = 0; j < 1 + rnd() * 3; j++)
              lines.push(
                rnd() < 0.15 ? '' : ' '.repeat(m + (rnd() < 0.2 ? 1 : 0)) + pick(['text', '# c', 'a: b', '- y']),
              );
          }
        } else if (seq) {
          // `- key: value`, more keys at the first key's column
          const inner = block(indent + 2, depth + 1);
          if (inner.length) lines.push(`${pad}- ${inner[0]!.slice(indent + 2)}`, ...inner.slice(1));
        } else lines.push(head, ...block(indent + (rnd() < 0.2 ? 0 : 2), depth + 1));
        if (rnd() < 0.05) lines.push(`${pad}# comment`);
        if (rnd() < 0.03) lines.push('');
      }
      return lines;
    };
    const broken: string[] = [];
    let taken = 0;
    for (let i = 0; i < 8000; i++) {
      const text = `${rnd() < 0.2 ? '---\n' : ''}${block(0, 0).join('\n')}\n`;
      if (quickLoad(text)) taken++;
      const p = premiseBroken(text, quickLoad);
      if (p) broken.push(`${JSON.stringify(text)}: ${p}`);
    }
    expect(broken).toEqual([]);
    expect(taken, 'it takes a good share of them').toBeGreaterThan(800);
  });
});

describe("the fast path's screen", () => {
  it('the scans read as the patterns they stand for (seeded mutations, every character)', () => {
    const base = chunksOf(defectiveDocs(60));
    const inserts = [
      ' ',
      ':',
      ': ',
      '-',
      '- ',
      ' - -',
      '\n-',
      '\n - ',
      '#',
      '~',
      'null',
      'NULL',
      'nUll',
      ']',
      '}',
      '] :',
      '\n]',
    ];
    inserts.push(
      '\n',
      '\r',
      '\u2028',
      '\u2029',
      '\u00a0',
      '\v',
      '\t',
      '{',
      '[',
      ',',
      ' '.repeat(60),
      `a${'x'.repeat(1001)}`,
    );
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    const texts: string[] = [...base];
    for (let i = 0; i < 4000; i++) {
      let t = base[Math.floor(rnd() * base.length)]!;
      for (let k = 0; k < 1 + Math.floor(rnd() * 4); k++) {
        const pos = Math.floor(rnd() * (t.length + 1));
        t = t.slice(0, pos) + inserts[Math.floor(rnd() * inserts.length)] + t.slice(pos);
      }
      texts.push(t);
    }
    for (let c = 0; c < 0x10000; c += c < 0x3100 ? 1 : 97) {
      const ch = String.fromCharCode(c);
      texts.push(
        `${ch}:`,
        `a${ch}:`,
        `a${ch}null:`,
        `${ch}~: x`,
        `x:${ch}`,
        `-${ch}`,
        `- -${ch}`,
        `${ch}- -`,
        `${ch}]`,
        `]${ch}:`,
      );
    }
    const longLine = (t: string) => t.split('\n').some((l) => l.length > 1000 && !LONG_LINE_KEY.test(l));
    const differ = texts.filter(
      (t) =>
        nullKey(t) !== NULL_KEY.test(t) ||
        closedBeforeColon(t) !== /[\]}][ ]*:/.test(t) ||
        lineScreen(t) !== (LINE_START.test(t) || DEEP_INDENT.test(t) || longLine(t)),
    );
    expect(differ.map((t) => JSON.stringify(t))).toEqual([]);
    // Both answers occur, for each scan.
    for (const scan of [nullKey, closedBeforeColon, lineScreen]) {
      expect(texts.some(scan)).toBe(true);
      expect(texts.some((t) => !scan(t))).toBe(true);
    }
  });
});

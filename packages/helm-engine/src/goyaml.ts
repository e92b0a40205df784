// YAML and JSON exactly as helm reads and writes them: sigs.k8s.io/yaml over go-yaml v2 (go.yaml.in/yaml/v2
// v2.4: resolve.go, encode.go, emitterc.go, sorter.go read as the spec) and Go's encoding/json.
//   read:  YAML → (go-yaml v2 resolution) → JSON → Go values with every number a float64
//   write: Go value → encoding/json → go-yaml v2 decodes that JSON → go-yaml v2 emits it
import { isAlias, isMap as isYamlMap, isScalar, isSeq, type Node, parseAllDocuments, type Document } from 'yaml';
import { formatFloat, type GoValue, GoObject, isMap } from './template/values.js';

// ---------------------------------------------------------------- resolution (resolve.go)

type Resolved =
  | { tag: 'str'; v: string }
  | { tag: 'null' }
  | { tag: 'bool'; v: boolean }
  | { tag: 'int'; v: bigint }
  | { tag: 'float'; v: number }
  | { tag: 'timestamp'; v: string }
  | { tag: 'merge' };

const RESOLVE_MAP: Record<string, Resolved> = {};
for (const s of ['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON'])
  RESOLVE_MAP[s] = { tag: 'bool', v: true };
for (const s of ['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF'])
  RESOLVE_MAP[s] = { tag: 'bool', v: false };
for (const s of ['', '~', 'null', 'Null', 'NULL']) RESOLVE_MAP[s] = { tag: 'null' };
for (const s of ['.nan', '.NaN', '.NAN']) RESOLVE_MAP[s] = { tag: 'float', v: Number.NaN };
for (const s of ['.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF'])
  RESOLVE_MAP[s] = { tag: 'float', v: Number.POSITIVE_INFINITY };
for (const s of ['-.inf', '-.Inf', '-.INF']) RESOLVE_MAP[s] = { tag: 'float', v: Number.NEGATIVE_INFINITY };
RESOLVE_MAP['<<'] = { tag: 'merge' };

const INT64_MIN = -(2n ** 63n);
const UINT64_MAX = 2n ** 64n - 1n;

/** strconv.ParseInt(s, 0, 64)-like: base prefixes 0x, 0o, 0b, leading 0 = octal; undefined when not an integer. */
function parseGoInt(s: string): bigint | undefined {
  const m = /^([+-]?)(0[xX][0-9a-fA-F]+|0[bB][01]+|0[oO][0-7]+|0[0-7]*|[1-9][0-9]*)$/.exec(s);
  if (!m) return undefined;
  let body = m[2]!;
  if (/^0[0-7]+$/.test(body)) body = `0o${body.slice(1)}`;
  else if (/^0[oO]/.test(body)) body = `0o${body.slice(2)}`;
  const v = BigInt(body);
  return m[1] === '-' ? -v : v;
}

const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;

function isTimestamp(s: string): boolean {
  const m =
    /^(\d{4})-(\d{1,2})-(\d{1,2})(?:(?:[Tt]|[ \t]+)(\d{1,2}):(\d{1,2}):(\d{1,2})(\.\d+)?(Z|[+-]\d{2}:\d{2})?)?$/.exec(
      s,
    );
  if (!m) return false;
  // Go's layouts: "2006-1-2T15:4:5.999999999Z07:00" (zone required with T/t), "2006-1-2 15:4:5.999999999" (no zone).
  const sep = s.charAt(m[1]!.length + m[2]!.length + m[3]!.length + 2);
  if (m[4] !== undefined) {
    if ((sep === 'T' || sep === 't') && m[8] === undefined) return false;
    if (sep === ' ' && m[8] !== undefined) return false;
    if (sep !== 'T' && sep !== 't' && sep !== ' ') return false;
  }
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (mo < 1 || mo > 12 || d < 1) return false;
  const dim = new Date(Date.UTC(Number(m[1]), mo, 0)).getUTCDate();
  if (d > dim) return false;
  if (m[4] !== undefined && (Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6]) > 59)) return false;
  return true;
}

/** go-yaml v2 resolve("", s): the type a plain scalar takes. */
export function resolvePlain(s: string): Resolved {
  const hint = s === '' ? 'N' : s[0]!;
  const known = RESOLVE_MAP[s];
  if (known) return known;
  if (hint === '.') {
    const f = goParseFloat(s);
    if (f !== undefined) return { tag: 'float', v: f };
  } else if (/[0-9+-]/.test(hint)) {
    if (isTimestamp(s)) return { tag: 'timestamp', v: s };
    const plain = s.replace(/_/g, '');
    const i = parseGoInt(plain);
    if (i !== undefined && i >= INT64_MIN && i <= UINT64_MAX) return { tag: 'int', v: i };
    if (YAML_STYLE_FLOAT.test(plain)) {
      const f = goParseFloat(plain);
      if (f !== undefined) return { tag: 'float', v: f };
    }
    const b = /^(-?)0b([01]+)$/.exec(plain);
    if (b) {
      const v = BigInt(`0b${b[2]}`);
      return { tag: 'int', v: b[1] ? -v : v };
    }
  }
  return { tag: 'str', v: s };
}

/** strconv.ParseFloat(s, 64) for the forms YAML produces (decimal, exponent, inf/nan spellings, hex). */
function goParseFloat(s: string): number | undefined {
  const t = s.replace(/_/g, '');
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) {
    const v = Number(t);
    // Go's ParseFloat fails (range error) when the value overflows.
    return Number.isFinite(v) ? v : undefined;
  }
  if (/^[+-]?(inf|infinity)$/i.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
  if (/^nan$/i.test(t)) return Number.NaN;
  return undefined;
}

const BASE60 = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;

// ---------------------------------------------------------------- reading (sigs.k8s.io/yaml Unmarshal)

export class GoYamlError extends Error {}

function keyString(r: Resolved, raw: string): string {
  switch (r.tag) {
    case 'str':
    case 'timestamp':
      return r.tag === 'str' ? r.v : r.v;
    case 'null':
      return 'null';
    case 'bool':
      return r.v ? 'true' : 'false';
    case 'int':
      return r.v.toString();
    case 'float':
      return formatFloat32G(r.v);
    default:
      return raw;
  }
}

function formatFloat32G(f: number): string {
  // sigs.k8s.io/yaml formats float keys with strconv.FormatFloat(f, 'g', -1, 32).
  const p = Math.fround(f);
  for (let d = 1; d <= 9; d++) {
    const s = p.toPrecision(d);
    if (Math.fround(Number(s)) === p) return goG(Number(s), d);
  }
  return String(p);
}
function goG(f: number, digits: number): string {
  const [mant, e] = f.toExponential(digits - 1).split('e') as [string, string];
  const exp = Number(e);
  const m = mant.includes('.') ? mant.replace(/0+$/, '').replace(/\.$/, '') : mant;
  if (exp < -4 || (exp >= Math.max(digits, 1) + 0 && exp >= 21))
    return `${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return String(f);
}

function scalarValue(node: Node, doc: Document): Resolved {
  if (!isScalar(node)) throw new GoYamlError('not a scalar');
  const tag = node.tag;
  const src = String(node.source ?? node.value ?? '');
  const plain = node.type === 'PLAIN' || node.type === undefined;
  if (tag && tag !== '!') {
    const short = tag.replace(/^tag:yaml.org,2002:/, '!!');
    if (short === '!!str') return { tag: 'str', v: src };
    if (short === '!!binary')
      return { tag: 'str', v: Buffer.from(src.replace(/\s/g, ''), 'base64').toString('latin1') };
    const r = resolvePlain(src);
    if (short === '!!int' && r.tag === 'int') return r;
    if (short === '!!float' && (r.tag === 'float' || r.tag === 'int'))
      return { tag: 'float', v: r.tag === 'int' ? Number(r.v) : r.v };
    if (short === '!!bool' && r.tag === 'bool') return r;
    if (short === '!!null' && r.tag === 'null') return r;
    if (short === '!!timestamp') return { tag: 'timestamp', v: src };
    if (!short.startsWith('!!')) return plain ? resolvePlain(src) : { tag: 'str', v: src };
    throw new GoYamlError(`cannot decode ${shortTagOf(r)} \`${src}\` as a ${short}`);
  }
  void doc;
  return plain ? resolvePlain(src) : { tag: 'str', v: src };
}
function shortTagOf(r: Resolved): string {
  return `!!${r.tag}`;
}

/** A Go value after sigs.k8s.io/yaml: numbers float64, keys strings, timestamps strings. */
/**
 * A resolved scalar as the value sigs.k8s.io/yaml hands helm (YAML → JSON → Go): ints as numbers, a merge key
 * as the string "<<"; ±Inf and NaN, which JSON cannot hold, go to `nonFinite`.
 */
function goScalar(r: Resolved, nonFinite: (v: number) => GoValue): GoValue {
  switch (r.tag) {
    case 'str':
    case 'timestamp':
      return r.v;
    case 'null':
      return null;
    case 'bool':
      return r.v;
    case 'int':
      return Number(r.v);
    case 'float':
      return Number.isFinite(r.v) ? r.v : nonFinite(r.v);
    case 'merge':
      return '<<';
  }
}

function toGo(node: Node | null | undefined, doc: Document, depth: number): GoValue {
  if (depth > 10000) throw new GoYamlError('exceeded max depth');
  if (node === null || node === undefined) return null;
  if (isAlias(node)) return toGo(node.resolve(doc) as Node, doc, depth + 1);
  if (isScalar(node))
    return goScalar(scalarValue(node, doc), (v) => {
      throw new GoYamlError(`json: unsupported value: ${v > 0 ? '+Inf' : v < 0 ? '-Inf' : 'NaN'}`);
    });
  if (isSeq(node)) return node.items.map((i) => toGo(i as Node, doc, depth + 1));
  if (isYamlMap(node)) {
    const out: Record<string, GoValue> = {};
    const seen = new Set<string>();
    const merged: Record<string, GoValue>[] = [];
    for (const pair of node.items) {
      const kn = pair.key as Node | null;
      let key: string;
      if (kn === null || kn === undefined) key = 'null';
      else if (isScalar(kn)) {
        const r = scalarValue(kn, doc);
        if (r.tag === 'merge') {
          const v = toGo(pair.value as Node, doc, depth + 1);
          const list = Array.isArray(v) ? v : [v];
          for (const m of list) {
            if (!isMap(m)) throw new GoYamlError('map merge requires map or sequence of maps as the value');
            merged.push(m as Record<string, GoValue>);
          }
          continue;
        }
        key = keyString(r, String(kn.source ?? ''));
      } else if (isAlias(kn)) {
        key = String(toGo(kn, doc, depth + 1));
      } else throw new GoYamlError('error converting YAML to JSON: unsupported map key');
      // go-yaml's (non-strict) Unmarshal lets a repeated key replace the earlier value.
      seen.add(key);
      defineKey(out, key, toGo(pair.value as Node, doc, depth + 1));
    }
    // Merged keys never override keys written in the mapping itself.
    for (const m of merged)
      for (const [k, v] of Object.entries(m)) if (!seen.has(k) && !Object.hasOwn(out, k)) defineKey(out, k, v);
    return out;
  }
  return null;
}

/** Sets a key on a plain object even when it is "__proto__". */
export function defineKey(o: Record<string, GoValue>, k: string, v: GoValue): void {
  if (k === '__proto__')
    Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

/**
 * sigs.k8s.io/yaml.Unmarshal of one document (helm reads values files, Chart.yaml and fromYaml this way).
 * Only the first document counts, as go-yaml's Unmarshal does.
 */
export function parseGoYaml(text: string): GoValue {
  // The same texts come back often (a chart's values.yaml for each environment, identical output documents):
  // parsed once, handed out as copies since callers change what they get (values coalescing does).
  return copyGo(parseGoYamlShared(text));
}

/**
 * parseGoYaml without the copy: the value is shared with the cache and with every other caller of the same
 * text, so the caller must not change it (helm's reading of a rendered document's kind and annotations).
 */
export function parseGoYamlShared(text: string): GoValue {
  let v = PARSED.get(text);
  if (v === undefined) {
    try {
      v = parseGoYamlUncached(text);
    } catch (e) {
      if (!(e instanceof GoYamlError)) throw e;
      v = e;
    }
    if (PARSED.size >= PARSED_MAX) PARSED.delete(PARSED.keys().next().value!);
    PARSED.set(text, v);
  }
  if (v instanceof GoYamlError) throw v;
  return v;
}

/** Parsed texts, oldest first; bounded (a long-lived process reads ever new texts). */
const PARSED = new Map<string, GoValue | GoYamlError>();
const PARSED_MAX = 2000;

function copyGo(v: GoValue): GoValue {
  if (Array.isArray(v)) return v.map(copyGo);
  if (isMap(v)) {
    const o: Record<string, GoValue> = {};
    for (const [k, e] of Object.entries(v)) defineKey(o, k, copyGo(e));
    return o;
  }
  return v;
}

function parseGoYamlUncached(text: string): GoValue {
  // libyaml's reader accepts only printable characters (tab, line breaks, NEL and the printable ranges).
  if (/[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\ud800-\udfff]/.test(text))
    throw new GoYamlError('error converting YAML to JSON: yaml: control characters are not allowed');
  const fast = fastParseGoYaml(text);
  if (CHECK_FAST) checkFast(text, fast);
  if (fast !== undefined) return fast;
  return fullParseGoYaml(text);
}

/** The full reader (the yaml library, then go-yaml's resolution); exported for tests. */
export function fullParseGoYaml(text: string): GoValue {
  let doc = firstDocument(text);
  if (!doc) return null;
  // libyaml ignores indentation inside flow collections ([ ... ] spread over lines less indented than their
  // key); the yaml library refuses them. Such lines are indented before a second attempt.
  if (doc.errors.some((e) => e.code === 'BAD_INDENT')) {
    const again = firstDocument(indentFlowCollections(text));
    if (again && !again.errors.some((e) => e.code !== 'DUPLICATE_KEY')) doc = again;
  }
  const errors = doc.errors.filter((e) => e.code !== 'DUPLICATE_KEY');
  if (errors.length > 0) {
    const e = errors[0]!;
    const line = e.linePos?.[0]?.line ?? 0;
    throw new GoYamlError(`error converting YAML to JSON: yaml: line ${line}: ${e.message.split('\n')[0]}`);
  }
  return toGo(doc.contents as Node, doc, 0);
}

// ---------------------------------------------------------------- fast path (block YAML of the common shapes)

/**
 * Reads the common shapes of block YAML directly: block maps with simple plain keys, block sequences, plain
 * scalars on one line, one-line quoted scalars, `{}`/`[]`, and `|`/`|-`/`|+` literal blocks. It gives up
 * (returns undefined) on anything else (flow collections, anchors, tags, multi-line plain or quoted scalars,
 * folded blocks, tabs outside literal text, directives, several documents...), and the full reader is used;
 * where it does not give up its value is the one the full reader gives (checked on the conformance sets).
 */
export function fastParseGoYaml(text: string): GoValue | undefined {
  if (/[\r\x85\u2028\u2029\ufeff]/.test(text)) return undefined;
  try {
    return new FastReader(text).document();
  } catch (e) {
    if (e === GIVE_UP) return undefined;
    throw e;
  }
}

/**
 * HELM_ENGINE_CHECK_FAST_YAML=1: every text the fast path reads is read by the full reader too, and a
 * difference throws (run the conformance sets or the tests with it to check the fast path).
 */
const CHECK_FAST = globalThis.process?.env?.HELM_ENGINE_CHECK_FAST_YAML === '1';

function checkFast(text: string, fast: GoValue | undefined): void {
  if (fast === undefined) return;
  let full: GoValue;
  try {
    full = fullParseGoYaml(text);
  } catch (e) {
    throw new Error(`fast YAML path read a text the full reader refuses (${(e as Error).message}):\n${text}`);
  }
  if (!sameGo(fast, full))
    throw new Error(
      `fast YAML path differs from the full reader:\n${text}\n--- fast: ${JSON.stringify(fast)}\n--- full: ${JSON.stringify(full)}`,
    );
}

/** Same Go value, same types, same key order. */
export function sameGo(a: GoValue, b: GoValue): boolean {
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => sameGo(x, b[i]));
  if (isMap(a)) {
    if (!isMap(b) || Array.isArray(b)) return false;
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k, i) => k === kb[i] && sameGo(a[k], b[k]));
  }
  return typeof a === typeof b && Object.is(a, b);
}

const GIVE_UP = Symbol('give up');
const giveUp = (): never => {
  throw GIVE_UP;
};
/** A simple plain key and the `:` after it (with the spaces that follow). */
const FAST_KEY = /^([A-Za-z0-9_$][A-Za-z0-9_./$-]*):(?: +|$)/;
const FAST_BLANK = /^ *(?:#.*)?$/;
const FAST_PLAIN_START = /^[^-?:,[\]{}#&*!|>'"%@`]|^[-?:][^ ]/;
/** A plain scalar inside a flow sequence, without indicators or spaces. */
const FAST_FLOW_PLAIN = /^(?:[A-Za-z0-9_./=+@]|-(?=[A-Za-z0-9_./=+@]))[A-Za-z0-9_./=+@:-]*(?<!:)/;
/** A quoted key on one line and the `:` after it (with the spaces that follow). */
const FAST_QUOTED_KEY = /^(?:"(?:[^"\\]|\\.)*"|'(?:[^']|'')*'):(?: +|$)/;
const FAST_LITERAL = /^\|([-+]?)(?: +#.*| *)$/;
const FAST_ESCAPES: Record<string, string> = { '\\': '\\', '"': '"', n: '\n', t: '\t', r: '\r' };

class FastReader {
  private readonly lines: string[];
  private readonly n: number;
  /** The last line is not followed by a line break. */
  private readonly lastOpen: boolean;
  private i = 0;

  constructor(text: string) {
    this.lines = text.split('\n');
    this.lastOpen = !text.endsWith('\n');
    if (!this.lastOpen) this.lines.pop();
    this.n = this.lines.length;
  }

  document(): GoValue {
    if (/(?:^|\n)(?:---|\.\.\.)(?:[ \t\n]|$)/.test(this.lines.slice(1).join('\n'))) giveUp();
    this.skip();
    if (this.i < this.n && this.lines[this.i] === '---') {
      this.i++;
      this.skip();
    }
    if (this.i >= this.n) giveUp();
    const v = this.blockAt(indentOf(this.lines[this.i]!));
    this.skip();
    if (this.i < this.n) giveUp();
    return v;
  }

  /** Skips blank and comment lines. */
  private skip(): void {
    while (this.i < this.n) {
      const l = this.lines[this.i]!;
      if (!FAST_BLANK.test(l)) {
        if (l.includes('\t')) giveUp();
        return;
      }
      if (l.includes('\t')) giveUp();
      this.i++;
    }
  }

  /** A block map or sequence starting on the current line at column `col`. */
  private blockAt(col: number): GoValue {
    const rest = this.lines[this.i]!.slice(col);
    if (rest === '-' || rest.startsWith('- ')) return this.seq(col);
    if (FAST_KEY.test(rest) || FAST_QUOTED_KEY.test(rest)) return this.map(col);
    return giveUp();
  }

  private map(col: number): GoValue {
    const out: Record<string, GoValue> = {};
    for (let first = true; ; first = false) {
      if (!first) {
        this.skip();
        if (this.i >= this.n) break;
        const ind = indentOf(this.lines[this.i]!);
        if (ind < col) break;
        if (ind > col) giveUp();
        const l = this.lines[this.i]!;
        if (l[col] === '-' && (l.length === col + 1 || l[col + 1] === ' ')) break;
      }
      const l = this.lines[this.i]!;
      const rest = l.slice(col);
      const m = FAST_KEY.exec(rest);
      let key: string;
      let after: number;
      if (m) {
        if (m[1]!.length > 1000) giveUp();
        const r = resolvePlain(m[1]!);
        if (r.tag === 'merge') giveUp();
        key = keyString(r, m[1]!);
        after = m[0].length;
      } else {
        const q = FAST_QUOTED_KEY.exec(rest);
        if (!q || q[0].length > 1000) return giveUp();
        const end = quotedEnd(rest, 0);
        key = inlineScalar(rest.slice(0, end)) as string;
        after = q[0].length;
      }
      defineKey(out, key, this.value(col, l.slice(col + after), true));
    }
    return out;
  }

  private seq(col: number): GoValue {
    const out: GoValue[] = [];
    for (let first = true; ; first = false) {
      if (!first) {
        this.skip();
        if (this.i >= this.n) break;
        const l = this.lines[this.i]!;
        const ind = indentOf(l);
        if (ind < col) break;
        if (ind > col) giveUp();
        if (!(l[col] === '-' && (l.length === col + 1 || l[col + 1] === ' '))) break;
      }
      const l = this.lines[this.i]!;
      if (l.includes('\t')) giveUp();
      let k = col + 1;
      while (l.charCodeAt(k) === 32) k++;
      const rest = l.slice(k);
      if (rest === '-' || rest.startsWith('- ')) giveUp();
      if (rest !== '' && rest[0] !== '#' && (FAST_KEY.test(rest) || FAST_QUOTED_KEY.test(rest))) out.push(this.map(k));
      else out.push(this.value(col, rest, false));
    }
    return out;
  }

  /** The value after `key: ` or `- ` (`rest`, leading spaces removed) of an entry at column `col`. */
  private value(col: number, rest: string, inMap: boolean): GoValue {
    const l = this.lines[this.i]!;
    if (l.includes('\t') && rest[0] !== '|') giveUp();
    if (rest === '' || rest[0] === '#') {
      this.i++;
      this.skip();
      if (this.i >= this.n) return null;
      const next = this.lines[this.i]!;
      const ind = indentOf(next);
      if (ind > col) return this.blockAt(ind);
      if (ind === col && inMap && next[col] === '-' && (next.length === col + 1 || next[col + 1] === ' '))
        return this.seq(col);
      return null;
    }
    let v: GoValue;
    if (rest[0] === '|') v = this.literal(col, rest);
    else {
      v = inlineScalar(this.plainContinued(col, rest));
      this.i++;
    }
    this.skip();
    if (this.i < this.n && indentOf(this.lines[this.i]!) > col) giveUp();
    return v;
  }

  /**
   * A plain scalar that goes on over the next, more indented lines (go-yaml folds long ones at 80 columns):
   * the lines joined by single spaces. Only plain lines without comments, blank lines or indicators.
   */
  private plainContinued(col: number, rest: string): string {
    if (rest[0] === '"' || rest[0] === "'" || rest[0] === '[' || rest[0] === '{' || rest.includes(' #')) return rest;
    let s = rest;
    for (;;) {
      const next = this.lines[this.i + 1];
      if (next === undefined || indentOf(next) <= col || FAST_BLANK.test(next)) return s;
      const t = next.trim();
      if (next.includes('\t') || !FAST_PLAIN_START.test(t) || t.includes(' #') || t.includes(': ') || t.endsWith(':'))
        giveUp();
      s = `${s.trimEnd()} ${t}`;
      this.i++;
    }
  }

  /** A `|` block scalar whose header is `header`, in an entry at column `col`. */
  private literal(col: number, header: string): string {
    const h = FAST_LITERAL.exec(header);
    if (!h) return giveUp();
    const chomp = h[1]!;
    let j = this.i + 1;
    let leading = 0;
    while (j < this.n && /^ *$/.test(this.lines[j]!)) leading = Math.max(leading, this.lines[j++]!.length);
    if (j >= this.n) return giveUp();
    const ind = indentOf(this.lines[j]!);
    if (ind <= col || leading > ind) return giveUp();
    const body: string[] = [];
    for (j = this.i + 1; j < this.n; j++) {
      const l = this.lines[j]!;
      if (/^ *$/.test(l)) {
        if (l.length > ind) giveUp();
        body.push('');
        continue;
      }
      if (indentOf(l) < ind) break;
      body.push(l.slice(ind));
    }
    const atEnd = j >= this.n && this.lastOpen;
    let last = body.length - 1;
    while (last >= 0 && body[last] === '') last--;
    if (chomp === '+' && last !== body.length - 1) giveUp();
    if (atEnd && (chomp === '+' || last !== body.length - 1)) giveUp();
    this.i = j;
    const text = body.slice(0, last + 1).join('\n');
    return chomp === '-' ? text : `${text}\n`;
  }
}

function indentOf(l: string): number {
  let k = 0;
  while (l.charCodeAt(k) === 32) k++;
  return k;
}

/** A scalar written on one line after `key: ` or `- `: plain, quoted, `{}` or `[]`, with an optional comment. */
function inlineScalar(rest: string): GoValue {
  const c = rest[0];
  if (c === '"' || c === "'") {
    let s = '';
    let k = 1;
    for (;;) {
      if (k >= rest.length) giveUp();
      const ch = rest[k]!;
      if (c === "'" && ch === "'") {
        if (rest[k + 1] === "'") {
          s += "'";
          k += 2;
          continue;
        }
        break;
      }
      if (c === '"' && ch === '"') break;
      if (c === '"' && ch === '\\') {
        const e = rest[k + 1] ?? '';
        if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(rest.slice(k + 2, k + 6))) {
          const code = Number.parseInt(rest.slice(k + 2, k + 6), 16);
          if (code >= 0xd800 && code <= 0xdfff) giveUp();
          s += String.fromCharCode(code);
          k += 6;
          continue;
        }
        const r = FAST_ESCAPES[e];
        if (r === undefined) giveUp();
        s += r;
        k += 2;
        continue;
      }
      s += ch;
      k++;
    }
    if (!/^(?: +#.*| *)$/.test(rest.slice(k + 1))) giveUp();
    return s;
  }
  const hash = rest.indexOf(' #');
  const s = (hash >= 0 ? rest.slice(0, hash) : rest).trimEnd();
  if (s === '{}') return {};
  if (c === '[') return flowSeq(rest);
  if (!FAST_PLAIN_START.test(s) || s.includes(': ') || s.endsWith(':')) giveUp();
  return plainScalar(s);
}

/** A one-line flow sequence of quoted scalars and simple plain ones: `["-c", /etc/x.yml, 3]`. */
function flowSeq(rest: string): GoValue[] {
  const out: GoValue[] = [];
  let k = 1;
  while (rest.charCodeAt(k) === 32) k++;
  if (rest[k] === ']') k++;
  else
    for (;;) {
      let end: number;
      if (rest[k] === '"' || rest[k] === "'") {
        end = quotedEnd(rest, k);
        out.push(inlineScalar(rest.slice(k, end)));
      } else {
        const m = FAST_FLOW_PLAIN.exec(rest.slice(k));
        if (!m) giveUp();
        end = k + m![0].length;
        out.push(plainScalar(m![0]));
      }
      k = end;
      while (rest.charCodeAt(k) === 32) k++;
      if (rest[k] === ']') {
        k++;
        break;
      }
      if (rest[k] !== ',') giveUp();
      k++;
      while (rest.charCodeAt(k) === 32) k++;
    }
  if (!/^(?: +#.*| *)$/.test(rest.slice(k))) giveUp();
  return out;
}

/** The index after the closing quote of the quoted scalar starting at `k`. */
function quotedEnd(rest: string, k: number): number {
  const q = rest[k];
  for (let j = k + 1; j < rest.length; j++) {
    if (rest[j] === '\\' && q === '"') j++;
    else if (rest[j] === q) {
      if (q === "'" && rest[j + 1] === "'") j++;
      else return j + 1;
    }
  }
  return giveUp();
}

function plainScalar(s: string): GoValue {
  const r = resolvePlain(s);
  return r.tag === 'merge' ? giveUp() : goScalar(r, giveUp);
}

function firstDocument(text: string): Document | undefined {
  const docs = parseAllDocuments(text, {
    version: '1.1',
    schema: 'failsafe',
    uniqueKeys: false,
    merge: false,
    prettyErrors: false,
    strict: false,
  });
  return (Array.isArray(docs) ? docs : [docs])[0] as Document | undefined;
}

/** Lines inside a flow collection opened at the end of a block line get indented past that line's key. */
function indentFlowCollections(text: string): string {
  const lines = text.split('\n');
  let depth = 0;
  let minIndent = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (depth > 0) {
      const ind = /^ */.exec(line)![0].length;
      if (line.trim() !== '' && ind < minIndent) lines[i] = ' '.repeat(minIndent - ind) + line;
    } else {
      const m = /^( *)(?:- )?[^#'"]*:\s*[[{]\s*$/.exec(line);
      if (!m) continue;
      minIndent = m[1]!.length + 1;
    }
    for (const c of line.replace(/"(?:[^"\\]|\\.)*"|'[^']*'|#.*$/g, '')) {
      if (c === '[' || c === '{') depth++;
      else if (c === ']' || c === '}') depth--;
    }
    if (depth < 0) depth = 0;
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------- encoding/json

function jsonString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (c < 0x20 || ch === '<' || ch === '>' || ch === '&' || c === 0x2028 || c === 0x2029)
      out += `\\u${c.toString(16).padStart(4, '0')}`;
    else if (c >= 0xd800 && c <= 0xdfff) out += '\\ufffd';
    else out += ch;
  }
  return `${out}"`;
}

function jsonFloat(f: number): string {
  if (!Number.isFinite(f)) throw new GoYamlError(`json: unsupported value: ${f > 0 ? '+Inf' : f < 0 ? '-Inf' : 'NaN'}`);
  if (Object.is(f, -0)) return '-0';
  // Go: 'f' format unless abs < 1e-6 or abs >= 1e21, then 'e' with a one-digit minimum exponent — as JS prints.
  return String(f);
}

/** encoding/json Marshal (indent: MarshalIndent with "" prefix). Map keys sorted, HTML characters escaped. */
export function toGoJson(v: GoValue, indent = ''): string {
  const rec = (x: GoValue, pad: string): string => {
    if (x === null || x === undefined) return 'null';
    if (typeof x === 'string') return jsonString(x);
    if (typeof x === 'boolean') return x ? 'true' : 'false';
    if (typeof x === 'number') return jsonFloat(x);
    if (typeof x === 'bigint') return x.toString();
    if (x instanceof GoObject) return '{}';
    const inner = pad + indent;
    const nl = indent ? '\n' : '';
    if (Array.isArray(x)) {
      if (x.length === 0) return '[]';
      return `[${nl}${x.map((e) => inner + rec(e, inner)).join(`,${nl}`)}${nl}${pad}]`;
    }
    const keys = Object.keys(x).sort(byteOrder);
    if (keys.length === 0) return '{}';
    const sep = indent ? ': ' : ':';
    return `{${nl}${keys.map((k) => `${inner}${jsonString(k)}${sep}${rec(x[k], inner)}`).join(`,${nl}`)}${nl}${pad}}`;
  };
  return rec(v, '');
}

export function byteOrder(a: string, b: string): number {
  const ba = Buffer.from(a);
  const bb = Buffer.from(b);
  return Buffer.compare(ba, bb);
}

/** json.Unmarshal into interface{}: numbers float64. */
export function fromGoJson(text: string): GoValue {
  const v = JSON.parse(text, (_k, val) => val) as unknown;
  const conv = (x: unknown): GoValue => {
    if (Array.isArray(x)) return x.map(conv);
    if (x !== null && typeof x === 'object') {
      const o: Record<string, GoValue> = {};
      for (const [k, e] of Object.entries(x)) defineKey(o, k, conv(e));
      return o;
    }
    return x as GoValue;
  };
  return conv(v);
}

// ---------------------------------------------------------------- go-yaml v2 emitter

/** A value after json.Marshal → yaml.Unmarshal: strings, ints (bigint), floats, bools, null, lists, maps. */
type YNode = { s: string; style: 'plain' | 'double' | 'literal' } | YNode[] | Map<string, YNode>;

function fromJsonToYNode(v: GoValue): YNode {
  if (v === null || v === undefined) return { s: 'null', style: 'plain' };
  if (typeof v === 'boolean') return { s: v ? 'true' : 'false', style: 'plain' };
  if (typeof v === 'bigint') return { s: v.toString(), style: 'plain' };
  if (typeof v === 'number') return numberNode(jsonFloat(v));
  if (typeof v === 'string') return stringNode(v);
  if (v instanceof GoObject) return new Map();
  if (Array.isArray(v)) return v.map(fromJsonToYNode);
  const keys = Object.keys(v).sort(keyLess);
  const m = new Map<string, YNode>();
  for (const k of keys) m.set(k, fromJsonToYNode(v[k]));
  return m;
}

function numberNode(jsonText: string): YNode {
  // go-yaml reads the JSON number back: an int when it fits int64/uint64, else a float printed with 'g'.
  const r = resolvePlain(jsonText);
  if (r.tag === 'int') return { s: r.v.toString(), style: 'plain' };
  if (r.tag === 'float') return { s: goFormatG(r.v), style: 'plain' };
  return { s: jsonText, style: 'plain' };
}

/** strconv.FormatFloat(f, 'g', -1, 64) with go-yaml's names for the special values. */
export function goFormatG(f: number): string {
  if (Number.isNaN(f)) return '.nan';
  if (f === Number.POSITIVE_INFINITY) return '.inf';
  if (f === Number.NEGATIVE_INFINITY) return '-.inf';
  return formatFloat(f);
}

function stringNode(s: string): YNode {
  const r = resolvePlain(s);
  const canUsePlain = r.tag === 'str' && !BASE60.test(s);
  if (s.includes('\n')) return { s, style: 'literal' };
  return { s, style: canUsePlain ? 'plain' : 'double' };
}

/** go-yaml v2's keyList.Less for string keys: digit runs compare as numbers, letters before non-letters. */
export function keyLess(a: string, b: string): number {
  const ar = [...a];
  const br = [...b];
  const isLetter = (c: string) => /\p{L}/u.test(c);
  const isDigit = (c: string | undefined) => c !== undefined && /\p{Nd}/u.test(c);
  for (let i = 0; i < ar.length && i < br.length; i++) {
    if (ar[i] === br[i]) continue;
    const al = isLetter(ar[i]!);
    const bl = isLetter(br[i]!);
    if (al && bl) return ar[i]!.codePointAt(0)! - br[i]!.codePointAt(0)!;
    if (al || bl) return bl ? -1 : 1;
    let an = 0n;
    let bn = 0n;
    if (ar[i] === '0' || br[i] === '0') {
      for (let j = i - 1; j >= 0 && isDigit(ar[j]); j--) {
        if (ar[j] !== '0') {
          an = 1n;
          bn = 1n;
          break;
        }
      }
    }
    let ai = i;
    for (; ai < ar.length && isDigit(ar[ai]); ai++) an = an * 10n + BigInt(ar[ai]!.codePointAt(0)! - 48);
    let bi = i;
    for (; bi < br.length && isDigit(br[bi]); bi++) bn = bn * 10n + BigInt(br[bi]!.codePointAt(0)! - 48);
    if (an !== bn) return an < bn ? -1 : 1;
    if (ai !== bi) return ai < bi ? -1 : 1;
    return ar[i]!.codePointAt(0)! - br[i]!.codePointAt(0)!;
  }
  return ar.length - br.length;
}

function isPrintable(c: number): boolean {
  return (
    c === 0x0a ||
    (c >= 0x20 && c <= 0x7e) ||
    (c >= 0xa0 && c <= 0xd7ff) ||
    (c >= 0xe000 && c <= 0xfffd && c !== 0xfeff) ||
    c >= 0x10000
  );
}
const isBreakCh = (c: string | undefined) =>
  c === '\r' || c === '\n' || c === '\u0085' || c === '\u2028' || c === '\u2029';
const isBlankCh = (c: string | undefined) => c === ' ' || c === '\t';

interface Analysis {
  multiline: boolean;
  flowPlain: boolean;
  blockPlain: boolean;
  single: boolean;
  block: boolean;
}

function analyze(value: string): Analysis {
  if (value.length === 0) return { multiline: false, flowPlain: false, blockPlain: true, single: true, block: false };
  const ch = [...value];
  let blockInd = false;
  let flowInd = false;
  let lineBreaks = false;
  let special = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let precededByWs = true;
  let prevSpace = false;
  let prevBreak = false;
  if (value.startsWith('---') || value.startsWith('...')) {
    blockInd = true;
    flowInd = true;
  }
  for (let i = 0; i < ch.length; i++) {
    const c = ch[i]!;
    const followedByWs = i + 1 >= ch.length || isBlankCh(ch[i + 1]);
    if (i === 0) {
      if ('#,[]{}&*!|>\'"%@`'.includes(c)) {
        flowInd = true;
        blockInd = true;
      } else if (c === '?' || c === ':') {
        flowInd = true;
        if (followedByWs) blockInd = true;
      } else if (c === '-' && followedByWs) {
        flowInd = true;
        blockInd = true;
      }
    } else if (',?[]{}'.includes(c)) flowInd = true;
    else if (c === ':') {
      flowInd = true;
      if (followedByWs) blockInd = true;
    } else if (c === '#' && precededByWs) {
      flowInd = true;
      blockInd = true;
    }
    if (!isPrintable(c.codePointAt(0)!)) special = true;
    if (c === ' ') {
      if (i === 0) leadingSpace = true;
      if (i === ch.length - 1) trailingSpace = true;
      if (prevBreak) breakSpace = true;
      prevSpace = true;
      prevBreak = false;
    } else if (isBreakCh(c)) {
      lineBreaks = true;
      if (i === 0) leadingBreak = true;
      if (i === ch.length - 1) trailingBreak = true;
      if (prevSpace) spaceBreak = true;
      prevSpace = false;
      prevBreak = true;
    } else {
      prevSpace = false;
      prevBreak = false;
    }
    precededByWs = isBlankCh(c) || isBreakCh(c);
  }
  const a: Analysis = { multiline: lineBreaks, flowPlain: true, blockPlain: true, single: true, block: true };
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) {
    a.flowPlain = false;
    a.blockPlain = false;
  }
  if (trailingSpace) a.block = false;
  if (breakSpace) {
    a.flowPlain = false;
    a.blockPlain = false;
    a.single = false;
  }
  if (spaceBreak || special) {
    a.flowPlain = false;
    a.blockPlain = false;
    a.single = false;
    a.block = false;
  }
  if (lineBreaks) {
    a.flowPlain = false;
    a.blockPlain = false;
  }
  if (flowInd) a.flowPlain = false;
  if (blockInd) a.blockPlain = false;
  return a;
}

class Emitter {
  out: string[] = [];
  column = 0;
  whitespace = true;
  indention = true;
  indent = -1;
  indents: number[] = [];
  flowLevel = 0;
  readonly bestIndent = 2;
  readonly bestWidth = 80;

  put(s: string) {
    this.out.push(s);
    this.column++;
  }
  putBreak() {
    this.out.push('\n');
    this.column = 0;
  }
  increaseIndent(flow: boolean, indentless: boolean) {
    this.indents.push(this.indent);
    if (this.indent < 0) this.indent = flow ? this.bestIndent : 0;
    else if (!indentless) this.indent += this.bestIndent;
  }
  popIndent() {
    this.indent = this.indents.pop()!;
  }
  writeIndent() {
    const indent = Math.max(this.indent, 0);
    if (!this.indention || this.column > indent || (this.column === indent && !this.whitespace)) this.putBreak();
    while (this.column < indent) this.put(' ');
    this.whitespace = true;
    this.indention = true;
  }
  writeIndicator(ind: string, needWs: boolean, isWs: boolean, isIndention: boolean) {
    if (needWs && !this.whitespace) this.put(' ');
    for (const c of ind) this.put(c);
    this.whitespace = isWs;
    this.indention = this.indention && isIndention;
  }

  node(n: YNode, ctx: { mapping: boolean; simpleKey: boolean }) {
    if (Array.isArray(n)) {
      if (this.flowLevel > 0 || n.length === 0) {
        this.writeIndicator('[', true, true, false);
        this.increaseIndent(true, false);
        this.flowLevel++;
        if (n.length > 0) throw new GoYamlError('flow sequences with items are not produced by toYaml');
        this.flowLevel--;
        this.popIndent();
        this.writeIndicator(']', false, false, false);
        return;
      }
      this.increaseIndent(false, ctx.mapping && !this.indention);
      for (const item of n) {
        this.writeIndent();
        this.writeIndicator('-', true, false, true);
        this.node(item, { mapping: false, simpleKey: false });
      }
      this.popIndent();
      return;
    }
    if (n instanceof Map) {
      if (this.flowLevel > 0 || n.size === 0) {
        this.writeIndicator('{', true, true, false);
        this.increaseIndent(true, false);
        this.popIndent();
        this.writeIndicator('}', false, false, false);
        return;
      }
      this.increaseIndent(false, false);
      for (const [k, v] of n) {
        this.writeIndent();
        const key = stringNode(k) as { s: string; style: 'plain' | 'double' | 'literal' };
        const ka = analyze(key.s);
        const simple = !ka.multiline && Buffer.byteLength(key.s) <= 128;
        if (simple) {
          this.scalar(key, ka, { mapping: true, simpleKey: true });
          this.writeIndicator(':', false, false, false);
          this.node(v, { mapping: true, simpleKey: false });
        } else {
          this.writeIndicator('?', true, false, true);
          this.scalar(key, ka, { mapping: true, simpleKey: false });
          this.writeIndent();
          this.writeIndicator(':', true, false, true);
          this.node(v, { mapping: true, simpleKey: false });
        }
      }
      this.popIndent();
      return;
    }
    this.scalar(n, analyze(n.s), ctx);
  }

  scalar(
    n: { s: string; style: 'plain' | 'double' | 'literal' },
    a: Analysis,
    ctx: { mapping?: boolean; simpleKey: boolean },
  ) {
    let style: 'plain' | 'single' | 'double' | 'literal' = n.style;
    if (ctx.simpleKey && a.multiline) style = 'double';
    if (style === 'plain') {
      if ((this.flowLevel > 0 && !a.flowPlain) || (this.flowLevel === 0 && !a.blockPlain)) style = 'single';
      if (n.s.length === 0 && (this.flowLevel > 0 || ctx.simpleKey)) style = 'single';
    }
    if (style === 'single' && !a.single) style = 'double';
    if (style === 'literal' && (!a.block || this.flowLevel > 0 || ctx.simpleKey)) style = 'double';
    this.increaseIndent(true, false);
    const allowBreaks = !ctx.simpleKey;
    if (style === 'plain') this.writePlain(n.s, allowBreaks);
    else if (style === 'single') this.writeSingle(n.s, allowBreaks);
    else if (style === 'double') this.writeDouble(n.s, allowBreaks);
    else this.writeLiteral(n.s);
    this.popIndent();
  }

  writePlain(value: string, allowBreaks: boolean) {
    if (!this.whitespace) this.put(' ');
    this.writeFolded(value, allowBreaks, false);
    this.whitespace = false;
    this.indention = false;
  }

  writeSingle(value: string, allowBreaks: boolean) {
    this.writeIndicator("'", true, false, false);
    this.writeFolded(value, allowBreaks, true);
    this.writeIndicator("'", false, false, false);
    this.whitespace = false;
    this.indention = false;
  }

  /**
   * The character loop go-yaml's plain and single-quoted writers share: line breaks kept, a long line folded at
   * a single space (inside the quotes only, for a quoted scalar), a quote doubled inside quotes.
   */
  private writeFolded(value: string, allowBreaks: boolean, quoted: boolean) {
    const ch = [...value];
    let spaces = false;
    let breaks = false;
    for (let i = 0; i < ch.length; i++) {
      const c = ch[i]!;
      if (c === ' ') {
        const inside = !quoted || (i > 0 && i < ch.length - 1);
        if (allowBreaks && !spaces && this.column > this.bestWidth && inside && ch[i + 1] !== ' ') this.writeIndent();
        else this.put(c);
        spaces = true;
      } else if (isBreakCh(c)) {
        if (!breaks && c === '\n') this.putBreak();
        this.writeBreak(c);
        this.indention = true;
        breaks = true;
      } else {
        if (breaks) this.writeIndent();
        if (quoted && c === "'") this.put("'");
        this.put(c);
        this.indention = false;
        spaces = false;
        breaks = false;
      }
    }
  }

  writeBreak(c: string) {
    if (c === '\n') this.putBreak();
    else {
      this.out.push(c);
      this.column = 0;
    }
  }

  writeDouble(value: string, allowBreaks: boolean) {
    let spaces = false;
    this.writeIndicator('"', true, false, false);
    const ch = [...value];
    for (let i = 0; i < ch.length; i++) {
      const c = ch[i]!;
      const cp = c.codePointAt(0)!;
      if (!isPrintable(cp) || cp === 0xfeff || isBreakCh(c) || c === '"' || c === '\\') {
        this.put('\\');
        const esc: Record<number, string> = {
          0: '0',
          7: 'a',
          8: 'b',
          9: 't',
          10: 'n',
          11: 'v',
          12: 'f',
          13: 'r',
          27: 'e',
          34: '"',
          92: '\\',
          133: 'N',
          160: '_',
          8232: 'L',
          8233: 'P',
        };
        const e = esc[cp];
        if (e !== undefined) this.put(e);
        else {
          const [p, w] = cp <= 0xff ? ['x', 2] : cp <= 0xffff ? ['u', 4] : ['U', 8];
          this.put(p as string);
          for (const d of cp
            .toString(16)
            .toUpperCase()
            .padStart(w as number, '0'))
            this.put(d);
        }
        spaces = false;
      } else if (c === ' ') {
        if (allowBreaks && !spaces && this.column > this.bestWidth && i > 0 && i < ch.length - 1) {
          this.writeIndent();
          if (ch[i + 1] === ' ') this.put('\\');
        } else this.put(c);
        spaces = true;
      } else {
        this.put(c);
        spaces = false;
      }
    }
    this.writeIndicator('"', false, false, false);
    this.whitespace = false;
    this.indention = false;
  }

  writeLiteral(value: string) {
    this.writeIndicator('|', true, false, false);
    const ch = [...value];
    if (ch[0] === ' ' || isBreakCh(ch[0])) this.writeIndicator(String(this.bestIndent), false, false, false);
    let chomp = '';
    const last = ch[ch.length - 1];
    if (!isBreakCh(last)) chomp = '-';
    else if (ch.length === 1) chomp = '+';
    else if (isBreakCh(ch[ch.length - 2])) chomp = '+';
    if (chomp) this.writeIndicator(chomp, false, false, false);
    this.putBreak();
    this.indention = true;
    this.whitespace = true;
    let breaks = true;
    for (const c of ch) {
      if (isBreakCh(c)) {
        this.writeBreak(c);
        this.indention = true;
        breaks = true;
      } else {
        if (breaks) this.writeIndent();
        this.put(c);
        this.indention = false;
        breaks = false;
      }
    }
  }
}

/** sigs.k8s.io/yaml.Marshal: the text `toYaml` returns before helm trims its final newline. */
export function toGoYaml(v: GoValue): string {
  // json.Marshal first: its errors (NaN, Inf) make toYaml return "". The JSON → YAML step is done on the
  // values directly: JSON strings decode to the same strings, numbers are re-resolved from their JSON text.
  toGoJson(v);
  const node = fromJsonToYNode(v);
  const e = new Emitter();
  e.node(node, { mapping: false, simpleKey: false });
  // Document end: an implicit end writes the pending line break.
  e.indent = -1;
  e.writeIndent();
  return e.out.join('');
}

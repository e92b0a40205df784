import { YAML_LIMITS } from '@cmsweb/yaml';
import { corePlain } from './core-scalars.js';

// The first try of manifests mode's fast path (fast-parse.ts): a reader of the block-style subset of YAML
// that rendered Kubernetes manifests are written in (block mappings with word keys, block sequences,
// one-line plain and quoted scalars, literal block scalars, flow collections on one line), about three
// times faster than js-yaml on them. It holds fast-parse.ts's contract: a value only for a text that `yaml` reads with no
// error or warning and the same value; anything else (every construct outside the subset, and every
// error) makes it give up, and the text goes on to js-yaml and the screen, then the slow path.

/** Thrown where the text leaves the subset; never escapes quickLoad. */
const GIVE_UP = Symbol('outside the subset');
function giveUp(): never {
  throw GIVE_UP;
}

/**
 * Characters that send a text elsewhere: controls (tab and carriage return included), the other line
 * breaks, surrogates (every character outside the basic plane), the byte order mark and noncharacters.
 */
const UNSAFE = /[\x00-\x09\x0B-\x1F\x7F-\x9F\u2028\u2029\uD800-\uDFFF\uFEFF\uFFFE\uFFFF]/;

/** Words `yaml` reads as null or a boolean: as keys they would not be their own text. */
const RESERVED_KEYS = new Set(['null', 'Null', 'NULL', 'true', 'True', 'TRUE', 'false', 'False', 'FALSE', '__proto__']);

/** Collections nested in collections, at most (well under YAML_LIMITS.maxDepth, which the slow path enforces). */
const MAX_DEPTH = YAML_LIMITS.maxDepth / 2;

const SPACE = 32;
const NEWLINE = 10;
const HASH = 35;
const DASH = 45;
const COLON = 58;

/**
 * Keys seen, by length and first character: the same few dozen keys make most of every manifest, and a
 * key found here is compared in place (no new string to hash and intern for each property).
 */
const KNOWN_KEYS = new Map<number, string[]>();
const MAX_KNOWN_KEYS = 4096;
let knownKeys = 0;

/** The key from `k` to `end` of `t` (not a reserved word: gives up on one). */
function keyAt(t: string, k: number, end: number): string {
  const slot = (end - k) * 128 + t.charCodeAt(k);
  const seen = KNOWN_KEYS.get(slot);
  if (seen) for (const key of seen) if (t.startsWith(key, k)) return key;
  const key = t.slice(k, end);
  if (RESERVED_KEYS.has(key)) giveUp();
  if (knownKeys < MAX_KNOWN_KEYS) {
    knownKeys++;
    // A flat copy of its own: a slice would keep the whole document text alive.
    const own = JSON.parse(JSON.stringify(key)) as string;
    if (seen) seen.push(own);
    else KNOWN_KEYS.set(slot, [own]);
  }
  return key;
}

/** First character of a key: a letter or `_`. */
const keyStart = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
/** Other characters of a key: letters, digits, `_`, `.`, `/`, `-`. */
const keyChar = (c: number) => keyStart(c) || (c >= 48 && c <= 57) || c === 46 || c === 47 || c === DASH;

/** Characters of a plain item of a flow sequence in the subset: letters, digits and `_ . / + = -`. */
const flowWord = (c: number) => keyChar(c) || c === 43 || c === 61;

/** Characters that cannot begin a plain scalar of the subset (YAML's indicators). */
const NOT_PLAIN = new Set([...'?:,[]{}#&*!|>\'"%@`'].map((c) => c.charCodeAt(0)));

/**
 * Pure: the value of a one-document chunk (see splitDocuments) in the subset, or undefined. The chunk's
 * root is a block mapping at column 0, after an optional `---` line.
 */
export function quickLoad(text: string): { value: unknown } | undefined {
  if (text.charCodeAt(text.length - 1) !== NEWLINE || UNSAFE.test(text)) return undefined;
  try {
    return { value: new QuickReader(text).document() };
  } catch (e) {
    if (e === GIVE_UP) return undefined;
    throw e;
  }
}

class QuickReader {
  /** Start of the next line not read yet. */
  private pos = 0;
  /** The line peek() found: where it starts and its indentation. */
  private lineStart = 0;
  private depth = 0;

  constructor(private readonly t: string) {}

  document(): unknown {
    const t = this.t;
    if (t.startsWith('---')) {
      let i = 3;
      while (t.charCodeAt(i) === SPACE) i++;
      if (t.charCodeAt(i) !== NEWLINE) giveUp();
      this.pos = i + 1;
    }
    if (this.peek() !== 0) giveUp(); // an empty document, or a root that is not a mapping at column 0
    const value = this.mapping(0, this.lineStart);
    if (this.peek() !== -1) giveUp();
    return value;
  }

  /** Skips empty and comment lines: the indentation of the next line with content (lineStart), or -1 at the end. */
  private peek(): number {
    const t = this.t;
    for (;;) {
      if (this.pos >= t.length) return -1;
      let i = this.pos;
      while (t.charCodeAt(i) === SPACE) i++;
      const c = t.charCodeAt(i);
      if (c === NEWLINE || c === HASH) {
        this.pos = t.indexOf('\n', i) + 1;
        continue;
      }
      this.lineStart = this.pos;
      return i - this.pos;
    }
  }

  /** End of a key starting at `k` (at its `:`, followed by a space or the line's end), or -1 when there is none. */
  private keyEnd(k: number): number {
    const t = this.t;
    if (!keyStart(t.charCodeAt(k))) return -1;
    let i = k + 1;
    while (keyChar(t.charCodeAt(i))) i++;
    if (t.charCodeAt(i) !== COLON) return -1;
    const next = t.charCodeAt(i + 1);
    return next === SPACE || next === NEWLINE ? i : -1;
  }

  /** A block mapping at column `n` whose first key starts at `k` (on the current line). */
  private mapping(n: number, k: number): Record<string, unknown> {
    if (++this.depth > MAX_DEPTH) giveUp();
    const out: Record<string, unknown> = {};
    for (;;) {
      const colon = this.keyEnd(k);
      if (colon < 0 || colon - k > 253) giveUp();
      const key = keyAt(this.t, k, colon);
      if (Object.hasOwn(out, key)) giveUp(); // duplicate keys are errors for `yaml`
      out[key] = this.value(n, colon + 1);
      const next = this.peek();
      if (next < n) break;
      if (next > n) giveUp(); // a continuation line or bad indentation
      k = this.lineStart + n;
    }
    this.depth--;
    return out;
  }

  /** The value of a key of a mapping at column `n`, from `i` (just after its colon). */
  private value(n: number, i: number): unknown {
    const t = this.t;
    while (t.charCodeAt(i) === SPACE) i++;
    const c = t.charCodeAt(i);
    if (c !== NEWLINE && c !== HASH) return this.scalar(i, n);
    // Nothing more on the line: a nested block, a sequence at the key's column, or null.
    this.pos = t.indexOf('\n', i) + 1;
    const next = this.peek();
    if (next > n) {
      const at = this.lineStart + next;
      return t.charCodeAt(at) === DASH ? this.sequence(next, false) : this.mapping(next, at);
    }
    if (next === n && t.charCodeAt(this.lineStart + n) === DASH) return this.sequence(n, true);
    return null;
  }

  /**
   * A block sequence at column `n`, the current line its first entry. `inMapping`: it is the value of a key
   * at the same column, and ends at the first line there that is not an entry.
   */
  private sequence(n: number, inMapping: boolean): unknown[] {
    if (++this.depth > MAX_DEPTH) giveUp();
    const t = this.t;
    const out: unknown[] = [];
    for (;;) {
      const d = this.lineStart + n;
      if (t.charCodeAt(d) !== DASH) {
        if (inMapping) break;
        giveUp();
      }
      if (t.charCodeAt(d + 1) !== SPACE) giveUp(); // `-` alone (an empty entry) or `-x` (a scalar where entries are)
      let j = d + 2;
      while (t.charCodeAt(j) === SPACE) j++;
      const c = t.charCodeAt(j);
      if (c === NEWLINE || c === HASH) giveUp(); // an empty entry
      if (c === DASH && (t.charCodeAt(j + 1) === SPACE || t.charCodeAt(j + 1) === NEWLINE)) giveUp(); // `- - a`
      out.push(this.keyEnd(j) >= 0 ? this.mapping(j - this.lineStart, j) : this.scalar(j, n));
      const next = this.peek();
      if (next < n) break;
      if (next > n) giveUp();
    }
    this.depth--;
    return out;
  }

  /** A scalar starting at `i` on the current line, in a collection at column `n`; moves past it. */
  private scalar(i: number, n: number): unknown {
    const t = this.t;
    const c = t.charCodeAt(i);
    let value: unknown;
    let end: number; // just after a quoted scalar or a flow collection
    if (c === 34 /* " */ || c === 39 /* ' */) {
      end = this.quoted(i);
      value = this.quotedValue;
    } else if (c === 124 /* | */) {
      return this.literal(i, n);
    } else if (c === 91 /* [ */ || c === 123 /* { */) {
      value = this.flow(i);
      end = this.flowEnd;
    } else {
      // `:` may begin a plain scalar when a character other than a space follows (`:8080`)
      if (NOT_PLAIN.has(c) && !(c === COLON && t.charCodeAt(i + 1) !== SPACE && t.charCodeAt(i + 1) !== NEWLINE))
        giveUp();
      if (c === DASH && (t.charCodeAt(i + 1) === SPACE || t.charCodeAt(i + 1) === NEWLINE)) giveUp(); // an entry
      // A plain scalar runs to a comment (` #`) or the line's end; a `: ` or a last `:` in it would make a key.
      let e = i;
      for (let d = t.charCodeAt(e); d !== NEWLINE; d = t.charCodeAt(++e)) {
        if (d === COLON) {
          const f = t.charCodeAt(e + 1);
          if (f === SPACE || f === NEWLINE) giveUp();
        } else if (d === HASH && t.charCodeAt(e - 1) === SPACE) break;
      }
      this.pos = t.indexOf('\n', e) + 1;
      while (t.charCodeAt(e - 1) === SPACE) e--;
      return corePlain(t.slice(i, e));
    }
    // After a quoted scalar or `[]`/`{}`: spaces, then the line's end or a comment.
    let j = end;
    while (t.charCodeAt(j) === SPACE) j++;
    const d = t.charCodeAt(j);
    if (d !== NEWLINE && !(d === HASH && j > end)) giveUp();
    this.pos = t.indexOf('\n', j) + 1;
    return value;
  }

  /** The value of the last quoted scalar read by quoted(). */
  private quotedValue = '';

  /** A quoted scalar on one line starting at `i` (`"` without escapes, or `'`): where it ends; its value in quotedValue. */
  private quoted(i: number): number {
    const t = this.t;
    const quote = t.charCodeAt(i);
    let q = i + 1;
    if (quote === 34) {
      for (let d = t.charCodeAt(q); d !== 34; d = t.charCodeAt(++q)) if (d === 92 /* \ */ || d === NEWLINE) giveUp();
      this.quotedValue = t.slice(i + 1, q);
      return q + 1;
    }
    let doubled = false;
    for (let d = t.charCodeAt(q); ; d = t.charCodeAt(++q)) {
      if (d === NEWLINE) giveUp();
      if (d !== 39) continue;
      if (t.charCodeAt(q + 1) !== 39) break;
      doubled = true;
      q++;
    }
    this.quotedValue = doubled ? t.slice(i + 1, q).replaceAll("''", "'") : t.slice(i + 1, q);
    return q + 1;
  }

  /** Where the last flow collection read by flow() ends (just after its closing bracket). */
  private flowEnd = 0;

  /**
   * A flow collection on one line starting at `i` (`[` or `{`): sequences and mappings, nested, of quoted
   * scalars and plain words, mapping keys being words followed by `: `, without trailing commas. Its value;
   * where it ends in flowEnd.
   */
  private flow(i: number): unknown {
    if (++this.depth > MAX_DEPTH) giveUp();
    const t = this.t;
    const close = t.charCodeAt(i) + 2; // `]` or `}`
    const items: unknown[] | undefined = close === 93 ? [] : undefined;
    const pairs: Record<string, unknown> | undefined = items ? undefined : {};
    let j = i + 1;
    while (t.charCodeAt(j) === SPACE) j++;
    if (t.charCodeAt(j) !== close)
      for (;;) {
        let key: string | undefined;
        if (pairs) {
          const colon = this.keyEnd(j);
          if (colon < 0 || t.charCodeAt(colon + 1) !== SPACE || colon - j > 253) giveUp();
          key = keyAt(t, j, colon);
          if (Object.hasOwn(pairs, key)) giveUp();
          j = colon + 2;
          while (t.charCodeAt(j) === SPACE) j++;
        }
        const c = t.charCodeAt(j);
        let value: unknown;
        if (c === 34 || c === 39) {
          j = this.quoted(j);
          value = this.quotedValue;
        } else if (c === 91 || c === 123) {
          value = this.flow(j);
          j = this.flowEnd;
        } else {
          const start = j;
          if (!flowWord(c) || (c === DASH && !flowWord(t.charCodeAt(j + 1)))) giveUp();
          while (flowWord(t.charCodeAt(j))) j++;
          value = corePlain(t.slice(start, j));
        }
        if (pairs) pairs[key!] = value;
        else items!.push(value);
        while (t.charCodeAt(j) === SPACE) j++;
        const d = t.charCodeAt(j);
        if (d === close) break;
        if (d !== 44 /* , */) giveUp();
        j++;
        while (t.charCodeAt(j) === SPACE) j++;
        if (t.charCodeAt(j) === close) giveUp(); // a trailing comma
      }
    this.flowEnd = j + 1;
    this.depth--;
    return items ?? pairs;
  }

  /** A literal block scalar (`|` or `|-`) whose header starts at `i`, in a collection at column `n`. */
  private literal(i: number, n: number): string {
    const t = this.t;
    let j = i + 1;
    const strip = t.charCodeAt(j) === DASH;
    if (strip) j++;
    const h = j;
    while (t.charCodeAt(j) === SPACE) j++;
    const c = t.charCodeAt(j);
    // No indentation indicator, no keep chomping (`|+`), no folding: the header ends the line.
    if (c !== NEWLINE && !(c === HASH && j > h)) giveUp();
    let p = t.indexOf('\n', j) + 1;
    let m = -1; // the content's indentation, from its first line
    let empty = 0; // empty lines seen since the last content line
    let body = '';
    while (p < t.length) {
      let q = p;
      while (t.charCodeAt(q) === SPACE) q++;
      const e = t.indexOf('\n', q);
      if (q === e) {
        // An empty line; before the content, or with spaces beyond its indentation, `yaml` reads otherwise.
        if (m < 0 ? q > p : q - p > m) giveUp();
        empty++;
        p = e + 1;
        continue;
      }
      const indent = q - p;
      if (m < 0) {
        if (indent <= n) giveUp(); // an empty scalar
        m = indent;
      }
      if (indent < m) {
        if (indent > n) giveUp();
        break;
      }
      if (body) body += '\n';
      body += '\n'.repeat(empty) + t.slice(p + m, e);
      empty = 0;
      p = e + 1;
    }
    if (m < 0) giveUp();
    this.pos = p;
    return strip ? body : `${body}\n`;
  }
}

// Pure: the line and column of a field of a one-document YAML text, found by reading the text's lines
// instead of building `yaml`'s syntax tree. Only for texts the fast path accepts (fast-parse.ts: no tabs,
// anchors, tags, complex keys, multi-line flow collections or quoted scalars, duplicate keys), where block
// structure is decided by indentation alone. The answer is the one @cmsweb/yaml's locate() gives on
// parseYaml's tree (the key of the last mapping entry found, the start of the last sequence item), or
// undefined wherever this reader is not sure (a key that is a number, an escape, ...): the caller then
// takes the slow path. test/text-locate.test.ts compares both on every path of many documents.

type Segment = string | number;
type Pos = { line: number; col: number };

/** Indentation and content bounds of each line. */
interface Lines {
  text: string;
  starts: number[];
  ends: number[];
}

/** Plain scalars the core schema reads as null, booleans or numbers: as keys their text is not their name. */
const NOT_A_STRING =
  /^(?:~|[Nn]ull|NULL|[Tt]rue|TRUE|[Ff]alse|FALSE|0o[0-7]+|[-+]?[0-9]+|0x[0-9a-fA-F]+|[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?)$/;

class Unsure extends Error {}

function splitLines(text: string): Lines {
  const starts: number[] = [];
  const ends: number[] = [];
  let pos = 0;
  for (;;) {
    const nl = text.indexOf('\n', pos);
    starts.push(pos);
    ends.push(nl < 0 ? text.length : nl);
    if (nl < 0) break;
    pos = nl + 1;
  }
  return { text, starts, ends };
}

/** Column of the first non-space character of line `i`, or -1 for a blank or comment-only line. */
function contentColumn(l: Lines, i: number): number {
  const s = l.starts[i]!;
  const e = l.ends[i]!;
  let p = s;
  while (p < e && l.text.charCodeAt(p) === 32) p++;
  if (p === e || l.text.charCodeAt(p) === 35 /* # */) return -1;
  return p - s;
}

const isSpace = (c: number) => c === 32 || Number.isNaN(c);

/** A block sequence entry indicator at offset `p` (`-` then a space or the line's end). */
function isDash(l: Lines, i: number, p: number): boolean {
  return l.text.charCodeAt(p) === 45 && (p + 1 === l.ends[i] || l.text.charCodeAt(p + 1) === 32);
}

/** The key of a block mapping entry starting at offset `p` of line `i`: its name and where its value starts. */
function blockKey(l: Lines, i: number, p: number): { name: string; after: number } | undefined {
  const t = l.text;
  const end = l.ends[i]!;
  const c = t.charCodeAt(p);
  if (c === 34 /* " */ || c === 39 /* ' */) {
    const q = quotedEnd(t, p, end);
    if (t.charCodeAt(q) !== 58 /* : */ || !(q + 1 === end || t.charCodeAt(q + 1) === 32)) return undefined;
    return { name: unquote(t.slice(p, q)), after: q + 1 };
  }
  if (c === 91 || c === 123 || isDash(l, i, p)) return undefined;
  for (let q = p; q < end; q++) {
    const x = t.charCodeAt(q);
    if (x === 35 /* # */ && t.charCodeAt(q - 1) === 32) return undefined;
    if (x === 58 /* : */ && (q + 1 === end || t.charCodeAt(q + 1) === 32)) {
      const name = t.slice(p, q);
      if (NOT_A_STRING.test(name)) throw new Unsure();
      return { name, after: q + 1 };
    }
  }
  return undefined;
}

/** Offset just past the quoted scalar starting at `p` (on one line: multi-line ones never reach here). */
function quotedEnd(t: string, p: number, end: number): number {
  const q = t.charCodeAt(p);
  for (let i = p + 1; i < end; i++) {
    const c = t.charCodeAt(i);
    if (q === 34 && c === 92 /* \ */) throw new Unsure(); // escapes: leave them to the real parser
    if (c === q) {
      if (q === 39 && t.charCodeAt(i + 1) === 39) {
        i++;
        continue;
      }
      return i + 1;
    }
  }
  throw new Unsure();
}

function unquote(s: string): string {
  return s[0] === "'" ? s.slice(1, -1).replace(/''/g, "'") : s.slice(1, -1);
}

function skipSpaces(t: string, p: number, end: number): number {
  while (p < end && t.charCodeAt(p) === 32) p++;
  return p;
}

/** The next line after `i` that holds content (not blank, not only a comment), or -1. */
function nextContent(l: Lines, i: number): number {
  for (let j = i + 1; j < l.starts.length; j++) if (contentColumn(l, j) >= 0) return j;
  return -1;
}

/**
 * The value of a block mapping entry whose key ends at `after` on line `i` (key indentation `indent`):
 * where the value node starts, or undefined when it is a scalar or null (locate stops at the key).
 */
function blockValue(l: Lines, i: number, after: number, indent: number): Pos | undefined {
  const t = l.text;
  const end = l.ends[i]!;
  const p = skipSpaces(t, after, end);
  if (p < end && t.charCodeAt(p) !== 35 /* # */) {
    const c = t.charCodeAt(p);
    return c === 91 || c === 123 ? { line: i, col: p - l.starts[i]! } : undefined;
  }
  const j = nextContent(l, i);
  if (j < 0) return undefined;
  const col = contentColumn(l, j);
  if (col > indent || (col === indent && isDash(l, j, l.starts[j]! + col))) return { line: j, col };
  return undefined;
}

/** One step down from the node starting at `at`: the position of `seg` in it, or undefined when absent. */
function step(l: Lines, at: Pos, seg: Segment): { key: Pos; value?: Pos } | undefined {
  const t = l.text;
  const p = l.starts[at.line]! + at.col;
  const c = t.charCodeAt(p);
  if (c === 91 /* [ */ || c === 123 /* { */) return flowStep(l, at, seg);
  if (isDash(l, at.line, p)) {
    if (typeof seg !== 'number') return undefined;
    let n = 0;
    for (let j = at.line; j >= 0 && j < l.starts.length; j = nextContent(l, j)) {
      const col = contentColumn(l, j);
      if (col < at.col) return undefined;
      if (col > at.col) continue;
      const q = l.starts[j]! + col;
      if (!isDash(l, j, q)) return undefined;
      if (n++ === seg) {
        const d = skipSpaces(t, q + 1, l.ends[j]!);
        if (d === l.ends[j] || t.charCodeAt(d) === 35) throw new Unsure(); // an empty entry
        const item = { line: j, col: d - l.starts[j]! };
        return { key: item, value: item };
      }
    }
    return undefined;
  }
  const first = blockKey(l, at.line, p);
  if (!first) return undefined; // a scalar
  const name = String(seg);
  for (let j = at.line; j >= 0 && j < l.starts.length; j = nextContent(l, j)) {
    const col = j === at.line ? at.col : contentColumn(l, j);
    if (col < at.col) return undefined;
    if (col > at.col) continue;
    const q = l.starts[j]! + col;
    if (isDash(l, j, q)) continue; // a sequence at the key's indentation, the value of the entry before
    const key = j === at.line ? first : blockKey(l, j, q);
    if (!key) throw new Unsure();
    if (key.name === name) return { key: { line: j, col }, value: blockValue(l, j, key.after, col) };
  }
  return undefined;
}

/** A step inside a flow collection on one line. */
function flowStep(l: Lines, at: Pos, seg: Segment): { key: Pos; value?: Pos } | undefined {
  const t = l.text;
  const end = l.ends[at.line]!;
  const base = l.starts[at.line]!;
  const open = t.charCodeAt(base + at.col);
  let p = base + at.col + 1;
  let n = 0;
  for (;;) {
    p = skipSpaces(t, p, end);
    if (p >= end) throw new Unsure();
    const c = t.charCodeAt(p);
    if (c === 93 /* ] */ || c === 125 /* } */) return undefined;
    if (open === 91) {
      const itemEnd = flowNodeEnd(t, p, end, true);
      if (typeof seg === 'number' && n === seg) {
        const item = { line: at.line, col: p - base };
        const x = t.charCodeAt(p);
        return { key: item, value: x === 91 || x === 123 ? item : undefined };
      }
      n++;
      p = afterItem(t, itemEnd, end);
    } else {
      const keyStart = p;
      const keyEnd = flowNodeEnd(t, p, end, false);
      const raw = t.slice(keyStart, keyEnd);
      const kc = raw.charCodeAt(0);
      if (kc === 91 || kc === 123) throw new Unsure();
      const name = kc === 34 || kc === 39 ? unquote(raw) : raw;
      if (kc !== 34 && kc !== 39 && NOT_A_STRING.test(name)) throw new Unsure();
      if (t.charCodeAt(keyEnd) !== 58 /* : */) throw new Unsure(); // a key without a value
      const v = skipSpaces(t, keyEnd + 1, end);
      const vc = t.charCodeAt(v);
      const valueEnd = vc === 44 || vc === 125 ? v : flowNodeEnd(t, v, end, true);
      if (name === String(seg)) {
        return {
          key: { line: at.line, col: keyStart - base },
          value: vc === 91 || vc === 123 ? { line: at.line, col: v - base } : undefined,
        };
      }
      p = afterItem(t, valueEnd, end);
    }
  }
}

/** After an entry of a flow collection: past the `,`, or at the closing bracket. */
function afterItem(t: string, p: number, end: number): number {
  p = skipSpaces(t, p, end);
  const c = t.charCodeAt(p);
  if (c === 44 /* , */) return p + 1;
  if (c === 93 || c === 125) return p;
  throw new Unsure();
}

/** End of the flow node (scalar or collection) starting at `p`; for a key (`value` false) a plain scalar stops at `:`. */
function flowNodeEnd(t: string, p: number, end: number, value: boolean): number {
  const c = t.charCodeAt(p);
  if (c === 34 || c === 39) return quotedEnd(t, p, end);
  if (c === 91 || c === 123) {
    let depth = 0;
    for (let i = p; i < end; i++) {
      const x = t.charCodeAt(i);
      if (x === 34 || x === 39) {
        i = quotedEnd(t, i, end) - 1;
        continue;
      }
      if (x === 91 || x === 123) depth++;
      else if (x === 93 || x === 125) {
        if (--depth === 0) return i + 1;
      }
    }
    throw new Unsure();
  }
  for (let i = p; i < end; i++) {
    const x = t.charCodeAt(i);
    if (x === 44 || x === 93 || x === 125) return trimEnd(t, p, i);
    if (x === 35 && t.charCodeAt(i - 1) === 32) throw new Unsure();
    if (x === 58 && (isSpace(t.charCodeAt(i + 1)) || /[,\]}]/.test(t[i + 1] ?? ''))) {
      if (value) throw new Unsure(); // an implicit pair inside a flow sequence, or `a: b: c`
      return trimEnd(t, p, i);
    }
    if (x === 91 || x === 123) throw new Unsure();
  }
  throw new Unsure();
}

function trimEnd(t: string, p: number, i: number): number {
  while (i > p && t.charCodeAt(i - 1) === 32) i--;
  return i;
}

/** The document's top node: its first line with content (after a `---` marker line). */
function rootOf(l: Lines): Pos | undefined {
  for (let i = 0; i < l.starts.length; i++) {
    const col = contentColumn(l, i);
    if (col < 0) continue;
    if (col === 0 && l.text.startsWith('---', l.starts[i]!)) {
      const p = skipSpaces(l.text, l.starts[i]! + 3, l.ends[i]!);
      if (p === l.ends[i] || l.text.charCodeAt(p) === 35) continue;
      return undefined;
    }
    return { line: i, col };
  }
  return undefined;
}

/**
 * A locator over `text` (one document the fast path accepted): 1-based line and column of `path`, as
 * @cmsweb/yaml locate() gives them, or undefined when this reader is not sure.
 */
export function textLocator(
  text: string,
  options: { remember?: boolean } = {},
): (path: ReadonlyArray<Segment>) => { line: number; column: number } | undefined {
  let lines: Lines | undefined;
  // With `remember` (a locator that lives only while its document's findings are placed), steps already
  // taken, by the node's offset in the text and the segment: the findings of one object share most of their
  // paths (spec.template.spec.containers.0...), and a step reads every line of its node.
  const steps = new Map<number, Map<Segment, ReturnType<typeof step>>>();
  const stepOnce = (l: Lines, node: Pos, seg: Segment) => {
    if (!options.remember) return step(l, node, seg);
    const offset = l.starts[node.line]! + node.col;
    let bySeg = steps.get(offset);
    if (!bySeg) steps.set(offset, (bySeg = new Map()));
    if (bySeg.has(seg)) return bySeg.get(seg);
    const found = step(l, node, seg);
    bySeg.set(seg, found);
    return found;
  };
  return (path) => {
    lines ??= splitLines(text);
    try {
      const root = rootOf(lines);
      if (!root) return undefined;
      let at: Pos = root;
      let node: Pos | undefined = root;
      for (const seg of path) {
        if (!node) break;
        const found = stepOnce(lines, node, seg);
        if (!found) break;
        at = found.key;
        node = found.value;
      }
      return { line: at.line + 1, column: at.col + 1 };
    } catch (e) {
      if (e instanceof Unsure) return undefined;
      throw e;
    }
  };
}

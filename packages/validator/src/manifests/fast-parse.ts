import { FAILSAFE_SCHEMA, load, Type } from 'js-yaml';
import { YAML_LIMITS } from '@cmsweb/yaml';
import { quickLoad } from './quick-yaml.js';
import { coreBool, coreFloat, coreInt, isCoreBool, isCoreFloat, isCoreInt, isCoreNull } from './core-scalars.js';

// The fast path of manifests mode. js-yaml loads a plain document about fifteen times faster than the
// `yaml` library builds its document tree with positions (what @cmsweb/yaml's parseYaml does), but it is a
// different parser: it accepts some texts `yaml` reports, and its default schemas read some scalars
// differently. So it only ever decides that a document is clean: a document it cannot take, or that has
// any finding, goes through the slow path (parseYaml) again, which gives every finding and position.
// For that to hold, a document the fast path accepts must be one `yaml` accepts without error or warning,
// with the same value. Hence the scalar types below (copies of `yaml`'s YAML 1.2 core schema) and the
// screen of constructs that stay on the slow path.

/** `yaml`'s core schema as js-yaml types (see core-scalars.ts). */
const CORE_TYPES = [
  new Type('tag:yaml.org,2002:null', {
    kind: 'scalar',
    resolve: (s: string | null) => s === null || isCoreNull(s),
    construct: () => null,
  }),
  new Type('tag:yaml.org,2002:bool', {
    kind: 'scalar',
    resolve: (s: string | null) => s !== null && isCoreBool(s),
    construct: coreBool,
  }),
  new Type('tag:yaml.org,2002:int', {
    kind: 'scalar',
    resolve: (s: string | null) => s !== null && isCoreInt(s),
    construct: coreInt,
  }),
  new Type('tag:yaml.org,2002:float', {
    kind: 'scalar',
    resolve: (s: string | null) => s !== null && isCoreFloat(s),
    construct: coreFloat,
  }),
];

/** Failsafe (str, seq, map) plus the core scalars: no timestamps, no merge keys, no binary, no YAML 1.1 booleans. */
const SCHEMA = FAILSAFE_SCHEMA.extend({ implicit: CORE_TYPES });

/**
 * Texts that stay on the slow path. Each pattern is conservative (it also hits harmless text, e.g. inside
 * a string): the slow path is always right, only slower. Each comes with the strings it cannot match
 * without: most texts hold none of them, and a string search (memchr for one character) costs a fraction
 * of a regular expression's scan, which on 20,000 documents was about a third of the fast path.
 */
const SLOW: Array<[needs: string[], pattern: RegExp]> = [
  // tabs (indentation, separation: the parsers differ), carriage returns, byte order marks
  [['\t', '\r', '\uFEFF'], /[\t\r\uFEFF]/],
  // anchors and aliases (alias bombs, shared values) and tags where a node starts: at the start of a line,
  // after `: `, `- `, `? ` or in a flow collection (not inside a plain scalar: `cd /data && run`)
  [['&', '*', '!'], /(?:^[ ]*|[:\-?[{,][ ]+|[[{,:])[&*!]/m],
  // complex keys (`? `)
  [['?'], /(?:^|[\s[{,])\?(?:\s|$)/m],
  // merge keys (YAML 1.1; `yaml` reads `<<` as a plain key), __proto__, 32-bit escapes (`"\U00110000"`
  // is an error for `yaml` only)
  [['<<', '__proto__', '\\U'], /<<|__proto__|\\U/],
  // directives, and document markers after the first line (the chunk holds one document)
  [['%', '\n---', '\n...'], /^%|\n(?:---|\.\.\.)/m],
  // a comment right after a quote or bracket (an error for `yaml`, not for js-yaml)
  [['"#', "'#", ']#', '}#'], /["'\]}]#/],
  // a block scalar whose leading empty lines hold spaces (`yaml` rejects more spaces than the content's)
  [['|', '>'], /[|>][-+0-9]*[ ]*(?:#.*)?\n(?:[ ]*\n)*[ ]+\n/],
  // block scalars with an explicit indentation indicator (`|2`, `>-2`: the parsers differ on trailing
  // spaces); keep chomping (`|+`: js-yaml keeps a last line of spaces)
  [['|', '>'], /[|>][-+]?[1-9]|[|>][0-9]?\+/],
];

/**
 * Lines that stay on the slow path: compact nested sequences (`- - a`: js-yaml nests empty entries
 * wrongly), empty sequence entries (`-` alone on its line: js-yaml moves the next entry of the parent
 * sequence into the nested one), a flow collection closed at the start of a line (`yaml` warns when the
 * closing bracket is not indented more than its parent). Every text has `-` somewhere, so these are read
 * line by line (lineScreen) rather than matched; the pattern is the definition, also used where \r,
 * U+2028 or U+2029 (line terminators for `^` and `$`) occur.
 */
export const LINE_START = /^[ ]*-[ ]+-(?:[ ]|$)|^[ ]*-[ ]*(?:#.*)?$|^[ ]*[\]}]/m;

/** A flow collection as a key (`[\]}][ ]*:`), looked for after each closing bracket. */
export function closedBeforeColon(text: string): boolean {
  for (const bracket of [']', '}'])
    for (let i = text.indexOf(bracket); i >= 0; i = text.indexOf(bracket, i + 1)) {
      let q = i + 1;
      while (text.charCodeAt(q) === 32) q++;
      if (text.charCodeAt(q) === 58 /* : */) return true;
    }
  return false;
}

/**
 * Null or empty keys (`yaml` makes the key "", js-yaml "null"); also hits `key : value`. Every text has
 * `: ` somewhere, so this is checked at each colon (nullKey) rather than matched; the pattern is the definition.
 */
export const NULL_KEY = /(?:^|[\s{[,])(?:~|[Nn]ull|NULL)?[ ]*:(?:[ \n]|$)/m;

/** The first line: `---` alone (or with a comment after a space), or no marker at all. */
const FIRST_LINE = /^(?:\.\.\.|---(?!(?:[ ]+#.*|[ ]*)(?:\n|$)))/;

/**
 * Implicit keys longer than 1024 characters are errors for `yaml` (also in pairs of a flow sequence:
 * `[long: value]`), not for js-yaml: a long line passes only with a short plain key and no flow sequence.
 */
export const LONG_LINE_KEY = /^ *(?:- +)*[\w./-]{1,253}:(?: [^[]*)?$/;

// Nesting deeper than YAML_LIMITS.maxDepth is refused by the slow path. In a text the fast path takes (no
// flow collection over several lines, no compact `- -`), each level deepens the indentation or opens a bracket
// on one line, but for a sequence in a mapping at the key's column and a mapping after `- `: a text whose lines
// are indented less than SCREEN and hold less than SCREEN open brackets nests at most 2 × SCREEN + 3 deep.
const SCREEN = Math.floor(YAML_LIMITS.maxDepth / 2) - 4;
export const DEEP_INDENT = new RegExp(`^ {${SCREEN},}`, 'm');

/**
 * True when a line ends inside a flow collection (brackets not balanced on the line) or inside a quoted
 * scalar: flow collections and quoted scalars over several lines are where the parsers differ most (comment
 * lines, indentation). Brackets count outside quotes and comments, wherever they stand (also in plain and
 * block scalars: conservative); a quote opens a quoted scalar at the start of a token.
 */
function spansLines(text: string): boolean {
  // Each line starts with nothing open (else the text already spans lines), so only lines from one with
  // a bracket or quote on are read, the search for them being far cheaper than reading every character.
  for (let from = 0; ; ) {
    BRACKET_OR_QUOTE.lastIndex = from;
    if (!BRACKET_OR_QUOTE.test(text)) return false;
    from = spansFrom(text, text.lastIndexOf('\n', BRACKET_OR_QUOTE.lastIndex - 1) + 1);
    if (from < 0) return true;
    if (from >= text.length) return false;
  }
}

const BRACKET_OR_QUOTE = /[[\]{}"']/g;

/** spansLines from the line starting at `start`: -1 when it spans lines, else where a line starts again with nothing open. */
function spansFrom(text: string, start: number): number {
  let depth = 0;
  let quote = 0;
  let prev = 10; // the character before, as a char code; a line starts after \n
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      if (depth !== 0 || quote !== 0) return -1;
      return i + 1;
    }
    if (quote === 39 /* ' */) {
      if (c === 39) {
        if (text.charCodeAt(i + 1) === 39) i++;
        else quote = 0;
      }
    } else if (quote === 34 /* " */) {
      if (c === 92 /* \ */) i++;
      else if (c === 34) quote = 0;
    } else if (c === 91 /* [ */ || c === 123 /* { */) {
      if (++depth >= SCREEN) return -1;
    } else if (c === 93 /* ] */ || c === 125 /* } */) {
      if (--depth < 0) return -1;
    } else if (
      (c === 39 || c === 34) &&
      (prev === 10 || prev === 32 || prev === 91 || prev === 123 || prev === 44 /* , */ || prev === 58) /* : */
    )
      quote = c;
    else if (c === 35 /* # */ && (prev === 10 || prev === 32)) {
      // a comment: skip to the end of the line
      const nl = text.indexOf('\n', i);
      if (nl < 0) break;
      i = nl - 1;
    }
    prev = c;
  }
  return depth !== 0 || quote !== 0 ? -1 : text.length;
}

/** A last line of spaces without a line break (js-yaml adds it to a block scalar with keep chomping). */
const LAST_LINE_SPACES = /\n[ ]+$/;

const OTHER_LINE_BREAKS = ['\r', '\u2028', '\u2029'];

function includesAny(text: string, needles: string[]): boolean {
  for (const n of needles) if (text.includes(n)) return true;
  return false;
}

/** Whether `c` (a char code) is one of JavaScript's \\s or `{`, `[`, `,`: what may stand before a key in NULL_KEY. */
function beforeKey(c: number): boolean {
  if (c === 32 || c === 10 || c === 123 || c === 91 || c === 44) return true;
  if (c < 0xa0) return c >= 9 && c <= 13;
  return (
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

/** Pure: NULL_KEY.test(text), looking only at the colons. */
export function nullKey(text: string): boolean {
  for (let i = text.indexOf(':'); i >= 0; i = text.indexOf(':', i + 1)) {
    // `(?:[ \n]|$)`: `$` of a multiline pattern is the end or a line terminator (\r counts too)
    const next = text.charCodeAt(i + 1);
    if (!(i + 1 === text.length || next === 32 || next === 10 || next === 13 || next === 0x2028 || next === 0x2029))
      continue;
    // `(?:^|[\s{[,])` right before the colon (with `[ ]*` empty), or before `~` / `null` (a space before the
    // colon is itself such a character)
    if (i === 0 || beforeKey(text.charCodeAt(i - 1))) return true;
    const word = text.charCodeAt(i - 1) === 126 /* ~ */ ? 1 : i >= 4 && nullWordBefore(text, i) ? 4 : 0;
    if (word && (i === word || beforeKey(text.charCodeAt(i - word - 1)))) return true;
  }
  return false;
}
/** `null`, `Null` or `NULL` just before `i` (compared in place: a slice per colon added up). */
function nullWordBefore(text: string, i: number): boolean {
  const n = text.charCodeAt(i - 4);
  const rest = text.charCodeAt(i - 3);
  if (n === 110 /* n */ || n === 78 /* N */)
    return rest === 117 /* u */
      ? text.charCodeAt(i - 2) === 108 && text.charCodeAt(i - 1) === 108 // ull
      : n === 78 && rest === 85 && text.charCodeAt(i - 2) === 76 && text.charCodeAt(i - 1) === 76; // NULL
  return false;
}

/**
 * Pure: whether a line of `text` matches LINE_START or DEEP_INDENT, or is longer than 1000 characters
 * without LONG_LINE_KEY's shape: one pass over the lines instead of three scans.
 */
export function lineScreen(text: string): boolean {
  // `^` and `$` of the patterns also stand at \r, U+2028 and U+2029, which the pass below does not split at.
  if (includesAny(text, OTHER_LINE_BREAKS) && (LINE_START.test(text) || DEEP_INDENT.test(text))) return true;
  let start = 0;
  for (;;) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    let p = start;
    while (p < end && text.charCodeAt(p) === 32) p++;
    if (p - start >= SCREEN) return true;
    const first = text.charCodeAt(p);
    if (p < end && (first === 93 /* ] */ || first === 125) /* } */) return true;
    if (p < end && first === 45 /* - */) {
      let q = p + 1;
      while (q < end && text.charCodeAt(q) === 32) q++;
      const c = text.charCodeAt(q);
      if (q === end || c === 35 /* # */) return true;
      if (q > p + 1 && c === 45 && (q + 1 === end || text.charCodeAt(q + 1) === 32)) return true;
    }
    if (end - start > 1000 && !LONG_LINE_KEY.test(text.slice(start, end))) return true;
    if (end === text.length) return false;
    start = end + 1;
  }
}

function needsSlowPath(text: string): boolean {
  if (FIRST_LINE.test(text)) return true;
  if (text.endsWith(' ') && LAST_LINE_SPACES.test(text.slice(text.lastIndexOf('\n')))) return true;
  for (const [needs, pattern] of SLOW) if (includesAny(text, needs) && pattern.test(text)) return true;
  return lineScreen(text) || nullKey(text) || closedBeforeColon(text) || spansLines(text);
}

/**
 * Pure: the value of a one-document chunk (see splitDocuments) when the fast parser can vouch for it,
 * i.e. `yaml` would read the same value with no error and no warning; otherwise undefined (slow path).
 * An empty or comment-only chunk has the value null.
 */
export function fastLoad(text: string): { value: unknown } | undefined {
  const quick = quickLoad(text);
  if (quick) return quick;
  if (needsSlowPath(text)) return undefined;
  let warned = false;
  try {
    const value = load(text, { schema: SCHEMA, onWarning: () => (warned = true) });
    return warned ? undefined : { value: value === undefined ? null : value };
  } catch {
    return undefined;
  }
}

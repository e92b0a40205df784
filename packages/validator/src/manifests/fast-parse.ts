import { FAILSAFE_SCHEMA, load, Type } from 'js-yaml';
import { YAML_LIMITS } from '@cmsweb/yaml';

// The fast path of manifests mode. js-yaml loads a plain document about fifteen times faster than the
// `yaml` library builds its document tree with positions (what @cmsweb/yaml's parseYaml does), but it is a
// different parser: it accepts some texts `yaml` reports, and its default schemas read some scalars
// differently. So it only ever decides that a document is clean: a document it cannot take, or that has
// any finding, goes through the slow path (parseYaml) again, which gives every finding and position.
// For that to hold, a document the fast path accepts must be one `yaml` accepts without error or warning,
// with the same value. Hence the scalar types below (copies of `yaml`'s YAML 1.2 core schema) and the
// screen of constructs that stay on the slow path.

// Most plain scalars are names and words: a look at the first character settles them before any pattern.
const isDigitOrSign = (c: number) => (c >= 48 && c <= 57) || c === 43 /* + */ || c === 45 /* - */ || c === 46; /* . */

/** `yaml`'s core schema (yaml/dist/schema/core): the same tests, in the same order, and the same values. */
const CORE_TYPES = [
  new Type('tag:yaml.org,2002:null', {
    kind: 'scalar',
    resolve: (s: string | null) => s === null || (s.length <= 4 && /^(?:~|[Nn]ull|NULL)?$/.test(s)),
    construct: () => null,
  }),
  new Type('tag:yaml.org,2002:bool', {
    kind: 'scalar',
    resolve: (s: string | null) =>
      s !== null && (s.length === 4 || s.length === 5) && /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/.test(s),
    construct: (s: string) => s[0] === 't' || s[0] === 'T',
  }),
  new Type('tag:yaml.org,2002:int', {
    kind: 'scalar',
    resolve: (s: string | null) =>
      s !== null &&
      isDigitOrSign(s.charCodeAt(0)) &&
      (/^0o[0-7]+$/.test(s) || /^[-+]?[0-9]+$/.test(s) || /^0x[0-9a-fA-F]+$/.test(s)),
    construct: (s: string) =>
      /^0o/.test(s) ? parseInt(s.substring(2), 8) : /^0x/.test(s) ? parseInt(s.substring(2), 16) : parseInt(s, 10),
  }),
  new Type('tag:yaml.org,2002:float', {
    kind: 'scalar',
    resolve: (s: string | null) =>
      s !== null &&
      isDigitOrSign(s.charCodeAt(0)) &&
      (/^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/.test(s) ||
        /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/.test(s) ||
        /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/.test(s)),
    construct: (s: string) =>
      /^[-+]?\.(?:inf|Inf|INF)$/.test(s)
        ? s[0] === '-'
          ? Number.NEGATIVE_INFINITY
          : Number.POSITIVE_INFINITY
        : /^\.(?:nan|NaN|NAN)$/.test(s)
          ? NaN
          : parseFloat(s),
  }),
];

/** Failsafe (str, seq, map) plus the core scalars: no timestamps, no merge keys, no binary, no YAML 1.1 booleans. */
const SCHEMA = FAILSAFE_SCHEMA.extend({ implicit: CORE_TYPES });

/**
 * Texts that stay on the slow path. Each pattern is conservative (it also hits harmless text, e.g. inside
 * a string): the slow path is always right, only slower.
 */
const SLOW = [
  // tabs (indentation, separation: the parsers differ), carriage returns, byte order marks
  /[\t\r\uFEFF]/,
  // anchors and aliases (alias bombs, shared values) and tags where a node starts: at the start of a line,
  // after `: `, `- `, `? ` or in a flow collection (not inside a plain scalar: `cd /data && run`)
  /(?:^[ ]*|[:\-?[{,][ ]+|[[{,:])[&*!]/m,
  // complex keys (`? `)
  /(?:^|[\s[{,])\?(?:\s|$)/m,
  // merge keys (YAML 1.1; `yaml` reads `<<` as a plain key), __proto__, 32-bit escapes (`"\U00110000"`
  // is an error for `yaml` only)
  /<<|__proto__|\\U/,
  // directives, and document markers after the first line (the chunk holds one document)
  /^%|\n(?:---|\.\.\.)/m,
  // a flow collection as a key, or a flow collection closed at the start of a line (`yaml` warns
  // when the closing bracket is not indented more than its parent)
  /[\]}][ ]*:|^[ ]*[\]}]/m,
  // a comment right after a quote or bracket (an error for `yaml`, not for js-yaml)
  /["'\]}]#/,
  // a block scalar whose leading empty lines hold spaces (`yaml` rejects more spaces than the content's)
  /[|>][-+0-9]*[ ]*(?:#.*)?\n(?:[ ]*\n)*[ ]+\n/,
  // block scalars with an explicit indentation indicator (`|2`, `>-2`: the parsers differ on trailing
  // spaces), compact nested sequences (`- - a`: js-yaml nests empty entries wrongly)
  /[|>][-+]?[1-9]|^[ ]*-[ ]+-(?:[ ]|$)/m,
  // keep chomping (`|+`: js-yaml keeps a last line of spaces), empty sequence entries (`-` alone on its
  // line: js-yaml moves the next entry of the parent sequence into the nested one)
  /[|>][0-9]?\+|^[ ]*-[ ]*(?:#.*)?$/m,
  // null or empty keys (`yaml` makes the key "", js-yaml "null"); also hits `key : value`
  /(?:^|[\s{[,])(?:~|[Nn]ull|NULL)?[ ]*:(?:[ \n]|$)/m,
];

/** The first line: `---` alone (or with a comment after a space), or no marker at all. */
const FIRST_LINE = /^(?:\.\.\.|---(?!(?:[ ]+#.*|[ ]*)(?:\n|$)))/;

/**
 * Implicit keys longer than 1024 characters are errors for `yaml` (also in pairs of a flow sequence:
 * `[long: value]`), not for js-yaml: a long line passes only with a short plain key and no flow sequence.
 */
const LONG_LINE_KEY = /^ *(?:- +)*[\w./-]{1,253}:(?: [^[]*)?$/;

// Nesting deeper than YAML_LIMITS.maxDepth is refused by the slow path. In a text the fast path takes (no
// flow collection over several lines, no compact `- -`), each level deepens the indentation or opens a bracket
// on one line, but for a sequence in a mapping at the key's column and a mapping after `- `: a text whose lines
// are indented less than SCREEN and hold less than SCREEN open brackets nests at most 2 × SCREEN + 3 deep.
const SCREEN = Math.floor(YAML_LIMITS.maxDepth / 2) - 4;
const DEEP_INDENT = new RegExp(`^ {${SCREEN},}`, 'm');

/**
 * True when a line ends inside a flow collection (brackets not balanced on the line) or inside a quoted
 * scalar: flow collections and quoted scalars over several lines are where the parsers differ most (comment
 * lines, indentation). Brackets count outside quotes and comments, wherever they stand (also in plain and
 * block scalars: conservative); a quote opens a quoted scalar at the start of a token.
 */
function spansLines(text: string): boolean {
  let depth = 0;
  let quote = 0;
  let prev = 10; // the character before, as a char code; a line starts after \n
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      if (depth !== 0 || quote !== 0) return true;
      prev = 10;
      continue;
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
      if (++depth >= SCREEN) return true;
    } else if (c === 93 /* ] */ || c === 125 /* } */) {
      if (--depth < 0) return true;
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
  return depth !== 0 || quote !== 0;
}

/** A last line of spaces without a line break (js-yaml adds it to a block scalar with keep chomping). */
const LAST_LINE_SPACES = /\n[ ]+$/;

function needsSlowPath(text: string): boolean {
  if (FIRST_LINE.test(text)) return true;
  if (text.endsWith(' ') && LAST_LINE_SPACES.test(text.slice(text.lastIndexOf('\n')))) return true;
  for (const re of SLOW) if (re.test(text)) return true;
  if (DEEP_INDENT.test(text)) return true;
  if (text.length > 1000) {
    let start = 0;
    while (start < text.length) {
      let end = text.indexOf('\n', start);
      if (end < 0) end = text.length;
      if (end - start > 1000 && !LONG_LINE_KEY.test(text.slice(start, end))) return true;
      start = end + 1;
    }
  }
  return spansLines(text);
}

/**
 * Pure: the value of a one-document chunk (see splitDocuments) when the fast parser can vouch for it,
 * i.e. `yaml` would read the same value with no error and no warning; otherwise undefined (slow path).
 * An empty or comment-only chunk has the value null.
 */
export function fastLoad(text: string): { value: unknown } | undefined {
  if (needsSlowPath(text)) return undefined;
  let warned = false;
  try {
    const value = load(text, { schema: SCHEMA, onWarning: () => (warned = true) });
    return warned ? undefined : { value: value === undefined ? null : value };
  } catch {
    return undefined;
  }
}

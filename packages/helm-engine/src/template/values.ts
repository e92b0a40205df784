// The value model: how Go values (as helm hands them to templates) live in JavaScript.
//   number  = float64 (helm parses every YAML/JSON number to float64)   bigint = int / int64
//   string, boolean; null = a nil interface (a missing or null map entry); undefined = Go's "no value"
//   arrays = []interface{}; plain objects = map[string]interface{}; GoObject = a value with methods (.Files).

export type GoValue = null | undefined | boolean | string | number | bigint | GoValue[] | GoMap | GoObject;
export interface GoMap {
  [key: string]: GoValue;
}

/** A Go value with methods (helm's .Files), called as `.Files.Get "x"`. */
export abstract class GoObject {
  abstract readonly goType: string;
  abstract method(name: string): ((...args: GoValue[]) => GoValue) | undefined;
  /** A Go map type with methods (helm's Files) ranges over its entries; others are not rangeable. */
  mapEntries(): Array<[string, GoValue]> | undefined {
    return undefined;
  }
  /** fmt's %v: a Stringer prints its String(), other structs their type. */
  toString(): string {
    return `{${this.goType}}`;
  }
}

export const isMap = (v: unknown): v is GoMap =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof GoObject) && !(v instanceof Uint8Array);

export function goTypeName(v: GoValue): string {
  if (v === null || v === undefined) return 'interface {}';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return 'float64';
  if (typeof v === 'bigint') return 'int';
  if (Array.isArray(v)) return '[]interface {}';
  if (v instanceof GoObject) return v.goType;
  return 'map[string]interface {}';
}

/** Go's template truth: false, 0, nil, empty string/slice/map are false. */
export function isTrue(v: GoValue): boolean {
  if (v === null || v === undefined) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') return v.length > 0;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'bigint') return v !== 0n;
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof GoObject) return true;
  return Object.keys(v).length > 0;
}

/** strconv.FormatFloat(f, 'g', -1, 64), fmt's %v of a float64: exponent form when exp < -4 || exp >= 6. */
export function formatFloat(f: number): string {
  if (Number.isNaN(f)) return 'NaN';
  if (f === Number.POSITIVE_INFINITY) return '+Inf';
  if (f === Number.NEGATIVE_INFINITY) return '-Inf';
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  // toExponential() without digits gives the shortest round-trip mantissa, as Go's shortest formatting.
  const [mant, expS] = f.toExponential().split('e') as [string, string];
  const exp = Number(expS);
  if (exp < -4 || exp >= 6) {
    const e = Math.abs(exp);
    return `${mant}e${exp < 0 ? '-' : '+'}${e < 10 ? `0${e}` : e}`;
  }
  return String(f);
}

/** fmt's %v of a value (used by print, printf %v, toString, and the final output of an action). */
export function formatV(v: GoValue, top = true): string {
  if (v === undefined) return top ? '<no value>' : '<nil>';
  if (v === null) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return formatFloat(v);
  if (typeof v === 'bigint') return v.toString();
  if (Array.isArray(v)) return `[${v.map((x) => formatV(x, false)).join(' ')}]`;
  if (v instanceof Uint8Array) return `[${Array.from(v).join(' ')}]`;
  if (v instanceof GoObject) return v.toString();
  const keys = Object.keys(v).sort();
  return `map[${keys.map((k) => `${k}:${formatV(v[k], false)}`).join(' ')}]`;
}

/** strconv.Quote: Go's %q of a string. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (c === 7) out += '\\a';
    else if (c === 8) out += '\\b';
    else if (c === 12) out += '\\f';
    else if (c === 10) out += '\\n';
    else if (c === 13) out += '\\r';
    else if (c === 9) out += '\\t';
    else if (c === 11) out += '\\v';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else if (c === 0xfffd && ch !== '\ufffd') out += '\\ufffd';
    else if (!isGoPrintable(c)) {
      out += c > 0xffff ? `\\U${c.toString(16).padStart(8, '0')}` : `\\u${c.toString(16).padStart(4, '0')}`;
    } else out += ch;
  }
  return `${out}"`;
}

function isGoPrintable(c: number): boolean {
  if (c < 0x7f) return c >= 0x20;
  if (c >= 0x80 && c < 0xa0) return false;
  if (c === 0xad) return false;
  // Unicode categories L, M, N, P, S and the ASCII space are printable in Go.
  return /[\p{L}\p{M}\p{N}\p{P}\p{S}]/u.test(String.fromCodePoint(c));
}

export class FmtError extends Error {}

/** fmt.Sprintf for the verbs templates use: %v %s %d %q %t %f %e %g %x %X %o %b %c %T %%, flags, width, precision. */
export function sprintf(format: string, args: GoValue[]): string {
  let out = '';
  let ai = 0;
  for (let i = 0; i < format.length; i++) {
    const c = format[i]!;
    if (c !== '%') {
      out += c;
      continue;
    }
    const m = /^([-+# 0]*)(\*|\d+)?(?:\.(\*|\d*))?([a-zA-Z%])/.exec(format.slice(i + 1));
    if (!m) {
      out += '%!(NOVERB)';
      break;
    }
    i += m[0].length;
    const flags = m[1]!;
    const width = m[2] === '*' ? Number(args[ai++]) : m[2] ? Number(m[2]) : undefined;
    const precision = m[3] === '*' ? Number(args[ai++]) : m[3] !== undefined ? Number(m[3] || '0') : undefined;
    const verb = m[4]!;
    if (verb === '%') {
      out += '%';
      continue;
    }
    if (ai >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    const a = args[ai++];
    out += fmtArg(verb, a, flags, width !== undefined && width >= 0 ? width : undefined, precision, 0);
  }
  if (ai < args.length)
    out += `%!(EXTRA ${args
      .slice(ai)
      .map((a) => `${goTypeName(a)}=${formatV(a, false)}`)
      .join(', ')})`;
  return out;
}

/** One operand: slices and maps are printed element by element with the same verb, width and flags. */
function fmtArg(
  verb: string,
  a: GoValue,
  flags: string,
  width: number | undefined,
  precision: number | undefined,
  depth: number,
): string {
  if (verb !== 'T') {
    if (Array.isArray(a)) return `[${a.map((x) => fmtArg(verb, x, flags, width, precision, depth + 1)).join(' ')}]`;
    if (isMap(a)) {
      const keys = Object.keys(a).sort();
      return `map[${keys.map((k) => `${fmtArg(verb, k, flags, width, precision, depth + 1)}:${fmtArg(verb, a[k], flags, width, precision, depth + 1)}`).join(' ')}]`;
    }
  }
  let s = (a === null || a === undefined) && depth > 0 ? '<nil>' : formatVerb(verb, a, flags, precision, width);
  if (s.startsWith('%!') && verb !== 'v') return s;
  if (width !== undefined) {
    const len = [...s].length;
    if (len < width) {
      if (flags.includes('-')) s += ' '.repeat(width - len);
      else if (flags.includes('0') && /[dfegxXob]/.test(verb) && typeof a !== 'string') {
        const sign = /^[+-]/.test(s) ? s.charAt(0) : '';
        s = sign + '0'.repeat(width - len) + s.slice(sign.length);
      } else s = ' '.repeat(width - len) + s;
    }
  }
  return s;
}

/** fmt's bad-verb form: the argument inside is printed with %v under the same width and precision. */
function badVerb(verb: string, a: GoValue, flags = '', width?: number, precision?: number): string {
  if (a === null || a === undefined) return `%!${verb}(<nil>)`;
  let inner =
    typeof a === 'string' && precision !== undefined ? [...a].slice(0, precision).join('') : formatV(a, false);
  if (typeof a === 'number' && precision !== undefined) inner = formatG(a, precision);
  if (width !== undefined && [...inner].length < width) {
    const pad = ' '.repeat(width - [...inner].length);
    inner = flags.includes('-') ? inner + pad : pad + inner;
  }
  return `%!${verb}(${goTypeName(a)}=${inner})`;
}

/** strconv.FormatFloat(f, 'x', -1, 64): Go's %x of a float64 (hexadecimal mantissa, binary exponent). */
function hexFloat(f: number): string {
  if (!Number.isFinite(f)) return formatFloat(f);
  const sign = f < 0 || Object.is(f, -0) ? '-' : '';
  let a = Math.abs(f);
  if (a === 0) return `${sign}0x0p+00`;
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  if (2 ** (e + 1) <= a) e++;
  let m = a / 2 ** e - 1;
  let digits = '';
  while (m > 0 && digits.length < 13) {
    m *= 16;
    const d = Math.floor(m);
    digits += d.toString(16);
    m -= d;
  }
  a = Math.abs(e);
  return `${sign}0x1${digits ? `.${digits}` : ''}p${e < 0 ? '-' : '+'}${a < 10 ? `0${a}` : a}`;
}

function formatVerb(verb: string, a: GoValue, flags: string, precision: number | undefined, width?: number): string {
  const plus = flags.includes('+');
  const bad = (v: string, x: GoValue) => badVerb(v, x, flags, width, precision);
  switch (verb) {
    case 'v':
      if (typeof a === 'number' && precision !== undefined) return formatG(a, precision);
      if (flags.includes('#') && typeof a === 'string') return goQuote(a);
      if (plus && typeof a === 'number' && a >= 0) return `+${formatFloat(a)}`;
      return a === undefined ? '<nil>' : formatV(a, false);
    case 's':
      if (typeof a === 'string') return precision !== undefined ? [...a].slice(0, precision).join('') : a;
      if (a === null || a === undefined) return '%!s(<nil>)';
      if (typeof a === 'number' || typeof a === 'bigint' || typeof a === 'boolean') return bad(verb, a);
      return formatV(a, false);
    case 'q':
      if (typeof a === 'string') return goQuote(a);
      if (typeof a === 'bigint') return `'${String.fromCodePoint(Number(a))}'`;
      return bad(verb, a);
    case 'd':
      if (typeof a === 'bigint') return plus && a >= 0n ? `+${a}` : a.toString();
      if (Array.isArray(a)) return `[${a.map((x) => formatVerb('d', x, flags, precision)).join(' ')}]`;
      return bad(verb, a);
    case 't':
      return typeof a === 'boolean' ? String(a) : bad(verb, a);
    case 'f':
    case 'F':
      if (typeof a === 'number') {
        const s = a.toFixed(precision ?? 6);
        return plus && a >= 0 ? `+${s}` : s;
      }
      return bad(verb, a);
    case 'e':
      if (typeof a === 'number') return expForm(a.toExponential(precision ?? 6));
      return bad(verb, a);
    case 'g':
    case 'G': {
      if (typeof a !== 'number') return bad(verb, a);
      const g = precision !== undefined ? formatG(a, precision) : formatFloat(a);
      return verb === 'G' ? g.toUpperCase() : g;
    }
    case 'E':
      if (typeof a === 'number') return expForm(a.toExponential(precision ?? 6)).toUpperCase();
      return bad(verb, a);
    case 'x':
    case 'X': {
      let s: string;
      if (typeof a === 'bigint') s = (a < 0n ? '-' : '') + (a < 0n ? -a : a).toString(16);
      else if (typeof a === 'string') s = Buffer.from(a, 'utf8').toString('hex');
      else if (typeof a === 'number') s = hexFloat(a);
      else return bad(verb, a);
      if (flags.includes('#')) s = `0x${s}`;
      return verb === 'X' ? s.toUpperCase() : s;
    }
    case 'o':
      return typeof a === 'bigint' ? a.toString(8) : bad(verb, a);
    case 'b':
      return typeof a === 'bigint' ? a.toString(2) : bad(verb, a);
    case 'c':
      return typeof a === 'bigint' ? String.fromCodePoint(Number(a)) : bad(verb, a);
    case 'T':
      return a === undefined || a === null ? '<nil>' : goTypeName(a);
    default:
      return `%!${verb}(${goTypeName(a)}=${formatV(a, false)})`;
  }
}

function expForm(s: string): string {
  return s.replace(/e([+-])(\d)$/, 'e$10$2');
}

function formatG(f: number, precision: number): string {
  const p = precision === 0 ? 1 : precision;
  const e = f.toExponential(p - 1);
  const exp = Number(e.split('e')[1]);
  if (exp < -4 || exp >= p) return expForm(e.replace(/\.?0+e/, 'e'));
  return f
    .toFixed(Math.max(0, p - 1 - exp))
    .replace(/(\.\d*?)0+$/, '$1')
    .replace(/\.$/, '');
}

/** fmt.Sprint: spaces between operands when neither side is a string. */
export function sprint(args: GoValue[]): string {
  let out = '';
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (i > 0 && typeof a !== 'string' && typeof args[i - 1] !== 'string') out += ' ';
    out += a === undefined ? '<nil>' : formatV(a, false);
  }
  return out;
}
export function sprintln(args: GoValue[]): string {
  return `${args.map((a) => (a === undefined ? '<nil>' : formatV(a, false))).join(' ')}\n`;
}

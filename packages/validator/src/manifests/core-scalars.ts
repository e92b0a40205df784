// How the `yaml` library's YAML 1.2 core schema (yaml/dist/schema/core) reads a plain scalar: the same
// tests, in the same order, and the same values. Both fast parsers of manifests mode (fast-parse.ts through
// js-yaml, quick-yaml.ts by itself) read plain scalars with these, so that they agree with the slow path.

// Most plain scalars are names and words: a look at the first character settles them before any pattern.
const isDigitOrSign = (c: number) => (c >= 48 && c <= 57) || c === 43 /* + */ || c === 45 /* - */ || c === 46; /* . */

export const isCoreNull = (s: string): boolean => s.length <= 4 && /^(?:~|[Nn]ull|NULL)?$/.test(s);

export const isCoreBool = (s: string): boolean =>
  (s.length === 4 || s.length === 5) && /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/.test(s);
export const coreBool = (s: string): boolean => s[0] === 't' || s[0] === 'T';

export const isCoreInt = (s: string): boolean =>
  isDigitOrSign(s.charCodeAt(0)) && (/^0o[0-7]+$/.test(s) || /^[-+]?[0-9]+$/.test(s) || /^0x[0-9a-fA-F]+$/.test(s));
export const coreInt = (s: string): number =>
  /^0o/.test(s) ? parseInt(s.substring(2), 8) : /^0x/.test(s) ? parseInt(s.substring(2), 16) : parseInt(s, 10);

export const isCoreFloat = (s: string): boolean =>
  isDigitOrSign(s.charCodeAt(0)) &&
  (/^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/.test(s) ||
    /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/.test(s) ||
    /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/.test(s));
export const coreFloat = (s: string): number =>
  /^[-+]?\.(?:inf|Inf|INF)$/.test(s)
    ? s[0] === '-'
      ? Number.NEGATIVE_INFINITY
      : Number.POSITIVE_INFINITY
    : /^\.(?:nan|NaN|NAN)$/.test(s)
      ? NaN
      : parseFloat(s);

/** The value of a (non-empty) plain scalar: null, a boolean, a number, or the text itself. */
export function corePlain(s: string): unknown {
  const c = s.charCodeAt(0);
  // A first character that begins no null, boolean or number: a string (most scalars).
  if (!isDigitOrSign(c) && c !== 126 /* ~ */ && c !== 110 && c !== 78 /* n N */ && c !== 116 && c !== 84 /* t T */)
    if (c !== 102 && c !== 70 /* f F */) return s;
  if (isCoreNull(s)) return null;
  if (isCoreBool(s)) return coreBool(s);
  if (isCoreInt(s)) return coreInt(s);
  if (isCoreFloat(s)) return coreFloat(s);
  return s;
}

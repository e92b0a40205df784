// text/template's predefined functions (go/src/text/template/funcs.go), and/or excepted (lazy, in exec.ts).
import type { FuncDef, FuncMap } from './exec.js';
import { FuncError } from './exec.js';
import { type GoValue, GoObject, goTypeName, isMap, isTrue, sprint, sprintf, sprintln } from './values.js';

type Kind = 'bool' | 'int' | 'float' | 'string' | 'nil' | 'other';
function basicKind(v: GoValue): Kind {
  if (v === null || v === undefined) return 'nil';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'number') return 'float';
  if (typeof v === 'string') return 'string';
  return 'other';
}

export function goEq(a: GoValue, b: GoValue): boolean {
  const k1 = basicKind(a);
  const k2 = basicKind(b);
  if (k1 !== k2) {
    if (k1 !== 'nil' && k2 !== 'nil')
      throw new FuncError(`incompatible types for comparison: ${goTypeName(a)} and ${goTypeName(b)}`);
    return false;
  }
  if (k1 === 'nil') return true;
  if (k1 === 'other') {
    if (v2Comparable(a) && v2Comparable(b)) return a === b;
    throw new FuncError(`non-comparable type ${formatShort(b)}: ${goTypeName(b)}`);
  }
  return a === b;
}
const v2Comparable = (v: GoValue) => v instanceof GoObject;
function formatShort(v: GoValue): string {
  return Array.isArray(v) ? `[${v.length} items]` : isMap(v) ? 'map' : String(v);
}

function goLt(a: GoValue, b: GoValue): boolean {
  const k1 = basicKind(a);
  const k2 = basicKind(b);
  if (k1 === 'nil' || k1 === 'other' || k1 === 'bool') throw new FuncError('invalid type for comparison');
  if (k1 !== k2) {
    if (k2 === 'nil' || k2 === 'other' || k2 === 'bool') throw new FuncError('invalid type for comparison');
    throw new FuncError(`incompatible types for comparison: ${goTypeName(a)} and ${goTypeName(b)}`);
  }
  return (a as number) < (b as number);
}

function f(params: FuncDef['params'], fn: FuncDef['fn'], variadic?: FuncDef['variadic']): FuncDef {
  return { params, fn, variadic };
}

export function goIndex(item: GoValue, ...idx: GoValue[]): GoValue {
  let v = item;
  if (v === null || v === undefined) throw new FuncError('index of untyped nil');
  for (const i of idx) {
    if (v === null || v === undefined) throw new FuncError('index of nil pointer');
    if (Array.isArray(v) || typeof v === 'string') {
      if (typeof i !== 'bigint') throw new FuncError(`cannot index slice/array with type ${goTypeName(i)}`);
      const len = typeof v === 'string' ? Buffer.byteLength(v) : v.length;
      if (i < 0n || i >= BigInt(len)) throw new FuncError(`index out of range: ${i}`);
      v = typeof v === 'string' ? BigInt(Buffer.from(v)[Number(i)]!) : (v[Number(i)] ?? null);
    } else if (isMap(v)) {
      if (i === null || i === undefined) throw new FuncError('value is nil; should be of type string');
      if (typeof i !== 'string') throw new FuncError(`value has type ${goTypeName(i)}; should be string`);
      v = Object.hasOwn(v, i) ? (v[i] ?? null) : null;
    } else throw new FuncError(`can't index item of type ${goTypeName(v)}`);
  }
  return v;
}

function htmlEscape(s: string): string {
  return s.replace(/[<>&'"\0]/g, (c) =>
    c === '<'
      ? '&lt;'
      : c === '>'
        ? '&gt;'
        : c === '&'
          ? '&amp;'
          : c === "'"
            ? '&#39;'
            : c === '"'
              ? '&#34;'
              : '\uFFFD',
  );
}
function jsEscape(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === "'") out += "\\'";
    else if (ch === '"') out += '\\"';
    else if (ch === '<') out += '\\u003C';
    else if (ch === '>') out += '\\u003E';
    else if (ch === '&') out += '\\u0026';
    else if (ch === '=') out += '\\u003D';
    else if (c < 0x20) out += `\\u${c.toString(16).toUpperCase().padStart(4, '0')}`;
    else out += ch;
  }
  return out;
}

export function builtinFuncs(): FuncMap {
  const m: FuncMap = new Map();
  m.set(
    'and',
    f(['raw'], () => null, 'raw'),
  );
  m.set(
    'or',
    f(['raw'], () => null, 'raw'),
  );
  m.set(
    'not',
    f(['raw'], (a) => !isTrue(a)),
  );
  m.set(
    'len',
    f(['raw'], (a) => {
      if (a === null || a === undefined) throw new FuncError('len of nil pointer');
      if (typeof a === 'string') return BigInt(Buffer.byteLength(a));
      if (Array.isArray(a)) return BigInt(a.length);
      if (isMap(a)) return BigInt(Object.keys(a).length);
      throw new FuncError(`len of type ${goTypeName(a)}`);
    }),
  );
  m.set(
    'index',
    f(['raw'], (item, ...idx) => goIndex(item, ...idx), 'raw'),
  );
  m.set(
    'slice',
    f(
      ['raw'],
      (item, ...idx) => {
        if (item === null || item === undefined) throw new FuncError('slice of untyped nil');
        const n = idx.map((i) => {
          if (typeof i !== 'bigint') throw new FuncError(`cannot index slice/array with type ${goTypeName(i)}`);
          return Number(i);
        });
        if (typeof item === 'string') {
          const b = Buffer.from(item);
          return b.subarray(n[0] ?? 0, n[1] ?? b.length).toString();
        }
        if (Array.isArray(item)) return item.slice(n[0] ?? 0, n[1] ?? item.length);
        throw new FuncError(`can't slice item of type ${goTypeName(item)}`);
      },
      'raw',
    ),
  );
  m.set(
    'print',
    f([], (...a) => sprint(a), 'any'),
  );
  m.set(
    'printf',
    f(['string'], (fmt, ...a) => sprintf(fmt as string, a), 'any'),
  );
  m.set(
    'println',
    f([], (...a) => sprintln(a), 'any'),
  );
  m.set(
    'eq',
    f(
      ['raw'],
      (a, ...rest) => {
        if (rest.length === 0) throw new FuncError('missing argument for comparison');
        return rest.some((b) => goEq(a, b));
      },
      'raw',
    ),
  );
  m.set(
    'ne',
    f(['raw', 'raw'], (a, b) => !goEq(a, b)),
  );
  m.set(
    'lt',
    f(['raw', 'raw'], (a, b) => goLt(a, b)),
  );
  m.set(
    'le',
    f(['raw', 'raw'], (a, b) => goLt(a, b) || goEq(a, b)),
  );
  m.set(
    'gt',
    f(['raw', 'raw'], (a, b) => !goLt(a, b) && !goEq(a, b)),
  );
  m.set(
    'ge',
    f(['raw', 'raw'], (a, b) => !goLt(a, b)),
  );
  m.set(
    'html',
    f([], (...a) => htmlEscape(sprint(a)), 'any'),
  );
  m.set(
    'js',
    f([], (...a) => jsEscape(sprint(a)), 'any'),
  );
  m.set(
    'urlquery',
    f(
      [],
      (...a) =>
        encodeURIComponent(sprint(a))
          .replace(/%20/g, '+')
          .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`),
      'any',
    ),
  );
  m.set(
    'call',
    f(
      ['raw'],
      () => {
        throw new FuncError('call of a function value is not supported by the native engine');
      },
      'raw',
    ),
  );
  return m;
}

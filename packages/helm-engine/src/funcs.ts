// Sprig v3 (github.com/Masterminds/sprig functions.go, strings.go, list.go, dict.go, numeric.go read as the
// spec) plus helm's own functions (pkg/engine/funcs.go). A function a chart calls that is missing here is a
// parse error naming it, as Go reports an undefined function.
import { createHash, randomInt, randomUUID } from 'node:crypto';
import semver from 'semver';
import { fromGoJson, GoYamlError, parseGoYaml, toGoJson, toGoYaml, defineKey } from './goyaml.js';
import { goEq, goIndex } from './template/builtins.js';
import { type FuncDef, FuncError, type FuncMap, type ParamType, STRING_SLICES } from './template/exec.js';
import { formatV, type GoMap, type GoValue, GoObject, goQuote, goTypeName, isMap, sprintf } from './template/values.js';

function f(params: ParamType[], fn: FuncDef['fn'], variadic?: ParamType): FuncDef {
  return { params, fn, variadic };
}

/** sprig's strval: strings as they are, everything else as fmt's %v. */
export function strval(v: GoValue): string {
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return '<nil>';
  return formatV(v, false);
}

/** sprig's empty (reflect-based truthiness). */
export function empty(v: GoValue): boolean {
  if (v === null || v === undefined) return true;
  if (typeof v === 'string') return v.length === 0;
  if (typeof v === 'boolean') return !v;
  if (typeof v === 'number') return v === 0;
  if (typeof v === 'bigint') return v === 0n;
  if (Array.isArray(v)) return v.length === 0;
  if (v instanceof GoObject) return false;
  return Object.keys(v).length === 0;
}

/** spf13/cast ToInt64 (errors give 0, as sprig ignores them). */
export function toInt64(v: GoValue): bigint {
  if (typeof v === 'bigint') return v;
  // Go's int64(f) on amd64: out of range (and NaN) gives the minimum int64.
  if (typeof v === 'number') return Number.isFinite(v) && Math.abs(v) < 2 ** 63 ? BigInt(Math.trunc(v)) : -(2n ** 63n);
  if (typeof v === 'boolean') return v ? 1n : 0n;
  if (typeof v === 'string') {
    const s = v.replace(/^([+-]?\d+)\.0*$/, '$1');
    const m = /^([+-]?)(0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO]?[0-7_]*|[1-9][0-9_]*)$/.exec(s);
    if (!m) return 0n;
    let body = m[2]!.replace(/_/g, '');
    if (/^0[0-7]+$/.test(body)) body = `0o${body.slice(1)}`;
    else if (/^0[oO]/.test(body)) body = `0o${body.slice(2)}`;
    try {
      const b = BigInt(body);
      return m[1] === '-' ? -b : b;
    } catch {
      return 0n;
    }
  }
  return 0n;
}
function toFloat64(v: GoValue): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') {
    const t = v.trim() === v ? v : '';
    const n = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t) ? Number(t) : Number.NaN;
    return Number.isNaN(n) ? 0 : n;
  }
  return 0;
}

function strslice(v: GoValue): string[] {
  if (Array.isArray(v)) return v.filter((x) => x !== null && x !== undefined).map(strval);
  if (v === null || v === undefined) return [];
  return [strval(v)];
}
function stringList(a: string[]): GoValue[] {
  STRING_SLICES.add(a);
  return a;
}

function asList(v: GoValue, fn: string): GoValue[] {
  if (Array.isArray(v)) return v;
  throw new FuncError(`Cannot ${fn} on type ${goTypeName(v)}`);
}

/** A copy of a value tree that shares nothing with it (helm's copystructure of values). */
export function deepCopy(v: GoValue): GoValue {
  if (Array.isArray(v)) return v.map(deepCopy);
  if (isMap(v)) {
    const o: GoMap = {};
    for (const [k, e] of Object.entries(v)) defineKey(o, k, deepCopy(e));
    return o;
  }
  return v;
}

/** dario.cat/mergo Merge of map[string]interface{} (overwrite: MergeWithOverwrite). */
function mergo(dst: GoMap, src: GoMap, overwrite: boolean): void {
  for (const [k, s] of Object.entries(src)) {
    if (s === null || s === undefined) continue;
    const d = Object.hasOwn(dst, k) ? dst[k] : undefined;
    if (isMap(s) && isMap(d)) {
      mergo(d, s, overwrite);
      continue;
    }
    if (d !== undefined && !empty(d) && (isMap(s) || Array.isArray(s)) && !overwrite) continue;
    if (overwrite || d === undefined || empty(d)) defineKey(dst, k, s);
  }
}

function goRegex(re: string): RegExp {
  try {
    // RE2 and JavaScript agree on the syntax charts use; (?i) and friends become flags.
    const m = /^\(\?([imsU]+)\)/.exec(re);
    let flags = 'u';
    let body = re;
    if (m) {
      body = re.slice(m[0].length);
      if (m[1]!.includes('i')) flags += 'i';
      if (m[1]!.includes('m')) flags += 'm';
      if (m[1]!.includes('s')) flags += 's';
    }
    body = body.replace(/\\z/g, '$').replace(/\(\?P</g, '(?<');
    return new RegExp(body, flags);
  } catch (e) {
    throw new FuncError(`error parsing regexp: ${(e as Error).message}`);
  }
}
/** Go's Regexp.Expand: $1, ${1}, $name, ${name}; $$ is a dollar. */
function goExpand(repl: string, m: RegExpExecArray): string {
  return repl.replace(/\$(\$|\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))/g, (_all, d, braced, bare) => {
    if (d === '$') return '$';
    const name = (braced ?? bare) as string;
    if (/^\d+$/.test(name)) return m[Number(name)] ?? '';
    return m.groups?.[name] ?? '';
  });
}

function semverParse(v: string): semver.SemVer {
  const s = semver.parse(v.replace(/^v/, ''), { loose: true }) ?? semver.coerce(v, { includePrerelease: true });
  if (!s || !/^v?\d+(\.\d+){0,2}([-+].*)?$/.test(v)) throw new FuncError('Invalid Semantic Version');
  return s;
}

/** Masterminds/semver v3 constraint check (helm's kubeVersion and sprig's semverCompare). */
export function semverSatisfies(constraint: string, version: string): boolean {
  // Pure and asked again for every render (dependency versions, kubeVersion): answers memoized, bounded.
  const key = `${constraint}\u0000${version}`;
  let ok = SATISFIES.get(key);
  if (ok === undefined) {
    ok = semverSatisfiesUncached(constraint, version);
    if (SATISFIES.size >= 1000) SATISFIES.delete(SATISFIES.keys().next().value!);
    SATISFIES.set(key, ok);
  }
  return ok;
}

const SATISFIES = new Map<string, boolean>();

function semverSatisfiesUncached(constraint: string, version: string): boolean {
  const v = semverParse(version);
  const ranges = constraint.split('||').map((part) =>
    part
      .trim()
      .replace(/,\s*/g, ' ')
      .replace(/(>=|<=|>|<|=|!=|~|\^)\s+/g, '$1'),
  );
  return ranges.some((r) => {
    const terms = r.split(/\s+/).filter(Boolean);
    return terms.every((t) => {
      if (t.startsWith('!=')) return !semver.eq(v, semverParse(t.slice(2)));
      const range = new semver.Range(t.replace(/^=/, ''), {
        loose: true,
        includePrerelease: /-/.test(t) || v.prerelease.length === 0,
      });
      return range.test(v);
    });
  });
}

/** The Sprig (and helm) function map: a fresh map per render over entries built once (they hold no state). */
export function sprigFuncs(): FuncMap {
  SPRIG ??= buildSprigFuncs();
  return new Map(SPRIG);
}

let SPRIG: FuncMap | undefined;

function buildSprigFuncs(): FuncMap {
  const m: FuncMap = new Map();
  const S = (name: string, fn: (s: string) => GoValue) =>
    m.set(
      name,
      f(['string'], (s) => fn(s as string)),
    );
  // strings
  m.set(
    'trunc',
    f(['int', 'string'], (c, s) => {
      const b = Buffer.from(s as string);
      const n = Number(c);
      if (n < 0 && b.length + n > 0) return b.subarray(b.length + n).toString();
      if (n >= 0 && b.length > n) return b.subarray(0, n).toString();
      return s;
    }),
  );
  S('trim', (s) => s.replace(/^[\s\u0085\u00a0]+|[\s\u0085\u00a0]+$/g, ''));
  S('upper', (s) => s.toUpperCase());
  S('lower', (s) => s.toLowerCase());
  S('title', (s) => s.replace(/(^|[^\p{L}\p{N}_'])(\p{L})/gu, (_a, p, c) => p + c.toUpperCase()));
  S('untitle', (s) => s.replace(/(^|\s)(\S)/g, (_a, p, c) => p + c.toLowerCase()));
  m.set(
    'substr',
    f(['int', 'int', 'string'], (a, b, s) => {
      const buf = Buffer.from(s as string);
      const start = Number(a);
      const end = Number(b);
      if (start < 0) return buf.subarray(0, end).toString();
      if (end < 0 || end > buf.length) return buf.subarray(start).toString();
      if (start > end) throw new FuncError(`slice bounds out of range [${start}:${end}]`);
      return buf.subarray(start, end).toString();
    }),
  );
  m.set(
    'repeat',
    f(['int', 'string'], (c, s) => (s as string).repeat(Number(c))),
  );
  const trimSet = (s: string, cut: string) => {
    const set = new Set([...cut]);
    const ch = [...s];
    let a = 0;
    let b = ch.length;
    while (a < b && set.has(ch[a]!)) a++;
    while (b > a && set.has(ch[b - 1]!)) b--;
    return ch.slice(a, b).join('');
  };
  m.set(
    'trimAll',
    f(['string', 'string'], (a, b) => trimSet(b as string, a as string)),
  );
  m.set(
    'trimall',
    f(['string', 'string'], (a, b) => trimSet(b as string, a as string)),
  );
  m.set(
    'trimSuffix',
    f(['string', 'string'], (a, b) =>
      (b as string).endsWith(a as string) && (a as string) !== '' ? (b as string).slice(0, -(a as string).length) : b,
    ),
  );
  m.set(
    'trimPrefix',
    f(['string', 'string'], (a, b) =>
      (b as string).startsWith(a as string) ? (b as string).slice((a as string).length) : b,
    ),
  );
  // goutils DeleteWhiteSpace walks bytes, not runes: each non-space byte is written back as the rune of
  // that value (so non-ASCII text turns into Latin-1 characters, and bytes 0x85 and 0xA0 are dropped).
  S('nospace', (s) =>
    Array.from(Buffer.from(s, 'utf8'))
      .filter((b) => !(b === 0x20 || (b >= 0x09 && b <= 0x0d) || b === 0x85 || b === 0xa0))
      .map((b) => String.fromCharCode(b))
      .join(''),
  );
  S('initials', (s) =>
    s
      .split(/\s+/)
      .filter(Boolean)
      .map((w) => [...w][0])
      .join(''),
  );
  S('swapcase', (s) => [...s].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join(''));
  S('snakecase', (s) => caseWords(s).join('_'));
  S('kebabcase', (s) => caseWords(s).join('-'));
  S('camelcase', (s) =>
    s
      .split(/[_\s-]+/)
      .filter(Boolean)
      .map((w) => w[0]!.toUpperCase() + w.slice(1))
      .join(''),
  );
  m.set(
    'wrap',
    f(['int', 'string'], (l, s) => wrap(s as string, Number(l), '\n')),
  );
  m.set(
    'wrapWith',
    f(['int', 'string', 'string'], (l, sep, s) => wrap(s as string, Number(l), sep as string)),
  );
  m.set(
    'contains',
    f(['string', 'string'], (a, b) => (b as string).includes(a as string)),
  );
  m.set(
    'hasPrefix',
    f(['string', 'string'], (a, b) => (b as string).startsWith(a as string)),
  );
  m.set(
    'hasSuffix',
    f(['string', 'string'], (a, b) => (b as string).endsWith(a as string)),
  );
  // quote, squote and cat: the arguments that are not nil, each as a string formatted, joined by spaces.
  const joined = (format: (s: string) => string) =>
    f(
      [],
      (...a) =>
        a
          .filter((x) => x !== null && x !== undefined)
          .map((x) => format(strval(x)))
          .join(' '),
      'any',
    );
  m.set('quote', joined(goQuote));
  m.set(
    'squote',
    joined((s) => `'${s}'`),
  );
  m.set(
    'cat',
    joined((s) => s),
  );
  const indent = (n: GoValue, s: GoValue) => {
    const pad = ' '.repeat(Number(n));
    return pad + (s as string).split('\n').join(`\n${pad}`);
  };
  m.set('indent', f(['int', 'string'], indent));
  m.set(
    'nindent',
    f(['int', 'string'], (n, s) => `\n${indent(n, s)}`),
  );
  m.set(
    'replace',
    f(['string', 'string', 'string'], (o, n, s) => goReplaceAll(s as string, o as string, n as string)),
  );
  m.set(
    'plural',
    f(['string', 'string', 'int'], (one, many, c) => (c === 1n ? one : many)),
  );
  S('sha1sum', (s) => createHash('sha1').update(s).digest('hex'));
  S('sha256sum', (s) => createHash('sha256').update(s).digest('hex'));
  S('sha512sum', (s) => createHash('sha512').update(s).digest('hex'));
  S('adler32sum', (s) => String(adler32(Buffer.from(s))));
  m.set(
    'toString',
    f(['any'], (v) => strval(v)),
  );
  m.set(
    'atoi',
    f(['string'], (s) => (/^[+-]?\d+$/.test(s as string) ? BigInt(s as string) : 0n)),
  );
  m.set(
    'int64',
    f(['any'], (v) => toInt64(v)),
  );
  m.set(
    'int',
    f(['any'], (v) => toInt64(v)),
  );
  m.set(
    'float64',
    f(['any'], (v) => toFloat64(v)),
  );
  m.set(
    'toDecimal',
    f(['any'], (v) => {
      // strconv.ParseInt(fmt.Sprint(v), 8, 64)
      const m = /^([+-]?)([0-7]+)$/.exec(strval(v));
      if (!m) return 0n;
      const n = BigInt(`0o${m[2]}`) * (m[1] === '-' ? -1n : 1n);
      return n >= -(2n ** 63n) && n < 2n ** 63n ? n : 0n;
    }),
  );
  m.set(
    'split',
    f(['string', 'string'], (sep, s) => {
      const o: GoMap = {};
      goSplit(s as string, sep as string, -1).forEach((p, i) => {
        o[`_${i}`] = p;
      });
      return o;
    }),
  );
  m.set(
    'splitList',
    f(['string', 'string'], (sep, s) => stringList(goSplit(s as string, sep as string, -1))),
  );
  m.set(
    'splitn',
    f(['string', 'int', 'string'], (sep, n, s) => {
      const o: GoMap = {};
      goSplit(s as string, sep as string, Number(n)).forEach((p, i) => {
        o[`_${i}`] = p;
      });
      return o;
    }),
  );
  m.set(
    'toStrings',
    f(['any'], (v) => stringList(strslice(v))),
  );
  m.set(
    'join',
    f(['string', 'any'], (sep, v) => strslice(v).join(sep as string)),
  );
  m.set(
    'sortAlpha',
    f(['any'], (v) => stringList(strslice(Array.isArray(v) ? v : [v]).sort(cmpBytes))),
  );
  // math
  m.set(
    'until',
    f(['int'], (n) => untilStep(0n, n as bigint, (n as bigint) < 0n ? -1n : 1n)),
  );
  m.set(
    'untilStep',
    f(['int', 'int', 'int'], (a, b, c) => untilStep(a as bigint, b as bigint, c as bigint)),
  );
  m.set(
    'seq',
    f(
      [],
      (...p) => {
        const n = p as bigint[];
        let [start, stop, step] =
          n.length === 1 ? [1n, n[0]!, 1n] : n.length === 2 ? [n[0]!, n[1]!, 0n] : [n[0]!, n[2]!, n[1]!];
        if (n.length === 0) return '';
        if (step === 0n) step = stop >= start ? 1n : -1n;
        const out: bigint[] = [];
        if (step > 0n) for (let i = start; i <= stop; i += step) out.push(i);
        else for (let i = start; i >= stop; i += step) out.push(i);
        void start;
        return out.join(' ');
      },
      'int',
    ),
  );
  m.set(
    'add1',
    f(['any'], (v) => toInt64(v) + 1n),
  );
  m.set(
    'add',
    f([], (...a) => a.reduce<bigint>((s, x) => s + toInt64(x), 0n), 'any'),
  );
  m.set(
    'sub',
    f(['any', 'any'], (a, b) => toInt64(a) - toInt64(b)),
  );
  m.set(
    'div',
    f(['any', 'any'], (a, b) => {
      const d = toInt64(b);
      if (d === 0n) throw new FuncError('runtime error: integer divide by zero');
      return toInt64(a) / d;
    }),
  );
  m.set(
    'mod',
    f(['any', 'any'], (a, b) => {
      const d = toInt64(b);
      if (d === 0n) throw new FuncError('runtime error: integer divide by zero');
      return toInt64(a) % d;
    }),
  );
  m.set(
    'mul',
    f(['any'], (a, ...r) => r.reduce<bigint>((s, x) => BigInt.asIntN(64, s * toInt64(x)), toInt64(a)), 'any'),
  );
  m.set(
    'max',
    f(['any'], (a, ...r) => [toInt64(a), ...r.map(toInt64)].sort((x, y) => (x < y ? 1 : x > y ? -1 : 0))[0]!, 'any'),
  );
  m.set('biggest', m.get('max')!);
  m.set(
    'min',
    f(['any'], (a, ...r) => [toInt64(a), ...r.map(toInt64)].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0))[0]!, 'any'),
  );
  m.set(
    'add1f',
    f(['any'], (v) => toFloat64(v) + 1),
  );
  m.set(
    'addf',
    f([], (...a) => a.reduce<number>((s, x) => s + toFloat64(x), 0), 'any'),
  );
  m.set(
    'subf',
    f(['any'], (a, ...r) => r.reduce<number>((s, x) => s - toFloat64(x), toFloat64(a)), 'any'),
  );
  m.set(
    'mulf',
    f(['any'], (a, ...r) => r.reduce<number>((s, x) => s * toFloat64(x), toFloat64(a)), 'any'),
  );
  m.set(
    'divf',
    f(['any'], (a, ...r) => r.reduce<number>((s, x) => s / toFloat64(x), toFloat64(a)), 'any'),
  );
  m.set(
    'maxf',
    f(['any'], (a, ...r) => Math.max(toFloat64(a), ...r.map(toFloat64)), 'any'),
  );
  m.set(
    'minf',
    f(['any'], (a, ...r) => Math.min(toFloat64(a), ...r.map(toFloat64)), 'any'),
  );
  m.set(
    'ceil',
    f(['any'], (a) => Math.ceil(toFloat64(a))),
  );
  m.set(
    'floor',
    f(['any'], (a) => Math.floor(toFloat64(a))),
  );
  m.set(
    'round',
    f(
      ['any', 'int'],
      (a, p, r) => {
        const x = toFloat64(a);
        const pow = 10 ** Number(p);
        const roundOn = r === undefined ? 0.5 : toFloat64(r);
        const digit = pow * x;
        const [, div] = [Math.trunc(digit), digit - Math.trunc(digit)];
        const rounded = div >= roundOn ? Math.ceil(digit) : Math.floor(digit);
        return rounded / pow;
      },
      'float64',
    ),
  );
  m.set(
    'randInt',
    f(['int', 'int'], (a, b) => BigInt(randomInt(Number(a), Number(b)))),
  );
  // defaults and flow
  m.set(
    'default',
    f(['any'], (d, ...g) => (g.length === 0 || empty(g[0] ?? null) ? d : g[0]!), 'any'),
  );
  m.set(
    'empty',
    f(['any'], (v) => empty(v)),
  );
  m.set(
    'coalesce',
    f([], (...a) => a.find((x) => !empty(x)) ?? null, 'any'),
  );
  m.set(
    'all',
    f([], (...a) => a.every((x) => !empty(x)), 'any'),
  );
  m.set(
    'any',
    f([], (...a) => a.some((x) => !empty(x)), 'any'),
  );
  m.set(
    'ternary',
    f(['any', 'any', 'bool'], (a, b, c) => (c ? a : b)),
  );
  m.set('deepCopy', f(['any'], deepCopy));
  m.set(
    'mustDeepCopy',
    f(['any'], (v) => {
      if (v === null) throw new FuncError('deepCopy: nil');
      return deepCopy(v);
    }),
  );
  m.set(
    'typeOf',
    f(['any'], (v) => (v === null ? '<nil>' : goTypeName(v))),
  );
  m.set(
    'typeIs',
    f(['string', 'any'], (t, v) => t === (v === null ? '<nil>' : goTypeName(v))),
  );
  m.set(
    'typeIsLike',
    f(['string', 'any'], (t, v) => t === goTypeName(v) || t === `*${goTypeName(v)}`),
  );
  const kindOf = (v: GoValue) =>
    v === null || v === undefined
      ? 'invalid'
      : typeof v === 'string'
        ? 'string'
        : typeof v === 'boolean'
          ? 'bool'
          : typeof v === 'number'
            ? 'float64'
            : typeof v === 'bigint'
              ? 'int'
              : Array.isArray(v)
                ? 'slice'
                : v instanceof GoObject
                  ? 'struct'
                  : 'map';
  m.set(
    'kindOf',
    f(['any'], (v) => kindOf(v)),
  );
  m.set(
    'kindIs',
    f(['string', 'any'], (t, v) => t === kindOf(v)),
  );
  m.set(
    'deepEqual',
    f(['any', 'any'], (a, b) => deepEq(a, b)),
  );
  // paths, encoding, hashes
  const pathClean = (p: string) => {
    if (p === '') return '.';
    const abs = p.startsWith('/');
    const out: string[] = [];
    for (const seg of p.split('/')) {
      if (seg === '' || seg === '.') continue;
      if (seg === '..') {
        if (out.length && out[out.length - 1] !== '..') out.pop();
        else if (!abs) out.push('..');
      } else out.push(seg);
    }
    const r = (abs ? '/' : '') + out.join('/');
    return r === '' ? '.' : r;
  };
  const base = (p: string) => {
    if (p === '') return '.';
    const t = p.replace(/\/+$/, '');
    if (t === '') return '/';
    return t.slice(t.lastIndexOf('/') + 1);
  };
  const dir = (p: string) => pathClean(p.slice(0, p.lastIndexOf('/') + 1));
  const ext = (p: string) => {
    const b = p.slice(p.lastIndexOf('/') + 1);
    const i = b.lastIndexOf('.');
    return i === -1 ? '' : b.slice(i);
  };
  for (const [n, fn] of [
    ['base', base],
    ['dir', dir],
    ['clean', pathClean],
    ['ext', ext],
    ['osBase', base],
    ['osDir', dir],
    ['osClean', pathClean],
    ['osExt', ext],
  ] as const)
    S(n, fn);
  S('isAbs', (s) => s.startsWith('/'));
  S('osIsAbs', (s) => s.startsWith('/'));
  S('b64enc', (s) => Buffer.from(s, 'utf8').toString('base64'));
  S('b64dec', (s) => {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 !== 0) return 'illegal base64 data at input byte 0';
    return Buffer.from(s, 'base64').toString('utf8');
  });
  S('b32enc', (s) => base32(Buffer.from(s)));
  S('getHostByName', () => '');
  S('uuidv4', () => randomUUID());
  m.set(
    'uuidv4',
    f([], () => randomUUID()),
  );
  const rand = (chars: string) => (n: GoValue) =>
    Array.from({ length: Number(n) }, () => chars[randomInt(chars.length)]).join('');
  const ALPHA = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
  m.set('randAlphaNum', f(['int'], rand(`${ALPHA}0123456789`)));
  m.set('randAlpha', f(['int'], rand(ALPHA)));
  m.set('randNumeric', f(['int'], rand('0123456789')));
  m.set('randAscii', f(['int'], rand(Array.from({ length: 94 }, (_, i) => String.fromCharCode(33 + i)).join(''))));
  // lists
  m.set(
    'list',
    f([], (...a) => a, 'any'),
  );
  m.set(
    'tuple',
    f([], (...a) => a, 'any'),
  );
  const push = f(['any', 'any'], (l, v) => [...asList(l, 'push'), v]);
  m.set('append', push);
  m.set('push', push);
  m.set('mustAppend', push);
  m.set('mustPush', push);
  m.set(
    'prepend',
    f(['any', 'any'], (l, v) => [v, ...asList(l, 'prepend')]),
  );
  m.set('mustPrepend', m.get('prepend')!);
  const first = f(['any'], (l) => (l === null ? null : asList(l, 'find first').length ? asList(l, 'first')[0]! : null));
  m.set('first', first);
  m.set('mustFirst', first);
  m.set(
    'rest',
    f(['any'], (l) => (l === null ? null : asList(l, 'find rest').slice(1))),
  );
  m.set('mustRest', m.get('rest')!);
  m.set(
    'last',
    f(['any'], (l) => {
      if (l === null) return null;
      const a = asList(l, 'find last');
      return a.length ? a[a.length - 1]! : null;
    }),
  );
  m.set('mustLast', m.get('last')!);
  m.set(
    'initial',
    f(['any'], (l) => (l === null ? null : asList(l, 'find initial').slice(0, -1))),
  );
  m.set('mustInitial', m.get('initial')!);
  m.set(
    'reverse',
    f(['any'], (l) => [...asList(l, 'find reverse')].reverse()),
  );
  m.set('mustReverse', m.get('reverse')!);
  const uniq = (l: GoValue) => {
    const out: GoValue[] = [];
    for (const x of asList(l, 'find uniq')) if (!out.some((y) => deepEq(x, y))) out.push(x);
    return out;
  };
  m.set('uniq', f(['any'], uniq));
  m.set('mustUniq', f(['any'], uniq));
  m.set(
    'without',
    f(['any'], (l, ...o) => asList(l, 'find without').filter((x) => !o.some((y) => deepEq(x, y))), 'any'),
  );
  m.set('mustWithout', m.get('without')!);
  m.set(
    'has',
    f(['any', 'any'], (n, l) => (l === null ? false : asList(l, 'find has').some((x) => deepEq(x, n)))),
  );
  m.set('mustHas', m.get('has')!);
  m.set(
    'compact',
    f(['any'], (l) => asList(l, 'compact').filter((x) => !empty(x))),
  );
  m.set('mustCompact', m.get('compact')!);
  m.set(
    'slice',
    f(
      ['any'],
      (l, ...idx) => {
        const a = asList(l, 'slice');
        const i = idx.map((x) => Number(toInt64(x)));
        return a.slice(i[0] ?? 0, i[1] ?? a.length);
      },
      'any',
    ),
  );
  m.set('mustSlice', m.get('slice')!);
  m.set(
    'concat',
    f([], (...ls) => ls.flatMap((l) => asList(l, 'concat')), 'any'),
  );
  m.set(
    'chunk',
    f(['int', 'any'], (n, l) => {
      const a = asList(l, 'chunk');
      const size = Number(n);
      const out: GoValue[] = [];
      for (let i = 0; i < a.length; i += size) out.push(a.slice(i, i + size));
      return out;
    }),
  );
  m.set('mustChunk', m.get('chunk')!);
  // dicts
  m.set(
    'dict',
    f(
      [],
      (...a) => {
        const o: GoMap = {};
        for (let i = 0; i < a.length; i += 2) defineKey(o, strval(a[i]!), i + 1 < a.length ? a[i + 1]! : '');
        return o;
      },
      'any',
    ),
  );
  m.set(
    'get',
    f(['map', 'string'], (d, k) => (d && Object.hasOwn(d as GoMap, k as string) ? (d as GoMap)[k as string]! : '')),
  );
  m.set(
    'set',
    f(['map', 'string', 'any'], (d, k, v) => {
      defineKey(d as GoMap, k as string, v);
      return d;
    }),
  );
  m.set(
    'unset',
    f(['map', 'string'], (d, k) => {
      delete (d as GoMap)[k as string];
      return d;
    }),
  );
  m.set(
    'hasKey',
    f(['map', 'string'], (d, k) => d !== null && Object.hasOwn(d as GoMap, k as string)),
  );
  m.set(
    'pluck',
    f(
      ['string'],
      (k, ...ds) =>
        ds.filter((d) => d && Object.hasOwn(d as GoMap, k as string)).map((d) => (d as GoMap)[k as string]!),
      'map',
    ),
  );
  m.set(
    'keys',
    f([], (...ds) => stringList(ds.flatMap((d) => Object.keys((d as GoMap) ?? {}))), 'map'),
  );
  m.set(
    'values',
    f(['map'], (d) =>
      Object.keys((d as GoMap) ?? {})
        .sort()
        .map((k) => (d as GoMap)[k]!),
    ),
  );
  m.set(
    'pick',
    f(
      ['map'],
      (d, ...ks) => {
        const o: GoMap = {};
        for (const k of ks as string[]) if (d && Object.hasOwn(d as GoMap, k)) defineKey(o, k, (d as GoMap)[k]!);
        return o;
      },
      'string',
    ),
  );
  m.set(
    'omit',
    f(
      ['map'],
      (d, ...ks) => {
        const o: GoMap = {};
        for (const [k, v] of Object.entries((d as GoMap) ?? {})) if (!(ks as string[]).includes(k)) defineKey(o, k, v);
        return o;
      },
      'string',
    ),
  );
  const merge = (overwrite: boolean) =>
    f(
      ['map'],
      (d, ...srcs) => {
        const dst = (d ?? {}) as GoMap;
        for (const s of srcs) if (s) mergo(dst, s as GoMap, overwrite);
        return dst;
      },
      'map',
    );
  m.set('merge', merge(false));
  m.set('mustMerge', merge(false));
  m.set('mergeOverwrite', merge(true));
  m.set('mustMergeOverwrite', merge(true));
  m.set(
    'dig',
    f(
      ['any'],
      (...a) => {
        const d = a[a.length - 1];
        const def = a[a.length - 2];
        let cur: GoValue = d;
        for (const k of a.slice(0, -2)) {
          if (!isMap(cur) || !Object.hasOwn(cur, strval(k))) return def ?? null;
          cur = cur[strval(k)]!;
        }
        return cur;
      },
      'any',
    ),
  );
  // regex
  m.set(
    'regexMatch',
    f(['string', 'string'], (re, s) => goRegex(re as string).test(s as string)),
  );
  m.set('mustRegexMatch', m.get('regexMatch')!);
  m.set(
    'regexFindAll',
    f(['string', 'string', 'int'], (re, s, n) => {
      const all = [...(s as string).matchAll(new RegExp(goRegex(re as string), 'gu'))].map((x) => x[0]);
      return stringList(Number(n) < 0 ? all : all.slice(0, Number(n)));
    }),
  );
  m.set('mustRegexFindAll', m.get('regexFindAll')!);
  m.set(
    'regexFind',
    f(['string', 'string'], (re, s) => goRegex(re as string).exec(s as string)?.[0] ?? ''),
  );
  m.set('mustRegexFind', m.get('regexFind')!);
  m.set(
    'regexReplaceAll',
    f(['string', 'string', 'string'], (re, s, r) =>
      (s as string).replace(new RegExp(goRegex(re as string), 'gu'), (...mm) => {
        const groups = typeof mm[mm.length - 1] === 'object' ? mm[mm.length - 1] : undefined;
        const arr = mm.slice(0, groups ? -3 : -2) as unknown as RegExpExecArray;
        (arr as { groups?: Record<string, string> }).groups = groups;
        return goExpand(r as string, arr);
      }),
    ),
  );
  m.set('mustRegexReplaceAll', m.get('regexReplaceAll')!);
  m.set(
    'regexReplaceAllLiteral',
    f(['string', 'string', 'string'], (re, s, r) =>
      (s as string).replace(new RegExp(goRegex(re as string), 'gu'), () => r as string),
    ),
  );
  m.set('mustRegexReplaceAllLiteral', m.get('regexReplaceAllLiteral')!);
  m.set(
    'regexSplit',
    f(['string', 'string', 'int'], (re, s, n) => {
      // Go's Regexp.Split: at most n pieces, the last holding the rest.
      const str = s as string;
      const limit = Number(n);
      if (limit === 0) return stringList([]);
      const out: string[] = [];
      let last = 0;
      for (const mm of str.matchAll(new RegExp(goRegex(re as string), 'gu'))) {
        if (limit > 0 && out.length === limit - 1) break;
        if (mm[0] === '' && (mm.index === 0 || mm.index === str.length)) continue;
        out.push(str.slice(last, mm.index));
        last = mm.index! + mm[0].length;
      }
      out.push(str.slice(last));
      return stringList(out);
    }),
  );
  m.set('mustRegexSplit', m.get('regexSplit')!);
  S('regexQuoteMeta', (s) => s.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&'));
  // semver
  m.set(
    'semverCompare',
    f(['string', 'string'], (c, v) => semverSatisfies(c as string, v as string)),
  );
  m.set(
    'semver',
    f(['string'], (v) => {
      const s = semverParse(v as string);
      return {
        Major: BigInt(s.major),
        Minor: BigInt(s.minor),
        Patch: BigInt(s.patch),
        Prerelease: s.prerelease.join('.'),
        Metadata: s.build.join('.'),
        Original: v,
      };
    }),
  );
  // json (sprig's, replaced by helm's for toJson/fromJson below)
  m.set(
    'toPrettyJson',
    f(['any'], (v) => safe(() => toGoJson(v, '  '))),
  );
  m.set(
    'mustToPrettyJson',
    f(['any'], (v) => toGoJson(v, '  ')),
  );
  m.set(
    'toRawJson',
    f(['any'], (v) => safe(() => rawJson(toGoJson(v)))),
  );
  m.set(
    'mustToRawJson',
    f(['any'], (v) => rawJson(toGoJson(v))),
  );
  m.set(
    'mustFromJson',
    f(['string'], (s) => fromGoJson(s as string)),
  );
  // dates: non-deterministic; present so that charts using them render
  m.set(
    'now',
    f([], () => new Date().toISOString()),
  );
  m.set(
    'unixEpoch',
    f(['any'], () => String(Math.floor(Date.now() / 1000))),
  );
  m.set(
    'date',
    f(['string', 'any'], (fmt) => goDate(fmt as string, new Date())),
  );
  m.set(
    'htmlDate',
    f(['any'], () => new Date().toISOString().slice(0, 10)),
  );
  for (const name of [
    'ago',
    'dateInZone',
    'dateModify',
    'mustDateModify',
    'duration',
    'durationRound',
    'htmlDateInZone',
    'toDate',
    'mustToDate',
    'bcrypt',
    'htpasswd',
    'genPrivateKey',
    'derivePassword',
    'buildCustomCert',
    'genCA',
    'genCAWithKey',
    'genSelfSignedCert',
    'genSelfSignedCertWithKey',
    'genSignedCert',
    'genSignedCertWithKey',
    'encryptAES',
    'decryptAES',
    'randBytes',
    'b32dec',
    'urlParse',
    'urlJoin',
    'shuffle',
    'abbrev',
    'abbrevboth',
    'toToml',
    'mustToToml',
    'fromToml',
    'toYamlPretty',
    'mustToDuration',
    'durationSeconds',
    'durationMilliseconds',
    'durationMicroseconds',
    'durationNanoseconds',
    'durationMinutes',
    'durationHours',
    'durationDays',
    'durationWeeks',
    'durationRoundTo',
    'durationTruncateTo',
  ])
    m.set(
      name,
      f(
        [],
        () => {
          throw new FuncError(
            `function "${name}" is not implemented by the native engine (render with --renderer helm)`,
          );
        },
        'any',
      ),
    );
  // helm's (pkg/engine/funcs.go)
  m.set(
    'toYaml',
    f(['any'], (v) => safe(() => toGoYaml(v).replace(/\n$/, ''))),
  );
  m.set(
    'mustToYaml',
    f(['any'], (v) => toGoYaml(v).replace(/\n$/, '')),
  );
  // fromYaml, fromYamlArray, fromJson, fromJsonArray never fail the template: a text that does not parse, or
  // holds a value of the other kind, gives the error in the map's Error key, or as the list's one item. YAML
  // goes through sigs.k8s.io/yaml (its errors say so), and an empty YAML document is an empty map or list.
  const decoder = (parse: (s: string) => GoValue, toList: boolean, yaml: boolean) =>
    f(['string'], (s) => {
      const failed = (message: string) => (toList ? [message] : { Error: message });
      try {
        const v = parse(s as string);
        if (yaml && v === null) return toList ? [] : {};
        if (toList ? Array.isArray(v) : isMap(v)) return v;
        const type = toList ? '[]interface {}' : 'map[string]interface {}';
        const why = `json: cannot unmarshal ${jsonKind(v)} into Go value of type ${type}`;
        return failed(yaml ? `error unmarshaling JSON: while decoding JSON: ${why}` : why);
      } catch (e) {
        return failed((e as Error).message);
      }
    });
  m.set('fromYaml', decoder(parseGoYaml, false, true));
  m.set('fromYamlArray', decoder(parseGoYaml, true, true));
  m.set(
    'toJson',
    f(['any'], (v) => safe(() => toGoJson(v))),
  );
  m.set(
    'mustToJson',
    f(['any'], (v) => toGoJson(v)),
  );
  m.set('fromJson', decoder(fromGoJson, false, false));
  m.set('fromJsonArray', decoder(fromGoJson, true, false));
  m.set(
    'lookup',
    f(['string', 'string', 'string', 'string'], () => ({})),
  );
  // The real include/tpl/required/fail are bound per render (chart.ts); these make names known to the parser.
  void goEq;
  void goIndex;
  void sprintf;
  void GoYamlError;
  return m;
}

function jsonKind(v: GoValue): string {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number' || typeof v === 'bigint') return 'number';
  if (typeof v === 'boolean') return 'bool';
  if (Array.isArray(v)) return 'array';
  return 'object';
}

function safe(fn: () => string): string {
  try {
    return fn();
  } catch {
    return '';
  }
}
function rawJson(s: string): string {
  return s
    .replace(/\\u003c/g, '<')
    .replace(/\\u003e/g, '>')
    .replace(/\\u0026/g, '&');
}

/** reflect.DeepEqual over the value model: same Go types all the way down. */
function deepEq(a: GoValue, b: GoValue): boolean {
  if (goTypeName(a) !== goTypeName(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEq(x, b[i]!));
  if (isMap(a) && isMap(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && deepEq(a[k]!, b[k]!));
  }
  return a === b || (a === null && b === undefined) || (a === undefined && b === null);
}

function cmpBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

function untilStep(start: bigint, stop: bigint, step: bigint): GoValue[] {
  const out: GoValue[] = [];
  if (step === 0n) return out;
  if (stop < start) {
    if (step >= 0n) return out;
    for (let i = start; i > stop; i += step) out.push(i);
    return out;
  }
  if (step <= 0n) return out;
  for (let i = start; i < stop; i += step) out.push(i);
  return out;
}

/** strings.Replace(s, old, new, -1): an empty `old` inserts `new` around every character. */
function goReplaceAll(s: string, o: string, n: string): string {
  if (o === '') return n + [...s].join(n) + (s ? n : '');
  return s.split(o).join(n);
}
/** strings.SplitN; an empty separator splits into characters. */
function goSplit(s: string, sep: string, n: number): string[] {
  if (n === 0) return [];
  const parts = sep === '' ? [...s] : s.split(sep);
  if (n < 0 || parts.length <= n) return parts;
  return [...parts.slice(0, n - 1), parts.slice(n - 1).join(sep)];
}

function caseWords(s: string): string[] {
  return s
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[\s_-]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
}

function wrap(s: string, width: number, sep: string): string {
  const out: string[] = [];
  for (const line of s.split('\n')) {
    let cur = '';
    for (const w of line.split(' ')) {
      if (cur && cur.length + 1 + w.length > width) {
        out.push(cur);
        cur = w;
      } else cur = cur ? `${cur} ${w}` : w;
    }
    out.push(cur);
  }
  return out.join(sep);
}

function adler32(b: Buffer): number {
  let a = 1;
  let c = 0;
  for (const x of b) {
    a = (a + x) % 65521;
    c = (c + a) % 65521;
  }
  return ((c << 16) | a) >>> 0;
}

function base32(b: Buffer): string {
  const A = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let val = 0;
  let out = '';
  for (const x of b) {
    val = (val << 8) | x;
    bits += 8;
    while (bits >= 5) {
      out += A[(val >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += A[(val << (5 - bits)) & 31];
  while (out.length % 8) out += '=';
  return out;
}

function goDate(fmt: string, d: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return fmt
    .replace('2006', String(d.getUTCFullYear()))
    .replace('01', p(d.getUTCMonth() + 1))
    .replace('02', p(d.getUTCDate()))
    .replace('15', p(d.getUTCHours()))
    .replace('04', p(d.getUTCMinutes()))
    .replace('05', p(d.getUTCSeconds()));
}

export { sprintf };

// helm's --set, --set-string and --set-file: `name=value[,name=value...]` lines parsed into the values map
// exactly as helm does (pkg/strvals/parser.go of helm v4.1.4; the order of the flags: pkg/cli/values/options.go
// MergeValues). Pure: --set-file's files are read by the caller, who gives a reader from path to content.
//
// The grammar, as helm reads it (a rune at a time, `\x` standing for x anywhere):
//   line   = { assign [","] }          assign = key ( "=" value | "[" index "]" item | "." assign )
//   item   = "=" value | "[" index "]" item | "." assign
//   value  = "{" elem { "," elem } "}" | chars up to "," (typed for --set; a string for --set-string)
// and the types of a --set value (typedVal): true/false/null in any case, int64 when it parses and does not
// start with 0 (or is 0), else a string. Errors carry helm's words; a broken Go type assertion (`a.b=1` on a
// string a) is helm's recovered panic, `unable to parse key: interface conversion: ...`.
import { defineKey } from './goyaml.js';
import { type GoMap, type GoValue, goQuote, goTypeName, isMap } from './template/values.js';

/** helm's strvals.MaxIndex: the largest list index a --set may name. */
export const MAX_INDEX = 65536;
/** helm's strvals.MaxNestedNameLevel: the most dots a --set name may have. */
export const MAX_NESTED_NAME_LEVEL = 30;

/** What one value text becomes: typedVal (--set), the string (--set-string), a file's content (--set-file). */
export type RunesValueReader = (text: string) => GoValue;

/** A --set line that helm refuses; the message is helm's (e.g. `key "a" has no value`). */
export class StrvalsError extends Error {}

// Go's errors as values: io.EOF ends a line quietly, ErrNotList means "not a {...} literal".
class GoErr {
  constructor(
    readonly message: string,
    readonly wrapped?: GoErr,
  ) {}
}
const EOF = new GoErr('EOF');
const NOT_LIST = new GoErr('not a list');
type Err = GoErr | null;
const errf = (message: string) => new GoErr(message);
/** fmt.Errorf with %w: errors.Is still sees the wrapped error (a wrapped EOF ends a line quietly). */
const wrapf = (prefix: string, err: GoErr) => new GoErr(`${prefix}${err.message}`, err);
function isErr(err: Err, target: GoErr): boolean {
  for (let e = err; e; e = e.wrapped ?? null) if (e === target) return true;
  return false;
}

/** A Go runtime panic inside key(), recovered there as `unable to parse key: <panic>`. */
class Panic {
  constructor(readonly message: string) {}
}

/**
 * The Go type name a failed interface conversion reports: a nil interface is "nil", and strvals parses
 * integers as int64 (strconv.ParseInt), where template values read from YAML are int (goTypeName).
 */
function goType(v: GoValue): string {
  if (v === null || v === undefined) return 'nil';
  return typeof v === 'bigint' ? 'int64' : goTypeName(v);
}
function assertMap(v: GoValue): GoMap {
  if (isMap(v)) return v;
  throw new Panic(`interface conversion: interface {} is ${goType(v)}, not map[string]interface {}`);
}
function assertList(v: GoValue): GoValue[] {
  if (Array.isArray(v)) return v;
  throw new Panic(`interface conversion: interface {} is ${goType(v)}, not []interface {}`);
}

/** strconv.QuoteRune: fmt's %q of one rune. */
function quoteRune(ch: string): string {
  if (ch === "'") return "'\\''";
  const q = goQuote(ch);
  return `'${q.slice(1, -1).replace(/^\\"$/, '"')}'`;
}

/** strconv.Atoi (64-bit int), with its error text. */
function atoi(s: string): bigint | GoErr {
  if (!/^[+-]?[0-9]+$/.test(s)) return errf(`strconv.Atoi: parsing ${goQuote(s)}: invalid syntax`);
  const n = BigInt(s);
  if (n < -(2n ** 63n) || n >= 2n ** 63n) return errf(`strconv.Atoi: parsing ${goQuote(s)}: value out of range`);
  return n;
}

/** strings.EqualFold against a lower-case ASCII word (only ſ folds onto one of its letters: s). */
function equalFold(s: string, word: string): boolean {
  const chars = [...s];
  if (chars.length !== word.length) return false;
  return chars.every((c, i) => (c === '\u017f' ? 's' : c.length === 1 ? c.toLowerCase() : c) === word[i]);
}

/** helm's typedVal: the type of a --set value (`st`: --set-string, always the string). */
export function typedVal(val: string, st = false): GoValue {
  if (st) return val;
  if (equalFold(val, 'true')) return true;
  if (equalFold(val, 'false')) return false;
  if (equalFold(val, 'null')) return null;
  if (val === '0') return 0n;
  if (val !== '' && val[0] !== '0' && /^[+-]?[0-9]+$/.test(val)) {
    const n = BigInt(val);
    if (n >= -(2n ** 63n) && n < 2n ** 63n) return n;
  }
  return val;
}

function set(data: GoMap, key: string, val: GoValue): void {
  if (key === '') return;
  defineKey(data, key, val);
}

function setIndex(list: GoValue[], index: bigint, val: GoValue): [GoValue[], Err] {
  if (index < 0n) return [list, errf(`negative ${index} index not allowed`)];
  if (index > BigInt(MAX_INDEX))
    return [list, errf(`index of ${index} is greater than maximum supported index of ${MAX_INDEX}`)];
  const i = Number(index);
  if (list.length <= i) {
    const grown: GoValue[] = new Array(i + 1).fill(null);
    for (let j = 0; j < list.length; j++) grown[j] = list[j]!;
    list = grown;
  }
  list[i] = val;
  return [list, null];
}

class Parser {
  private pos = 0;
  private readonly runes: string[];

  constructor(
    text: string,
    private readonly data: GoMap,
    private readonly reader: (text: string) => [GoValue, Err],
  ) {
    this.runes = [...text];
  }

  parse(): Err {
    for (;;) {
      const err = this.key(this.data, 0);
      if (err === null) continue;
      if (isErr(err, EOF)) return null;
      return err;
    }
  }

  private readRune(): string | undefined {
    return this.pos < this.runes.length ? this.runes[this.pos++] : undefined;
  }
  private unreadRune(): void {
    this.pos--;
  }

  /** runesUntil: the text up to one of `stop` (consumed and returned as `last`), backslash escapes read. */
  private runesUntil(stop: string): [string, string, Err] {
    let v = '';
    for (;;) {
      const r = this.readRune();
      if (r === undefined) return [v, '', EOF];
      if (stop.includes(r)) return [v, r, null];
      if (r === '\\') {
        const next = this.readRune();
        if (next === undefined) return [v, '', EOF];
        v += next;
      } else v += r;
    }
  }

  private key(data: GoMap, nestedNameLevel: number): Err {
    try {
      return this.keyUnsafe(data, nestedNameLevel);
    } catch (e) {
      if (e instanceof Panic) return errf(`unable to parse key: ${e.message}`);
      throw e;
    }
  }

  private keyUnsafe(data: GoMap, nestedNameLevel: number): Err {
    const [k, last, err] = this.runesUntil('=[,.');
    if (err !== null) {
      if (k === '') return err;
      return errf(`key ${goQuote(k)} has no value`);
    }
    if (last === '[') {
      const [i, ierr] = this.keyIndex();
      if (ierr !== null) return wrapf('error parsing index: ', ierr);
      let list: GoValue[] = [];
      if (Object.hasOwn(data, k)) list = assertList(data[k]);
      const [l2, e] = this.listItem(list, i, nestedNameLevel);
      set(data, k, l2);
      return e;
    }
    if (last === '=') {
      const [vl, e] = this.valList();
      if (e === null) {
        set(data, k, vl);
        return null;
      }
      if (isErr(e, EOF)) {
        set(data, k, '');
        return e;
      }
      if (isErr(e, NOT_LIST)) {
        const [rs, ve] = this.val();
        if (ve !== null && !isErr(ve, EOF)) return ve;
        const [v, re] = this.reader(rs);
        set(data, k, v);
        return re;
      }
      return e;
    }
    if (last === ',') {
      set(data, k, '');
      return errf(`key ${goQuote(k)} has no value (cannot end with ,)`);
    }
    // last === '.'
    nestedNameLevel++;
    if (nestedNameLevel > MAX_NESTED_NAME_LEVEL)
      return errf(`value name nested level is greater than maximum supported nested level of ${MAX_NESTED_NAME_LEVEL}`);
    let inner: GoMap = {};
    if (Object.hasOwn(data, k)) inner = assertMap(data[k]);
    const e = this.key(inner, nestedNameLevel);
    const empty = Object.keys(inner).length === 0;
    if (e === null && empty) return errf(`key map ${goQuote(k)} has no value`);
    if (!empty) set(data, k, inner);
    return e;
  }

  private keyIndex(): [bigint, Err] {
    const [v, , err] = this.runesUntil(']');
    if (err !== null) return [0n, err];
    const n = atoi(v);
    return n instanceof GoErr ? [0n, n] : [n, null];
  }

  private listItem(list: GoValue[], i: bigint, nestedNameLevel: number): [GoValue[], Err] {
    if (i < 0n) return [list, errf(`negative ${i} index not allowed`)];
    const [k, last, err] = this.runesUntil('[.=');
    if (k.length > 0)
      return [list, errf(`unexpected data at end of array index: [${[...k].map(quoteRune).join(' ')}]`)];
    if (err !== null) return [list, err];
    if (last === '=') {
      const [vl, e] = this.valList();
      if (e === null) return setIndex(list, i, vl);
      if (isErr(e, EOF)) return setIndex(list, i, '');
      if (isErr(e, NOT_LIST)) {
        const [rs, ve] = this.val();
        if (ve !== null && !isErr(ve, EOF)) return [list, ve];
        const [v, re] = this.reader(rs);
        if (re !== null) return [list, re];
        return setIndex(list, i, v);
      }
      return [list, e];
    }
    if (last === '[') {
      const [nextI, ierr] = this.keyIndex();
      if (ierr !== null) return [list, wrapf('error parsing index: ', ierr)];
      let crtList: GoValue[] = [];
      if (BigInt(list.length) > i) {
        const existed = list[Number(i)];
        if (existed !== null && existed !== undefined) crtList = assertList(existed);
      }
      const [list2, e] = this.listItem(crtList, nextI, nestedNameLevel);
      if (e !== null) return [list, e];
      return setIndex(list, i, list2);
    }
    // last === '.'
    let inner: GoMap = {};
    if (BigInt(list.length) > i) {
      const existing = list[Number(i)];
      if (isMap(existing)) inner = existing;
      else list[Number(i)] = inner;
    }
    const e = this.key(inner, nestedNameLevel);
    if (e !== null) return [list, e];
    return setIndex(list, i, inner);
  }

  private val(): [string, Err] {
    const [v, , err] = this.runesUntil(',');
    return [v, err];
  }

  private valList(): [GoValue[], Err] {
    const r = this.readRune();
    if (r === undefined) return [[], EOF];
    if (r !== '{') {
      this.unreadRune();
      return [[], NOT_LIST];
    }
    const list: GoValue[] = [];
    for (;;) {
      const [rs, last, err] = this.runesUntil(',}');
      if (err !== null) return [list, isErr(err, EOF) ? errf("list must terminate with '}'") : err];
      if (last === '}') {
        const n = this.readRune();
        if (n !== undefined && n !== ',') this.unreadRune();
        const [v, e] = this.reader(rs);
        list.push(v);
        return [list, e];
      }
      const [v, e] = this.reader(rs);
      if (e !== null) return [list, e];
      list.push(v);
    }
  }
}

function parseInto(line: string, dest: GoMap, reader: RunesValueReader): void {
  const read = (text: string): [GoValue, Err] => {
    try {
      return [reader(text), null];
    } catch (e) {
      return [null, errf((e as Error).message)];
    }
  };
  const err = new Parser(line, dest, read).parse();
  if (err !== null) throw new StrvalsError(err.message);
}

/** strvals.ParseInto: one --set line merged into `dest` (changed in place); throws StrvalsError. */
export function parseSetInto(line: string, dest: GoMap): void {
  parseInto(line, dest, (t) => typedVal(t));
}

/** strvals.ParseIntoString: one --set-string line merged into `dest`. */
export function parseSetStringInto(line: string, dest: GoMap): void {
  parseInto(line, dest, (t) => t);
}

/**
 * strvals.ParseIntoFile: one --set-file line merged into `dest`, each value the content `readFile` gives for
 * that path (it throws an Error with helm's message, e.g. `open x: no such file or directory`, to refuse).
 */
export function parseSetFileInto(line: string, dest: GoMap, readFile: (path: string) => string): void {
  parseInto(line, dest, readFile);
}

/** strvals.Parse: one --set line as a new map. */
export function parseSet(line: string): GoMap {
  const out: GoMap = {};
  parseSetInto(line, out);
  return out;
}

/**
 * The paths a --set-file line reads, in order (to read them before the pure render). Paths of a line that
 * fails to parse are those read before the failure, as helm would have read them.
 */
export function setFilePaths(line: string): string[] {
  const paths: string[] = [];
  try {
    parseInto(line, {}, (p) => {
      paths.push(p);
      return '';
    });
  } catch {
    // helm stops at the error: the paths until there.
  }
  return paths;
}

export interface SetValues {
  /** --set lines, in order. */
  set?: readonly string[];
  /** --set-string lines. */
  setString?: readonly string[];
  /** --set-file lines (`name=path`). */
  setFile?: readonly string[];
  /**
   * The content of each path named by the --set-file lines (see setFilePaths), or the Error helm would
   * report for it; a path not in the map is `open <path>: no such file or directory`.
   */
  setFileContents?: ReadonlyMap<string, string | Error>;
}

/**
 * MergeValues after the value files: --set, then --set-string, then --set-file, each line parsed into
 * `base` (changed in place and returned). Throws StrvalsError with helm's message
 * (`failed parsing --set data: ...`).
 */
export function applySetValues(base: GoMap, opts: SetValues): GoMap {
  const stage = (flag: string, lines: readonly string[] | undefined, parse: (line: string) => void) => {
    for (const line of lines ?? []) {
      try {
        parse(line);
      } catch (e) {
        if (e instanceof StrvalsError) throw new StrvalsError(`failed parsing ${flag} data: ${e.message}`);
        throw e;
      }
    }
  };
  stage('--set', opts.set, (l) => parseSetInto(l, base));
  stage('--set-string', opts.setString, (l) => parseSetStringInto(l, base));
  stage('--set-file', opts.setFile, (l) =>
    parseSetFileInto(l, base, (path) => {
      const c = opts.setFileContents?.get(path);
      if (c === undefined) throw new Error(`open ${path}: no such file or directory`);
      if (c instanceof Error) throw c;
      return c;
    }),
  );
  return base;
}

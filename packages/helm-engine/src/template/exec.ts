// Go text/template execution (go/src/text/template/exec.go as the spec), with helm's missingkey=zero.
import {
  type Arg,
  argString,
  type Cmd,
  cmdString,
  lineColOf,
  type Node,
  type Pipe,
  parseTemplate,
  type Tree,
} from './parse.js';

export type { Tree };
import { builtinFuncs } from './builtins.js';
import { formatV, type GoValue, GoObject, goTypeName, isMap, isTrue } from './values.js';

/** How a Go function parameter accepts a value: Go checks types at call time and errors on a mismatch. */
export type ParamType = 'any' | 'raw' | 'string' | 'int' | 'int64' | 'float64' | 'bool' | 'map' | 'list' | 'strings';
export interface FuncDef {
  params: ParamType[];
  /** Type of the ...rest parameter, if the function is variadic. */
  variadic?: ParamType;
  fn: (...args: GoValue[]) => GoValue;
}
export type FuncMap = Map<string, FuncDef>;

/** An error raised by a function (Go: the function returned an error or panicked). */
export class FuncError extends Error {}

/** An execution error, with Go's text: `template: FILE:LINE:COL: executing "NAME" at <CTX>: MSG`. */
export class ExecError extends Error {
  constructor(
    message: string,
    readonly file: string,
    readonly lineCol: string,
  ) {
    super(message);
  }
}

type RangeNode = { t: 'range'; pos: number; pipe: Pipe; list: Node[]; elseList?: Node[] };
class BreakSignal {}
class ContinueSignal {}
const GO_TYPE_OF_PARAM: Record<ParamType, string> = {
  any: 'interface {}',
  raw: 'reflect.Value',
  string: 'string',
  int: 'int',
  int64: 'int64',
  float64: 'float64',
  bool: 'bool',
  map: 'map[string]interface {}',
  list: '[]interface {}',
  strings: '[]string',
};

/** Where an error happened, as Go prints it (`<.Values.x>`): a text, or the function that makes it. */
type Ctx = string | (() => string);

interface Scope {
  tree: Tree;
  vars: Array<{ name: string; value: GoValue }>;
}

/** A set of parsed templates (every file of a chart and its subcharts) sharing one function map. */
export class TemplateSet {
  readonly trees = new Map<string, Tree>();
  depth = 0;

  constructor(readonly funcs: FuncMap) {}

  /** Parses one file; its {{define}}s join the set (a later definition of a name replaces an earlier one). */
  add(file: string, src: string): void {
    // Trees are immutable once parsed: the same text (a library chart's partials rendered for every service
    // that depends on it, under each service's path) is parsed once per process. Keyed by the text alone, the
    // file name only labels the trees (positions in messages), so a hit is relabelled. What parses depends on
    // which function names exist (a parse that met an unknown one failed and is not cached): an entry is used
    // only if every function name it calls exists in this set too.
    const hasFunc = (n: string) => this.funcs.has(n) || BUILTINS.has(n);
    let parsed = PARSE_CACHE.get(src);
    if (!parsed || !parsed.funcs.every(hasFunc)) {
      const used = new Set<string>();
      const tree = parseTemplate(file, src, (n) => {
        if (!hasFunc(n)) return false;
        used.add(n);
        return true;
      });
      parsed = { funcs: [...used], ...tree };
      if (PARSE_CACHE.size >= PARSE_CACHE_MAX) PARSE_CACHE.delete(PARSE_CACHE.keys().next().value!);
      PARSE_CACHE.set(src, parsed);
    }
    const { main, defines } = parsed;
    const same = main.file === file;
    // Go: a file that is only {{define}}s and whitespace does not replace an existing template of its name.
    this.trees.set(file, same ? main : { name: file, file, src, list: main.list });
    for (const d of defines) this.trees.set(d.name, same ? d : { name: d.name, file, src, list: d.list });
  }

  has(name: string): boolean {
    return this.trees.has(name);
  }

  /** Runs the template `name` with `dot`; throws ExecError. */
  execute(name: string, dot: GoValue): string {
    const tree = this.trees.get(name);
    if (!tree) throw new FuncError(`template: no template "${name}" associated with template "gotpl"`);
    if (++this.depth > 100000) throw new FuncError('exceeded maximum template depth (100000)');
    try {
      const out: string[] = [];
      const scope: Scope = { tree, vars: [{ name: '$', value: dot }] };
      this.walkList(scope, dot, tree.list, out);
      return out.join('');
    } finally {
      this.depth--;
    }
  }

  private fail(scope: Scope, pos: number, ctx: Ctx, msg: string): never {
    const lc = lineColOf(scope.tree.src, pos);
    throw new ExecError(
      `template: ${scope.tree.file}:${lc}: executing "${scope.tree.name}" at <${typeof ctx === 'string' ? ctx : ctx()}>: ${msg}`,
      scope.tree.file,
      lc,
    );
  }

  private walkList(scope: Scope, dot: GoValue, list: Node[], out: string[]): void {
    for (const n of list) this.walk(scope, dot, n, out);
  }

  private walk(scope: Scope, dot: GoValue, n: Node, out: string[]): void {
    switch (n.t) {
      case 'text':
        out.push(n.text);
        return;
      case 'action': {
        const v = this.evalPipeline(scope, dot, n.pipe);
        if (n.pipe.decl.length === 0) out.push(this.printValue(v));
        return;
      }
      case 'if':
      case 'with': {
        const mark = scope.vars.length;
        const v = this.evalPipeline(scope, dot, n.pipe);
        if (isTrue(v)) this.walkList(scope, n.t === 'with' ? v : dot, n.list, out);
        else if (n.elseList) this.walkList(scope, dot, n.elseList, out);
        scope.vars.length = mark;
        return;
      }
      case 'range':
        this.walkRange(scope, dot, n as RangeNode, out);
        return;
      case 'template': {
        const v = n.pipe ? this.evalPipeline(scope, dot, n.pipe) : undefined;
        const tree = this.trees.get(n.name);
        if (!tree) this.fail(scope, n.pos, `template "${n.name}"`, `template "${n.name}" not defined`);
        if (++this.depth > 100000) this.fail(scope, n.pos, n.name, 'exceeded maximum template depth (100000)');
        try {
          this.walkList({ tree, vars: [{ name: '$', value: v }] }, v, tree.list, out);
        } finally {
          this.depth--;
        }
        return;
      }
      case 'break':
        throw new BreakSignal();
      case 'continue':
        throw new ContinueSignal();
    }
  }

  private walkRange(scope: Scope, dot: GoValue, n: RangeNode, out: string[]): void {
    const mark = scope.vars.length;
    const v = this.evalPipeline(scope, dot, n.pipe);
    // The pipeline declared its variables; each iteration sets them.
    scope.vars.length = mark;
    const one = (key: GoValue, elem: GoValue): boolean => {
      if (n.pipe.decl.length === 1) scope.vars.push({ name: n.pipe.decl[0]!, value: elem });
      if (n.pipe.decl.length === 2) {
        scope.vars.push({ name: n.pipe.decl[0]!, value: key });
        scope.vars.push({ name: n.pipe.decl[1]!, value: elem });
      }
      try {
        this.walkList(scope, elem, n.list, out);
      } catch (e) {
        if (e instanceof BreakSignal) return false;
        if (!(e instanceof ContinueSignal)) throw e;
      } finally {
        scope.vars.length = mark;
      }
      return true;
    };
    let ran = false;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        ran = true;
        if (!one(BigInt(i), v[i])) break;
      }
    } else if (isMap(v)) {
      for (const k of Object.keys(v).sort()) {
        ran = true;
        if (!one(k, v[k])) break;
      }
    } else if (typeof v === 'bigint') {
      if (n.pipe.decl.length > 1)
        this.fail(scope, n.pos, pipeStr(n.pipe), `can't use ${v} to iterate over more than one variable`);
      for (let i = 0n; i < v; i++) {
        ran = true;
        if (!one(i, i)) break;
      }
    } else if (v === null || v === undefined) {
      // nothing: the else branch
    } else if (v instanceof GoObject && v.mapEntries()) {
      for (const [k, e] of [...v.mapEntries()!].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
        ran = true;
        if (!one(k, e)) break;
      }
    } else if (v instanceof GoObject) {
      this.fail(scope, n.pos, pipeStr(n.pipe), `range can't iterate over ${goTypeName(v)}`);
    } else this.fail(scope, n.pos, pipeStr(n.pipe), `range can't iterate over ${formatForError(v)}`);
    if (!ran && n.elseList) this.walkList(scope, dot, n.elseList, out);
    scope.vars.length = mark;
  }

  private printValue(v: GoValue): string {
    return v === undefined ? '<no value>' : printV(v);
  }

  evalPipeline(scope: Scope, dot: GoValue, pipe: Pipe): GoValue {
    let value: GoValue | typeof MISSING = MISSING;
    for (const cmd of pipe.cmds) {
      value = this.evalCommand(scope, dot, cmd, value);
      // Go: an interface{} result is unwrapped, so a nil becomes "no value" ("lovely!" in exec.go).
      if (value === null) value = undefined;
    }
    const result = value as GoValue;
    for (const name of pipe.decl) {
      if (pipe.isAssign) {
        for (let i = scope.vars.length - 1; i >= 0; i--)
          if (scope.vars[i]!.name === name) {
            scope.vars[i]!.value = result;
            break;
          }
      } else scope.vars.push({ name, value: result });
    }
    return result;
  }

  private evalCommand(scope: Scope, dot: GoValue, cmd: Cmd, final: GoValue | typeof MISSING): GoValue {
    const first = cmd.args[0]!;
    switch (first.t) {
      case 'field':
        return this.evalFieldChain(scope, dot, dot, first, first.names, cmd.args, final, cmd);
      case 'chain': {
        const recv = this.evalArgAny(scope, dot, first.node);
        return this.evalFieldChain(scope, dot, recv, first, first.names, cmd.args, final, cmd);
      }
      case 'ident':
        return this.evalFunction(scope, dot, first.name, first, cmd, cmd.args, final);
      case 'pipe':
        this.notAFunction(scope, cmd, final);
        return this.evalPipeline(scope, dot, first.pipe);
      case 'var': {
        const v = this.lookupVar(scope, first);
        if (first.names.length === 0) {
          this.notAFunction(scope, cmd, final);
          return v;
        }
        return this.evalFieldChain(scope, dot, v, first, first.names, cmd.args, final, cmd);
      }
      case 'nil':
        return this.fail(scope, first.pos, 'nil', 'nil is not a command');
      case 'dot':
        this.notAFunction(scope, cmd, final);
        return dot;
      default:
        this.notAFunction(scope, cmd, final);
        return this.literal(first);
    }
  }

  private notAFunction(scope: Scope, cmd: Cmd, final: GoValue | typeof MISSING) {
    if (cmd.args.length > 1 || final !== MISSING)
      this.fail(scope, cmd.pos, cmdString(cmd), `can't give argument to non-function ${argString(cmd.args[0]!)}`);
  }

  private literal(a: Arg): GoValue {
    switch (a.t) {
      case 'bool':
        return a.v;
      case 'string':
        return a.v;
      case 'number':
        return a.v;
      case 'dot':
        return undefined;
      default:
        return undefined;
    }
  }

  private lookupVar(scope: Scope, a: Extract<Arg, { t: 'var' }>): GoValue {
    for (let i = scope.vars.length - 1; i >= 0; i--) if (scope.vars[i]!.name === a.name) return scope.vars[i]!.value;
    return this.fail(scope, a.pos, a.name, `undefined variable: ${a.name}`);
  }

  private evalFieldChain(
    scope: Scope,
    dot: GoValue,
    receiver: GoValue,
    node: Arg,
    names: string[],
    args: Arg[],
    final: GoValue | typeof MISSING,
    cmd: Cmd | undefined,
  ): GoValue {
    let r = receiver;
    for (let i = 0; i < names.length - 1; i++) r = this.evalField(scope, dot, names[i]!, node, [], MISSING, r);
    return this.evalField(scope, dot, names[names.length - 1]!, node, cmd ? args : [], final, r);
  }

  private evalField(
    scope: Scope,
    dot: GoValue,
    name: string,
    node: Arg,
    args: Arg[],
    final: GoValue | typeof MISSING,
    receiver: GoValue,
  ): GoValue {
    if (receiver === undefined) return undefined;
    // The text of the node, for error messages only: made when one is thrown.
    const ctx = () => argString(node);
    if (receiver === null) return this.fail(scope, node.pos, ctx, `nil pointer evaluating interface {}.${name}`);
    if (receiver instanceof GoObject) {
      const m = receiver.method(name);
      if (!m) return this.fail(scope, node.pos, ctx, `can't evaluate field ${name} in type ${receiver.goType}`);
      const vals = args.slice(1).map((a) => this.evalArgAny(scope, dot, a));
      if (final !== MISSING) vals.push(final);
      try {
        return m(...vals);
      } catch (e) {
        if (e instanceof ExecError) throw e;
        return this.fail(scope, node.pos, ctx, `error calling ${name}: ${(e as Error).message}`);
      }
    }
    if (isMap(receiver)) {
      if (args.length > 1 || final !== MISSING)
        this.fail(scope, node.pos, ctx, `${name} is not a method but has arguments`);
      return Object.hasOwn(receiver, name) ? (receiver[name] ?? null) : null;
    }
    return this.fail(scope, node.pos, ctx, `can't evaluate field ${name} in type ${goTypeName(receiver)}`);
  }

  /** An argument given to an interface{} parameter: fields keep a nil interface as null. */
  private evalArgAny(scope: Scope, dot: GoValue, a: Arg): GoValue {
    switch (a.t) {
      case 'dot':
        return dot;
      case 'nil':
        return null;
      case 'field':
        return this.evalFieldChain(scope, dot, dot, a, a.names, [], MISSING, undefined);
      case 'var': {
        const v = this.lookupVar(scope, a);
        return a.names.length ? this.evalFieldChain(scope, dot, v, a, a.names, [], MISSING, undefined) : v;
      }
      case 'pipe':
        return this.evalPipeline(scope, dot, a.pipe);
      case 'ident':
        return this.evalFunction(scope, dot, a.name, a, undefined, [a], MISSING);
      case 'chain': {
        const recv = this.evalArgAny(scope, dot, a.node);
        return this.evalFieldChain(scope, dot, recv, a, a.names, [], MISSING, undefined);
      }
      default:
        return this.literal(a);
    }
  }

  private evalFunction(
    scope: Scope,
    dot: GoValue,
    name: string,
    node: Arg,
    cmd: Cmd | undefined,
    args: Arg[],
    final: GoValue | typeof MISSING,
  ): GoValue {
    const ctx = () => (cmd ? cmdString(cmd) : argString(node));
    const argNodes = args.slice(1);
    // and/or evaluate their arguments lazily and return one of them (Go 1.18+).
    if (name === 'and' || name === 'or') {
      if (argNodes.length + (final === MISSING ? 0 : 1) < 1)
        this.fail(scope, node.pos, ctx, `wrong number of args for ${name}: want at least 1 got 0`);
      let v: GoValue;
      const all: Array<() => GoValue> = argNodes.map((a) => () => this.evalArgAny(scope, dot, a));
      if (final !== MISSING) all.push(() => final);
      for (const f of all) {
        v = f();
        if (isTrue(v) === (name === 'or')) return v;
      }
      return v;
    }
    const def = this.funcs.get(name) ?? BUILTINS.get(name);
    if (!def) return this.fail(scope, node.pos, ctx, `"${name}" is not a defined function`);
    const nFixed = def.params.length;
    const given = argNodes.length + (final === MISSING ? 0 : 1);
    if (def.variadic ? given < nFixed : given !== nFixed)
      this.fail(
        scope,
        node.pos,
        ctx,
        `wrong number of args for ${name}: want ${def.variadic ? 'at least ' : ''}${nFixed} got ${given}`,
      );
    const vals: GoValue[] = [];
    const typeAt = (i: number): ParamType => (i < nFixed ? def.params[i]! : def.variadic!);
    argNodes.forEach((a, i) => {
      const t = typeAt(i);
      if (a.t === 'number' || a.t === 'nil' || a.t === 'bool' || a.t === 'string') {
        vals.push(this.convertLiteral(scope, a, t, ctx));
        return;
      }
      vals.push(this.validate(scope, node.pos, ctx, this.evalArgAny(scope, dot, a), t));
    });
    if (final !== MISSING) vals.push(this.validate(scope, node.pos, ctx, final, typeAt(given - 1)));
    try {
      const r = def.fn(...vals);
      return r;
    } catch (e) {
      if (e instanceof ExecError) throw e;
      if (e instanceof RangeError && /call stack/.test(e.message))
        return this.fail(scope, node.pos, ctx, `error calling ${name}: exceeded maximum template depth`);
      return this.fail(scope, cmd?.pos ?? node.pos, ctx, `error calling ${name}: ${(e as Error).message}`);
    }
  }

  private convertLiteral(scope: Scope, a: Arg, t: ParamType, ctx: Ctx): GoValue {
    const v = this.literal(a);
    if (a.t === 'nil') {
      if (t === 'any' || t === 'raw' || t === 'map' || t === 'list' || t === 'strings') return null;
      return this.fail(scope, a.pos, ctx, `cannot assign nil to ${GO_TYPE_OF_PARAM[t]}`);
    }
    if (a.t === 'number') {
      if (t === 'float64') return Number(v);
      if (t === 'int' || t === 'int64') {
        if (typeof v === 'bigint') return v;
        if (Number.isInteger(v) && !/[.eEpP]/.test(a.raw)) return BigInt(v as number);
        return this.fail(scope, a.pos, ctx, `expected integer; found ${a.raw}`);
      }
      if (t === 'any' || t === 'raw') return v;
      return this.fail(scope, a.pos, ctx, `expected ${GO_TYPE_OF_PARAM[t]}; found ${a.raw}`);
    }
    if (a.t === 'bool' && t !== 'bool' && t !== 'any' && t !== 'raw')
      return this.fail(scope, a.pos, ctx, `expected ${GO_TYPE_OF_PARAM[t]}; found ${a.v}`);
    if (a.t === 'string' && t !== 'string' && t !== 'any' && t !== 'raw')
      return this.fail(scope, a.pos, ctx, `expected ${GO_TYPE_OF_PARAM[t]}; found ${a.raw}`);
    return v;
  }

  /** Go's validateType: an argument must already be of the parameter's type (no conversion). */
  private validate(scope: Scope, pos: number, ctx: Ctx, v: GoValue, t: ParamType): GoValue {
    if (t === 'raw') return v;
    if (t === 'any') return v === undefined ? null : v;
    if (v === undefined) {
      if (t === 'map' || t === 'list' || t === 'strings') return null;
      return this.fail(scope, pos, ctx, `invalid value; expected ${GO_TYPE_OF_PARAM[t]}`);
    }
    const ok =
      (t === 'string' && typeof v === 'string') ||
      ((t === 'int' || t === 'int64') && typeof v === 'bigint') ||
      (t === 'float64' && typeof v === 'number') ||
      (t === 'bool' && typeof v === 'boolean') ||
      (t === 'map' && isMap(v)) ||
      (t === 'list' && Array.isArray(v)) ||
      (t === 'strings' && Array.isArray(v) && v.every((x) => typeof x === 'string') && STRING_SLICES.has(v));
    if (ok) return v;
    return this.fail(scope, pos, ctx, `wrong type for value; expected ${GO_TYPE_OF_PARAM[t]}; got ${goTypeName(v)}`);
  }
}

/** Slices that are Go []string (results of split functions), not []interface{}. */
export const STRING_SLICES = new WeakSet<GoValue[]>();

const MISSING = Symbol('missing');
/** Parsed texts by text, oldest first; bounded (a long-lived process renders ever new texts). */
const PARSE_CACHE = new Map<string, { funcs: string[]; main: Tree; defines: Tree[] }>();
const PARSE_CACHE_MAX = 5000;

function pipeStr(p: Pipe): string {
  return p.cmds.map(cmdString).join(' | ');
}

function formatForError(v: GoValue): string {
  return formatV(v);
}

function printV(v: GoValue): string {
  return formatV(v);
}

/** Go's builtin functions (text/template/funcs.go); and/or are handled lazily by the executor. */
export const BUILTINS: FuncMap = builtinFuncs();

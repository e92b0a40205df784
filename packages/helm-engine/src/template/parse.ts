// Go text/template: lexer and parser. The tree keeps byte offsets so that errors say file:line:column as
// Go does (helm prints them). Reads go/src/text/template/parse (lex.go, parse.go, node.go) as its spec.

export type Arg =
  | { t: 'field'; pos: number; names: string[] }
  | { t: 'var'; pos: number; name: string; names: string[] }
  | { t: 'ident'; pos: number; name: string }
  | { t: 'dot'; pos: number }
  | { t: 'nil'; pos: number }
  | { t: 'bool'; pos: number; v: boolean }
  | { t: 'string'; pos: number; v: string; raw: string }
  | { t: 'number'; pos: number; v: number | bigint; raw: string }
  | { t: 'pipe'; pos: number; pipe: Pipe }
  | { t: 'chain'; pos: number; node: Arg; names: string[] };

export interface Cmd {
  pos: number;
  args: Arg[];
}
export interface Pipe {
  pos: number;
  decl: string[];
  isAssign: boolean;
  cmds: Cmd[];
}

export type Node =
  | { t: 'text'; pos: number; text: string }
  | { t: 'action'; pos: number; pipe: Pipe }
  | { t: 'if' | 'with' | 'range'; pos: number; pipe: Pipe; list: Node[]; elseList?: Node[] }
  | { t: 'template'; pos: number; name: string; pipe?: Pipe }
  | { t: 'break' | 'continue'; pos: number };

/** One parsed template: `file` is the parse name (the file it was written in), `src` its text, for positions. */
export interface Tree {
  name: string;
  file: string;
  src: string;
  list: Node[];
}

export class TemplateParseError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly detail: string,
  ) {
    super(`template: ${file}:${line}: ${detail}`);
  }
}

type Tok =
  | { k: 'text'; pos: number; text: string }
  | { k: 'open'; pos: number }
  | { k: 'close'; pos: number }
  | { k: 'space'; pos: number }
  | { k: 'pipe' | 'lparen' | 'rparen' | 'comma' | 'declare' | 'assign' | 'dot'; pos: number }
  | { k: 'field'; pos: number; name: string }
  | { k: 'var'; pos: number; name: string }
  | { k: 'ident'; pos: number; name: string }
  | { k: 'keyword'; pos: number; name: string }
  | { k: 'string'; pos: number; v: string; raw: string }
  | { k: 'number'; pos: number; v: number | bigint; raw: string }
  | { k: 'char'; pos: number; v: bigint; raw: string }
  | { k: 'eof'; pos: number };

const KEYWORDS = new Set([
  'if',
  'else',
  'end',
  'range',
  'with',
  'define',
  'template',
  'block',
  'break',
  'continue',
  'nil',
  'true',
  'false',
]);
const isSpace = (c: string | undefined) => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isAlnum = (c: string | undefined) => c !== undefined && /[\p{L}\p{Nd}_]/u.test(c);

export function lineOf(src: string, pos: number): number {
  let n = 1;
  for (let i = 0; i < pos && i < src.length; i++) if (src.charCodeAt(i) === 10) n++;
  return n;
}

/** Go's ErrorContext column: byte offset from the line start (0-based), counted in UTF-8 bytes. */
export function lineColOf(src: string, pos: number): string {
  const before = src.slice(0, pos);
  const nl = before.lastIndexOf('\n');
  const col = Buffer.byteLength(nl === -1 ? before : before.slice(nl + 1));
  return `${lineOf(src, pos)}:${col}`;
}

function unquoteGo(body: string, quote: string, fail: (m: string) => never): string {
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = body[++i];
    const simple: Record<string, string> = {
      a: '\x07',
      b: '\b',
      f: '\f',
      n: '\n',
      r: '\r',
      t: '\t',
      v: '\v',
      '\\': '\\',
    };
    if (e !== undefined && e in simple) out += simple[e];
    else if (e === quote) out += e;
    else if (e === 'x' || e === 'u' || e === 'U') {
      const n = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      const hex = body.slice(i + 1, i + 1 + n);
      if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== n) fail('invalid syntax');
      i += n;
      if (e === 'x') out += Buffer.from([Number.parseInt(hex, 16)]).toString('latin1');
      else out += String.fromCodePoint(Number.parseInt(hex, 16));
    } else if (e !== undefined && e >= '0' && e <= '7') {
      const oct = body.slice(i, i + 3);
      if (!/^[0-7]{3}$/.test(oct)) fail('invalid syntax');
      i += 2;
      out += String.fromCharCode(Number.parseInt(oct, 8));
    } else fail('invalid syntax');
  }
  return out;
}

/** Go number literal → int (bigint) or float64 (number), as text/template's idealConstant decides. */
export function parseGoNumber(raw: string): number | bigint | undefined {
  const s = raw.replace(/_/g, '');
  const neg = s.startsWith('-');
  const body = s.replace(/^[+-]/, '');
  const isHex = /^0[xX]/.test(body);
  if (/^(0[xX][0-9a-fA-F]+|0[oO]?[0-7]+|0[bB][01]+|[1-9][0-9]*|0)$/.test(body)) {
    let b: bigint;
    if (/^0[oO]/.test(body)) b = BigInt(`0o${body.slice(2)}`);
    else if (/^0[0-7]+$/.test(body)) b = BigInt(`0o${body.slice(1)}`);
    else b = BigInt(body);
    return neg ? -b : b;
  }
  if (!isHex && /^([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/.test(body)) {
    const f = Number(body);
    return neg ? -f : f;
  }
  return undefined;
}

function lex(src: string, file: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  const fail = (pos: number, msg: string): never => {
    throw new TemplateParseError(file, lineOf(src, pos), msg);
  };
  let trimNext = false;
  while (i < src.length) {
    const open = src.indexOf('{{', i);
    const end = open === -1 ? src.length : open;
    let text = src.slice(i, end);
    let textPos = i;
    if (trimNext) {
      const t = text.replace(/^[ \t\r\n]+/, '');
      textPos += text.length - t.length;
      text = t;
      trimNext = false;
    }
    if (open === -1) {
      if (text) toks.push({ k: 'text', pos: textPos, text });
      break;
    }
    let p = open + 2;
    if (src[p] === '-' && isSpace(src[p + 1])) {
      text = text.replace(/[ \t\r\n]+$/, '');
      p += 2;
    }
    if (text) toks.push({ k: 'text', pos: textPos, text });
    // Comment: {{/* ... */}} with optional trim markers.
    if (src.startsWith('/*', p)) {
      const close = src.indexOf('*/', p + 2);
      if (close === -1) fail(open, 'unclosed comment');
      let r = close + 2;
      if (src.startsWith(' -}}', r) || src.startsWith('\t-}}', r) || src.startsWith('\n-}}', r)) {
        trimNext = true;
        r += 4;
      } else if (src.startsWith('}}', r)) r += 2;
      else fail(open, 'comment ends before closing delimiter');
      i = r;
      continue;
    }
    toks.push({ k: 'open', pos: open });
    // Inside an action.
    let parenDepth = 0;
    for (;;) {
      if (p >= src.length) fail(open, 'unclosed action');
      const c = src[p]!;
      if (isSpace(c)) {
        let s = p;
        while (isSpace(src[s])) s++;
        if (src[s] === '-' && src.startsWith('}}', s + 1)) {
          toks.push({ k: 'close', pos: s });
          trimNext = true;
          i = s + 3;
          break;
        }
        toks.push({ k: 'space', pos: p });
        p = s;
        continue;
      }
      if (src.startsWith('}}', p)) {
        if (parenDepth > 0) fail(p, 'unclosed left paren');
        toks.push({ k: 'close', pos: p });
        i = p + 2;
        break;
      }
      if (c === '|') {
        toks.push({ k: 'pipe', pos: p++ });
        continue;
      }
      if (c === '(') {
        parenDepth++;
        toks.push({ k: 'lparen', pos: p++ });
        continue;
      }
      if (c === ')') {
        if (--parenDepth < 0) fail(p, 'unexpected right paren');
        toks.push({ k: 'rparen', pos: p++ });
        continue;
      }
      if (c === ',') {
        toks.push({ k: 'comma', pos: p++ });
        continue;
      }
      if (c === ':') {
        if (src[p + 1] !== '=') fail(p, 'expected :=');
        toks.push({ k: 'declare', pos: p });
        p += 2;
        continue;
      }
      if (c === '=') {
        toks.push({ k: 'assign', pos: p++ });
        continue;
      }
      if (c === '"') {
        let s = p + 1;
        while (s < src.length && src[s] !== '"') {
          if (src[s] === '\\') s++;
          if (src[s] === '\n') fail(p, 'unterminated quoted string');
          s++;
        }
        if (s >= src.length) fail(p, 'unterminated quoted string');
        const raw = src.slice(p, s + 1);
        toks.push({ k: 'string', pos: p, v: unquoteGo(src.slice(p + 1, s), '"', (m) => fail(p, m)), raw });
        p = s + 1;
        continue;
      }
      if (c === '`') {
        const s = src.indexOf('`', p + 1);
        if (s === -1) fail(p, 'unterminated raw quoted string');
        const raw = src.slice(p, s + 1);
        toks.push({ k: 'string', pos: p, v: src.slice(p + 1, s), raw });
        p = s + 1;
        continue;
      }
      if (c === "'") {
        let s = p + 1;
        while (s < src.length && src[s] !== "'") {
          if (src[s] === '\\') s++;
          s++;
        }
        const raw = src.slice(p, s + 1);
        const v = unquoteGo(src.slice(p + 1, s), "'", (m) => fail(p, m));
        toks.push({ k: 'char', pos: p, v: BigInt(v.codePointAt(0) ?? 0), raw });
        p = s + 1;
        continue;
      }
      if (c === '$') {
        let s = p + 1;
        while (isAlnum(src[s])) s++;
        toks.push({ k: 'var', pos: p, name: src.slice(p, s) });
        p = s;
        continue;
      }
      if (c === '.' && !/[0-9]/.test(src[p + 1] ?? '')) {
        if (isAlnum(src[p + 1])) {
          let s = p + 1;
          while (isAlnum(src[s])) s++;
          toks.push({ k: 'field', pos: p, name: src.slice(p + 1, s) });
          p = s;
        } else toks.push({ k: 'dot', pos: p++ });
        continue;
      }
      if (/[0-9+\-.]/.test(c)) {
        const m =
          /^[+-]?(0[xX][0-9a-fA-F_]+(\.[0-9a-fA-F_]*)?([pP][+-]?[0-9]+)?|[0-9_]*\.?[0-9_]*([eE][+-]?[0-9]+)?)i?/.exec(
            src.slice(p),
          );
        const raw = m?.[0] ?? '';
        if (isAlnum(src[p + raw.length]) || raw === '' || raw === '+' || raw === '-')
          fail(p, `bad number syntax: "${src.slice(p, p + raw.length + 1)}"`);
        const v = parseGoNumber(raw);
        if (v === undefined) fail(p, `bad number syntax: "${raw}"`);
        toks.push({ k: 'number', pos: p, v: v!, raw });
        p += raw.length;
        continue;
      }
      if (isAlnum(c)) {
        let s = p;
        while (isAlnum(src[s])) s++;
        const name = src.slice(p, s);
        toks.push(KEYWORDS.has(name) ? { k: 'keyword', pos: p, name } : { k: 'ident', pos: p, name });
        p = s;
        continue;
      }
      fail(p, `unexpected "${c}" in command`);
    }
  }
  toks.push({ k: 'eof', pos: src.length });
  return toks;
}

/**
 * Parses `src` (written in `file`) into its top-level tree plus the {{define}}/{{block}} templates it holds.
 * `hasFunc` says whether a function name exists (Go checks this at parse time).
 */
export function parseTemplate(
  file: string,
  src: string,
  hasFunc: (name: string) => boolean,
): { main: Tree; defines: Tree[] } {
  const toks = lex(src, file);
  let k = 0;
  const defines: Tree[] = [];
  const fail = (pos: number, msg: string): never => {
    throw new TemplateParseError(file, lineOf(src, pos), msg);
  };
  const peek = () => toks[k]!;
  const next = () => toks[k++]!;
  const peekNonSpace = () => {
    while (toks[k]!.k === 'space') k++;
    return toks[k]!;
  };
  const nextNonSpace = () => {
    peekNonSpace();
    return toks[k++]!;
  };
  const vars: string[][] = [['$']];
  const declared = (name: string) => vars.some((scope) => scope.includes(name));
  let rangeDepth = 0;

  // Parses nodes until {{end}} / {{else}} (returned as the stop word) or EOF.
  function itemList(context: string): { list: Node[]; stop: string; stopPos: number } {
    const list: Node[] = [];
    for (;;) {
      const t = peek();
      if (t.k === 'eof') {
        if (context !== 'top') fail(t.pos, `unexpected EOF`);
        return { list, stop: 'eof', stopPos: t.pos };
      }
      if (t.k === 'text') {
        next();
        list.push({ t: 'text', pos: t.pos, text: t.text });
        continue;
      }
      // open
      const open = next();
      const w = peekNonSpace();
      if (w.k === 'keyword') {
        switch (w.name) {
          case 'end':
          case 'else':
            if (context === 'top' || context === 'define')
              if (w.name === 'end' && context === 'top') fail(w.pos, 'unexpected {{end}}');
            if (w.name === 'else' && (context === 'top' || context === 'define')) fail(w.pos, 'unexpected {{else}}');
            next();
            return { list, stop: w.name, stopPos: w.pos };
          case 'if':
          case 'with':
          case 'range':
            next();
            list.push(control(w.name, open.pos));
            continue;
          case 'define': {
            next();
            if (context !== 'top') fail(w.pos, 'unexpected <define> in command');
            const nameTok = nextNonSpace();
            if (nameTok.k !== 'string') fail(nameTok.pos, 'unexpected name in define clause');
            if (nextNonSpace().k !== 'close') fail(w.pos, 'unexpected token in define clause');
            const saved = vars.splice(0, vars.length, ['$']);
            const body = itemList('define');
            vars.splice(0, vars.length, ...saved);
            if (body.stop !== 'end') fail(body.stopPos, 'unexpected EOF');
            endAction();
            defines.push({ name: (nameTok as { v: string }).v, file, src, list: body.list });
            continue;
          }
          case 'block': {
            next();
            const nameTok = nextNonSpace();
            if (nameTok.k !== 'string') fail(nameTok.pos, 'unexpected name in block clause');
            const pipe = pipeline('block', 'close');
            const saved = vars.splice(0, vars.length, ['$']);
            const body = itemList('define');
            vars.splice(0, vars.length, ...saved);
            if (body.stop !== 'end') fail(body.stopPos, 'unexpected EOF');
            endAction();
            const name = (nameTok as { v: string }).v;
            defines.push({ name, file, src, list: body.list });
            list.push({ t: 'template', pos: open.pos, name, pipe });
            continue;
          }
          case 'template': {
            next();
            const nameTok = nextNonSpace();
            if (nameTok.k !== 'string') fail(nameTok.pos, 'unexpected name in template clause');
            let pipe: Pipe | undefined;
            if (peekNonSpace().k !== 'close') pipe = pipeline('template', 'close');
            else next();
            list.push({ t: 'template', pos: open.pos, name: (nameTok as { v: string }).v, pipe });
            continue;
          }
          case 'break':
          case 'continue': {
            next();
            if (rangeDepth === 0) fail(w.pos, `{{${w.name}}} outside {{range}}`);
            if (nextNonSpace().k !== 'close') fail(w.pos, `unexpected token in {{${w.name}}}`);
            list.push({ t: w.name, pos: w.pos });
            continue;
          }
        }
      }
      const pipe = pipeline('command', 'close');
      list.push({ t: 'action', pos: open.pos, pipe });
    }
  }

  function endAction() {
    if (nextNonSpace().k !== 'close') fail(peek().pos, 'unexpected token after end');
  }

  function control(word: 'if' | 'with' | 'range', pos: number): Node {
    vars.push([]);
    const pipe = pipeline(word, 'close');
    if (word === 'range') rangeDepth++;
    const body = itemList(word);
    if (word === 'range') rangeDepth--;
    let elseList: Node[] | undefined;
    if (body.stop === 'else') {
      vars.pop();
      vars.push([]);
      const w = peekNonSpace();
      // {{else if ...}} / {{else with ...}}: an else holding one nested control that shares the {{end}}.
      if (w.k === 'keyword' && (w.name === 'if' || w.name === 'with') && (word === w.name || word !== 'range')) {
        next();
        elseList = [control(w.name, w.pos)];
        vars.pop();
        return { t: word, pos, pipe, list: body.list, elseList };
      }
      if (nextNonSpace().k !== 'close') fail(w.pos, 'unexpected token in else');
      const e = itemList(word);
      if (e.stop !== 'end') fail(e.stopPos, `expected end; found {{else}}`);
      elseList = e.list;
    }
    endAfterStop(body.stop === 'else' ? 'end' : body.stop, body.stopPos);
    vars.pop();
    return { t: word, pos, pipe, list: body.list, elseList };
  }
  function endAfterStop(stop: string, pos: number) {
    if (stop !== 'end') fail(pos, 'unexpected EOF');
    endAction();
  }

  function pipeline(context: string, endTok: 'close' | 'rparen'): Pipe {
    const start = peekNonSpace();
    const decl: string[] = [];
    let isAssign = false;
    // Declarations: $x := / $x, $y := / $x =
    if (start.k === 'var') {
      const save = k;
      next();
      let t = peekNonSpace();
      const names = [start.name];
      if (t.k === 'comma' && context === 'range') {
        next();
        const v2 = nextNonSpace();
        if (v2.k !== 'var') fail(v2.pos, 'expected variable');
        names.push((v2 as { name: string }).name);
        t = peekNonSpace();
      }
      if (t.k === 'declare' || t.k === 'assign') {
        next();
        isAssign = t.k === 'assign';
        if (isAssign) {
          for (const n of names) if (!declared(n)) fail(t.pos, `undefined variable "${n}"`);
        } else vars[vars.length - 1]!.push(...names);
        decl.push(...names);
      } else k = save;
    }
    const cmds: Cmd[] = [];
    for (;;) {
      const t = peekNonSpace();
      if (t.k === (endTok === 'close' ? 'close' : 'rparen')) {
        next();
        break;
      }
      if (t.k === 'close' || t.k === 'rparen' || t.k === 'eof') fail(t.pos, `unexpected ${tokText(t)} in ${context}`);
      cmds.push(command(endTok));
      const after = peekNonSpace();
      // Go accepts a trailing "|" before the closing delimiter.
      if (after.k === 'pipe') next();
    }
    if (cmds.length === 0) fail(start.pos, `missing value for ${context}`);
    for (const c of cmds.slice(1)) {
      const a = c.args[0]!;
      if (a.t === 'bool' || a.t === 'dot' || a.t === 'nil' || a.t === 'number' || a.t === 'string')
        fail(a.pos, `non executable command in pipeline stage ${cmds.indexOf(c) + 1}`);
    }
    return { pos: start.pos, decl, isAssign, cmds };
  }

  function tokText(t: Tok): string {
    if (t.k === 'close') return '"}}"';
    if (t.k === 'rparen') return '")"';
    if (t.k === 'eof') return 'EOF';
    return `<${t.k}>`;
  }

  function command(endTok: 'close' | 'rparen'): Cmd {
    const pos = peekNonSpace().pos;
    const args: Arg[] = [];
    for (;;) {
      const t = peek();
      if (t.k === 'space') {
        next();
        continue;
      }
      if (t.k === 'pipe' || t.k === 'close' || t.k === 'rparen') {
        if (t.k === 'rparen' && endTok === 'close') fail(t.pos, 'unexpected right paren');
        break;
      }
      args.push(operand());
      const after = peek();
      if (!(after.k === 'space' || after.k === 'pipe' || after.k === 'close' || after.k === 'rparen'))
        fail(after.pos, `unexpected ${tokText(after)} in operand`);
    }
    if (args.length === 0) fail(pos, 'empty command');
    return { pos, args };
  }

  function operand(): Arg {
    const t = next();
    let a: Arg;
    switch (t.k) {
      // Go builds a chain for .a.b and $x.a: its node takes the position of the first chained field.
      case 'field': {
        const names = [t.name];
        const chainPos = peek().k === 'field' ? peek().pos : t.pos;
        while (peek().k === 'field') names.push((next() as { name: string }).name);
        return { t: 'field', pos: chainPos, names };
      }
      case 'var': {
        if (!declared(t.name)) fail(t.pos, `undefined variable "${t.name}"`);
        const names: string[] = [];
        const chainPos = peek().k === 'field' ? peek().pos : t.pos;
        while (peek().k === 'field') names.push((next() as { name: string }).name);
        return { t: 'var', pos: chainPos, name: t.name, names };
      }
      case 'ident':
        if (!hasFunc(t.name)) fail(t.pos, `function "${t.name}" not defined`);
        a = { t: 'ident', pos: t.pos, name: t.name };
        break;
      case 'dot':
        a = { t: 'dot', pos: t.pos };
        break;
      case 'keyword':
        if (t.name === 'nil') a = { t: 'nil', pos: t.pos };
        else if (t.name === 'true' || t.name === 'false') a = { t: 'bool', pos: t.pos, v: t.name === 'true' };
        else return fail(t.pos, `unexpected <${t.name}> in command`);
        break;
      case 'string':
        a = { t: 'string', pos: t.pos, v: t.v, raw: t.raw };
        break;
      case 'number':
        a = { t: 'number', pos: t.pos, v: t.v, raw: t.raw };
        break;
      case 'char':
        a = { t: 'number', pos: t.pos, v: t.v, raw: t.raw };
        break;
      case 'lparen':
        a = { t: 'pipe', pos: t.pos, pipe: pipeline('parenthesized pipeline', 'rparen') };
        break;
      default:
        return fail(t.pos, `unexpected ${tokText(t)} in operand`);
    }
    if (peek().k === 'field') {
      const chainPos = peek().pos;
      const names: string[] = [];
      while (peek().k === 'field') names.push((next() as { name: string }).name);
      if (a.t === 'nil' || a.t === 'bool' || a.t === 'string' || a.t === 'number')
        fail(a.pos, `unexpected . after term "${'raw' in a ? a.raw : a.t}"`);
      return { t: 'chain', pos: chainPos, node: a, names };
    }
    return a;
  }

  const top = itemList('top');
  return { main: { name: file, file, src, list: top.list }, defines };
}

/** Go's node.String() for the `at <...>` part of execution errors. */
export function argString(a: Arg): string {
  switch (a.t) {
    case 'field':
      return a.names.map((n) => `.${n}`).join('');
    case 'var':
      return a.name + a.names.map((n) => `.${n}`).join('');
    case 'ident':
      return a.name;
    case 'dot':
      return '.';
    case 'nil':
      return 'nil';
    case 'bool':
      return String(a.v);
    case 'string':
    case 'number':
      return a.raw;
    case 'pipe':
      return `(${pipeString(a.pipe)})`;
    case 'chain':
      return argString(a.node) + a.names.map((n) => `.${n}`).join('');
  }
}
export function cmdString(c: Cmd): string {
  return c.args.map(argString).join(' ');
}
export function pipeString(p: Pipe): string {
  const d = p.decl.length ? `${p.decl.join(', ')} ${p.isAssign ? '=' : ':='} ` : '';
  return d + p.cmds.map(cmdString).join(' | ');
}

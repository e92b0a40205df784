// strvals.ts: helm's --set/--set-string/--set-file parser. The expectations are helm's (pkg/strvals and the
// binary); the same lines are rendered by the real helm in the conformance set (src/conformance/set-cases.ts).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  applySetValues,
  type GoMap,
  HelmError,
  MAX_INDEX,
  parseSet,
  parseSetFileInto,
  parseSetInto,
  parseSetStringInto,
  readSetFiles,
  renderChart,
  StrvalsError,
  setFilePaths,
  typedVal,
} from '../src/index.js';

const fails = (line: string) => {
  try {
    parseSet(line);
  } catch (e) {
    expect(e).toBeInstanceOf(StrvalsError);
    return (e as Error).message;
  }
  return 'no error';
};

describe('typedVal', () => {
  it('types a --set value as helm does', () => {
    expect(typedVal('true')).toBe(true);
    expect(typedVal('FALSE')).toBe(false);
    expect(typedVal('Null')).toBe(null);
    expect(typedVal('fal\u017fe')).toBe(false); // strings.EqualFold folds ſ onto s
    expect(typedVal('0')).toBe(0n);
    expect(typedVal('42')).toBe(42n);
    expect(typedVal('-7')).toBe(-7n);
    expect(typedVal('+7')).toBe(7n);
    expect(typedVal('-0')).toBe(0n);
    expect(typedVal('9223372036854775807')).toBe(9223372036854775807n);
    expect(typedVal('9223372036854775808')).toBe('9223372036854775808');
    expect(typedVal('007')).toBe('007');
    expect(typedVal('1.5')).toBe('1.5');
    expect(typedVal('1e3')).toBe('1e3');
    expect(typedVal('0x1F')).toBe('0x1F');
    expect(typedVal('1_000')).toBe('1_000');
    expect(typedVal('yes')).toBe('yes');
    expect(typedVal('')).toBe('');
    expect(typedVal('true', true)).toBe('true');
  });
});

describe('parseSet', () => {
  it('reads names, nesting, several assignments and escapes', () => {
    expect(parseSet('a=1,b.c=x,b.d=true')).toEqual({ a: 1n, b: { c: 'x', d: true } });
    expect(parseSet('a\\.b=1,c=x\\,y,d=e=f,k\\=ey=v')).toEqual({ 'a.b': 1n, c: 'x,y', d: 'e=f', 'k=ey': 'v' });
    expect(parseSet('a=,b=1,')).toEqual({ a: '', b: 1n });
    expect(parseSet('a=')).toEqual({ a: '' });
    expect(parseSet('')).toEqual({});
    expect(parseSet('a.')).toEqual({});
    expect(parseSet('n=null')).toEqual({ n: null });
  });

  it('reads {..} list literals', () => {
    expect(parseSet('l={a,1,true,null}')).toEqual({ l: ['a', 1n, true, null] });
    expect(parseSet('l={}')).toEqual({ l: [''] });
    expect(parseSet('l={a\\,b,c},x=1')).toEqual({ l: ['a,b', 'c'], x: 1n });
    expect(() => parseSet('l={a,b')).toThrow("list must terminate with '}'");
    expect(fails('l={a,b}x')).toBe('key "x" has no value');
  });

  it('reads list indexes, nested lists and maps in lists', () => {
    expect(parseSet('l[0]=a,l[2]=c')).toEqual({ l: ['a', null, 'c'] });
    expect(parseSet('l[1].n=b,l[0].n=a')).toEqual({ l: [{ n: 'a' }, { n: 'b' }] });
    expect(parseSet('m[1][1]=1')).toEqual({ m: [null, [null, 1n]] });
    expect(parseSet('a.b[0].c[1]=v')).toEqual({ a: { b: [{ c: [null, 'v'] }] } });
    expect(parseSet('l[0]')).toEqual({ l: [] });
    expect(parseSet('l[0]=')).toEqual({ l: [''] });
    expect(parseSet('l[0]={x,y}')).toEqual({ l: [['x', 'y']] });
    expect(parseSet('l[+1]=a,l[007]=b')).toEqual({ l: [null, 'a', null, null, null, null, null, 'b'] });
    // An index cut short ends the line quietly: helm's wrapped io.EOF.
    expect(parseSet('l[1')).toEqual({});
    expect((parseSet(`l[${MAX_INDEX}]=x`).l as unknown[]).length).toBe(MAX_INDEX + 1);
  });

  it("refuses malformed lines with helm's messages", () => {
    expect(fails('a')).toBe('key "a" has no value');
    expect(fails('a,b=1')).toBe('key "a" has no value (cannot end with ,)');
    expect(fails(',a=1')).toBe('key "" has no value (cannot end with ,)');
    expect(fails('a.b')).toBe('key "b" has no value');
    expect(fails('a.=1')).toBe('key map "a" has no value');
    expect(fails('a[x]=1')).toBe('error parsing index: strconv.Atoi: parsing "x": invalid syntax');
    expect(fails('a[]=1')).toBe('error parsing index: strconv.Atoi: parsing "": invalid syntax');
    expect(fails('a[99999999999999999999]=1')).toBe(
      'error parsing index: strconv.Atoi: parsing "99999999999999999999": value out of range',
    );
    expect(fails('a[-1]=1')).toBe('negative -1 index not allowed');
    expect(fails(`a[${MAX_INDEX + 1}]=1`)).toBe(
      `index of ${MAX_INDEX + 1} is greater than maximum supported index of ${MAX_INDEX}`,
    );
    expect(fails('a[0]xy=1')).toBe("unexpected data at end of array index: ['x' 'y']");
    expect(fails(`${Array.from({ length: 31 }, (_, i) => `k${i}`).join('.')}.z=1`)).toBe(
      'value name nested level is greater than maximum supported nested level of 30',
    );
    expect(parseSet(`${Array.from({ length: 30 }, (_, i) => `k${i}`).join('.')}=1`)).toBeTruthy();
  });

  it("a name through a value of another type is helm's recovered panic", () => {
    expect(fails('s=x,s.t=1')).toBe(
      'unable to parse key: interface conversion: interface {} is string, not map[string]interface {}',
    );
    expect(fails('n=1,n[0]=1')).toBe(
      'unable to parse key: interface conversion: interface {} is int64, not []interface {}',
    );
    expect(fails('n=null,n.a=1')).toBe(
      'unable to parse key: interface conversion: interface {} is nil, not map[string]interface {}',
    );
    const dest: GoMap = { f: 1.5 };
    expect(() => parseSetInto('f.a=1', dest)).toThrow('interface {} is float64, not map');
  });

  it('parses into an existing map, keeping what the line does not name', () => {
    const dest: GoMap = { image: { repository: 'nginx', tag: '1.0' }, list: ['a', 'b'] };
    parseSetInto('image.tag=2,list[1]=c', dest);
    expect(dest).toEqual({ image: { repository: 'nginx', tag: 2n }, list: ['a', 'c'] });
    parseSetStringInto('image.tag=3', dest);
    expect((dest.image as GoMap).tag).toBe('3');
  });

  it('never writes a prototype', () => {
    const m = parseSet('__proto__.x=1');
    expect(Object.getPrototypeOf(m)).toBe(Object.prototype);
    expect(Object.hasOwn(m, '__proto__')).toBe(true);
  });
});

describe('--set-file', () => {
  it("reads each value as a path through the caller's reader", () => {
    const files: Record<string, string> = { 'a.txt': 'A\n', 'b.txt': 'true' };
    const dest: GoMap = {};
    parseSetFileInto('x=a.txt,l={a.txt,b.txt}', dest, (p) => files[p]!);
    expect(dest).toEqual({ x: 'A\n', l: ['A\n', 'true'] });
    expect(setFilePaths('x=a.txt,y.z=dir/b\\,c.txt,l={p,q},bad')).toEqual(['a.txt', 'dir/b,c.txt', 'p', 'q']);
  });

  it('readSetFiles gives contents, and the Go error for what cannot be read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'strvals-'));
    try {
      writeFileSync(join(dir, 'f.txt'), 'content');
      mkdirSync(join(dir, 'sub'));
      const m = readSetFiles(['a=f.txt,b=missing,c=sub', 'd=,e=f.txt'], dir);
      expect(m.get('f.txt')).toBe('content');
      expect((m.get('missing') as Error).message).toBe('open missing: no such file or directory');
      expect((m.get('sub') as Error).message).toBe('read sub: is a directory');
      expect((m.get('') as Error).message).toBe('open : no such file or directory');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('applySetValues', () => {
  it('applies --set, then --set-string, then --set-file, and prefixes errors as helm does', () => {
    const base: GoMap = { v: 'file' };
    applySetValues(base, {
      setFile: ['v=f'],
      setString: ['v=string,s=1'],
      set: ['v=set,n=1'],
      setFileContents: new Map([['f', 'from file']]),
    });
    expect(base).toEqual({ v: 'from file', s: '1', n: 1n });
    expect(() => applySetValues({}, { set: ['a'] })).toThrow('failed parsing --set data: key "a" has no value');
    expect(() => applySetValues({}, { setString: ['a'] })).toThrow('failed parsing --set-string data: key "a"');
    expect(() => applySetValues({}, { setFile: ['a=nope'] })).toThrow(
      'failed parsing --set-file data: open nope: no such file or directory',
    );
  });
});

describe('renderChart with --set', () => {
  const chart = {
    files: new Map([
      ['Chart.yaml', 'apiVersion: v2\nname: c\nversion: 0.1.0\n'],
      ['values.yaml', 'replicas: 1\nbig: 1000000\ndrop: x\nkeep: k\n'],
      [
        'templates/cm.yaml',
        'replicas: {{ .Values.replicas }}\nbig: {{ .Values.big }}\nv:\n{{ toYaml .Values | indent 2 }}\n',
      ],
    ]),
  };
  const render = (opts: object) =>
    renderChart(chart, { releaseName: 'r', namespace: 'n', ...opts })
      .manifests.split('\n')
      .slice(2)
      .join('\n');

  it('renders --set ints as int64 (no float notation), null deletes a default, after the value files', () => {
    expect(render({})).toContain('big: 1e+06');
    expect(
      render({
        valueFiles: [{ name: 'v.yaml', text: 'replicas: 2\n' }],
        set: ['replicas=3,big=12345678901,drop=null'],
      }),
    ).toBe('replicas: 3\nbig: 12345678901\nv:\n  big: 12345678901\n  keep: k\n  replicas: 3\n');
  });

  it('a bad line is a values error with the message helm prints', () => {
    expect(() => render({ set: ['replicas'] })).toThrow(
      new HelmError('values', 'failed parsing --set data: key "replicas" has no value'),
    );
  });
});

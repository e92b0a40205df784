// Conformance (c): --set, --set-string and --set-file lines (strvals.ts) against the real helm. One small chart
// prints the values it is given (toYaml, toJson and %v, so types and int/float formatting show). helm and the
// engine get the same flags (working directory: a temp dir holding the files they name): a case the engine
// refuses alone, the others several to a run when they cannot touch the same top-level key (groupSetCases).
// A case passes byte for byte, or when both fail with the same message (helm's stderr is
// `Error: <the engine's message>`).
import { mapLimit } from '@cmsweb/toolkit';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runHelm } from '@cmsweb/toolchain';
import { HelmError, renderChart } from '../chart.js';
import { readSetFiles } from '../set-files.js';
import { compare, type Outcome } from './generated-charts.js';

export interface SetCase {
  set?: string[];
  setString?: string[];
  setFile?: string[];
  /** A value file given before the lines (`--values`). */
  values?: string;
  /** Files of the working directory (for --set-file), by relative path. */
  files?: Record<string, string>;
}

const CHART_YAML = 'apiVersion: v2\nname: setcase\nversion: 0.1.0\n';
const CHART_VALUES = `replicas: 1
image:
  repository: nginx
  tag: "1.0"
list: [a, b, c]
nested:
  keep: x
  drop: y
str: hello
num: 1.5
`;
const TEMPLATE = `apiVersion: v1
kind: ConfigMap
metadata:
  name: set-case
data:
  json: {{ toJson .Values | quote }}
  v: {{ printf "%v" .Values | quote }}
  replicas: "{{ .Values.replicas }}"
values:
{{ toYaml .Values | indent 2 }}
`;

const many = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i)).join(',');

export const SET_CASES: SetCase[] = [
  // plain keys, nesting, overriding chart values
  { set: ['replicas=3'] },
  { set: ['replicas=3', 'replicas=4'] },
  { set: ['image.tag=2.0,image.repository=busybox'] },
  { set: ['a.b.c.d=deep'] },
  { set: ['new=1', 'other.key=v'] },
  { set: ['str=world,num=2'] },
  // types (typedVal)
  { set: ['t=true,f=false,T=TRUE,F=False,n=NULL,z=0,neg=-5,pos=+5'] },
  { set: ['oct=0755,lead=007,negzero=-0,negoct=-01'] },
  { set: ['float=1.5,exp=1e3,hex=0x1F,under=1_000'] },
  { set: ['big=9223372036854775807,over=9223372036854775808,small=-9223372036854775808'] },
  { set: ['million=1000000,billion=12345678901'] },
  { set: ['empty=,after=x'] },
  { set: ['empty='] },
  { set: ['fold=fal\u017fe,notbool=yes,off=off'] },
  { set: ['sp= spaced ,tab=a\tb'] },
  { set: ['u=héllo ✓,eq=a=b=c'] },
  // --set-string keeps strings
  { setString: ['replicas=3,t=true,n=null,z=0'] },
  { setString: ['l={1,true,null}'] },
  { set: ['replicas=3'], setString: ['replicas=5'] },
  // list literals
  { set: ['list={x,y}'] },
  { set: ['list={}'] },
  { set: ['list={1,true,null,01,a b}'] },
  { set: ['list={a,b},after=1'] },
  { set: ['l={a\\,b,c}'] },
  { set: ['l={a,b}x'] },
  { set: ['l={a,b'] },
  // indexes
  { set: ['list[0]=first'] },
  { set: ['list[1]=second,list[4]=fifth'] },
  { set: ['arr[2]=x'] },
  { set: ['arr[0].name=a,arr[0].value=1,arr[1].name=b'] },
  { set: ['arr[1].name=b,arr[0].name=a'] },
  { set: ['m[0][1]=x,m[1][0]=y'] },
  { set: ['m[0][0][0]=deep'] },
  { set: ['a[0].b[1].c=v'] },
  { set: ['list[0]'] },
  { set: ['a.b[0]'] },
  { set: ['list[0]={p,q}'] },
  { set: ['list[+1]=plus,list[007]=lead'] },
  { set: ['list[\\1]=escaped'] },
  { set: [`big[${65536}]=edge`] },
  // escapes
  { set: ['a\\.b=dotted'] },
  { set: ['nested.a\\.b=dotted'] },
  { set: ['v=a\\,b,w=c\\=d'] },
  { set: ['k\\=ey=v'] },
  { set: ['path=C:\\\\dir'] },
  { set: ['trail=x\\'] },
  // null deletes a chart default
  { set: ['nested.drop=null'] },
  { set: ['image=null'] },
  { set: ['list=null'] },
  // over a value file
  { values: 'image:\n  tag: "3.0"\nextra: [1, 2]\n', set: ['image.tag=4.0'] },
  { values: 'extra: [1, 2]\n', set: ['extra[1]=two,extra[3]=four'] },
  { values: 'extra:\n  - name: a\n    v: 1\n', set: ['extra[0].v=2'] },
  { values: 'flat: text\n', set: ['flat.sub=x'] },
  { values: 'flat: 1.5\n', set: ['flat[0]=x'] },
  { values: 'flat: ~\n', set: ['flat.sub=x'] },
  { values: 'm:\n  k: v\n', set: ['m[0]=x'] },
  { values: 'l: [[1], 2]\n', set: ['l[1][0]=x'] },
  { values: 'l: [[1], 2]\n', set: ['l[0][1]=x'] },
  { set: ['s=text', 's.sub=x'] },
  { set: ['n=5', 'n[0]=x'] },
  // malformed
  { set: ['replicas'] },
  { set: ['a=1,b'] },
  { set: ['a,b=1'] },
  { set: [',a=1'] },
  { set: ['a=1,'] },
  { set: ['a.=1'] },
  { set: ['a.'] },
  { set: ['a.b'] },
  { set: ['.a=1'] },
  { set: ['=1'] },
  { set: [''] },
  { set: ['a[x]=1'] },
  { set: ['a[]=1'] },
  { set: ['a[-1]=1'] },
  { set: ['a[0][-2]=1'] },
  { set: ['a[1'] },
  { set: ['a[0]x=1'] },
  { set: ['a[0][1'] },
  { set: ['a[', 'b=1'] },
  { set: ['a[0].b[', 'b=1'] },
  { set: ['l[0]={a'] },
  { set: ['a[0]"q=1'] },
  { set: [`a[${65537}]=1`] },
  { set: ['a[99999999999999999999]=1'] },
  { set: ['a[0].=1'] },
  { set: [`${Array.from({ length: 30 }, (_, i) => `k${i}`).join('.')}.leaf=ok`] },
  { set: [`${Array.from({ length: 31 }, (_, i) => `k${i}`).join('.')}.leaf=deep`] },
  { set: [many(40, (i) => `k${i}=${i}`)] },
  { setString: ['bad'] },
  // --set-file
  { setFile: ['cfg=conf.txt'], files: { 'conf.txt': 'line one\nline two\n' } },
  { setFile: ['a=one.txt,b=two.txt'], files: { 'one.txt': '1', 'two.txt': 'true' } },
  { setFile: ['l={one.txt,two.txt}'], files: { 'one.txt': 'x', 'two.txt': 'y' } },
  { setFile: ['list[1]=one.txt'], files: { 'one.txt': 'x' } },
  { setFile: ['cfg=missing.txt'] },
  { setFile: ['cfg=sub'], files: { 'sub/f': 'x' } },
  { setFile: ['cfg='] },
  { setFile: ['cfg=,other=f.txt'], files: { 'f.txt': 'x' } },
  { set: ['cfg=fromset'], setString: ['cfg=fromstring'], setFile: ['cfg=f.txt'], files: { 'f.txt': 'fromfile' } },
  { setFile: ['cfg'] },
];

export interface SetCaseResult {
  index: number;
  name: string;
  outcome: Outcome;
}

/** A case as the flags helm is given. */
export function setCaseName(c: SetCase): string {
  const flags = [
    ...(c.values !== undefined ? [`-f ${JSON.stringify(c.values)}`] : []),
    ...(c.set ?? []).map((s) => `--set ${JSON.stringify(s)}`),
    ...(c.setString ?? []).map((s) => `--set-string ${JSON.stringify(s)}`),
    ...(c.setFile ?? []).map((s) => `--set-file ${JSON.stringify(s)}`),
  ].join(' ');
  return flags.length > 100 ? `${flags.slice(0, 100)}...` : flags;
}

/**
 * What a case could name as a top-level key, over-approximated without trusting the engine's parser: each
 * line with its backslashes dropped, cut at every comma (a key starts at the line's start or after a comma),
 * each piece up to its first `=`, `.` or `[`; the words (letters, digits, `_`, `-`) of those prefixes, every
 * word of the value file, and each file the case writes (`file:` + its path). Two cases with no word in
 * common cannot set the same top-level key. `undefined`: a prefix holds no word (a key that could be empty
 * or punctuation only), so the case runs alone.
 */
function keyWords(c: SetCase): Set<string> | undefined {
  const out = new Set<string>();
  for (const line of [...(c.set ?? []), ...(c.setString ?? []), ...(c.setFile ?? [])])
    for (const piece of line.replace(/\\(.)/gsu, '$1').split(',')) {
      const found = piece.split(/[=.[]/)[0]!.match(/[\p{L}\p{N}_-]+/gu);
      if (!found) return undefined;
      for (const w of found) out.add(w);
    }
  for (const w of c.values?.match(/[\p{L}\p{N}_-]+/gu) ?? []) out.add(w);
  for (const f of Object.keys(c.files ?? {})) out.add(`file:${f}`);
  return out;
}

/**
 * Cases the engine renders, grouped so that no two cases of a group share a key word (keyWords). helm parses
 * each --set flag on its own into one map, so the flags of such cases commute, and one helm run renders them
 * all without changing any string under test.
 */
export function groupSetCases(cases: Array<{ index: number; c: SetCase }>) {
  const groups: Array<{ members: Array<{ index: number; c: SetCase }>; used?: Set<string> }> = [];
  for (const one of cases) {
    const w = keyWords(one.c);
    const g = w && groups.find((g) => g.used && [...w].every((x) => !g.used!.has(x)));
    if (g) {
      g.members.push(one);
      for (const x of w!) g.used!.add(x);
    } else groups.push({ members: [one], used: w && new Set(w) });
  }
  return groups.map((g) => g.members);
}

/** The flags of several cases in one run (each case's value file under its own name). */
function merged(
  members: Array<{ index: number; c: SetCase }>,
): SetCase & { valueFiles: Array<{ name: string; text: string }> } {
  return {
    valueFiles: members
      .filter((m) => m.c.values !== undefined)
      .map((m) => ({ name: `case-${m.index}-values.yaml`, text: m.c.values! })),
    set: members.flatMap((m) => m.c.set ?? []),
    setString: members.flatMap((m) => m.c.setString ?? []),
    setFile: members.flatMap((m) => m.c.setFile ?? []),
    files: Object.assign({}, ...members.map((m) => m.c.files ?? {})),
  };
}

/**
 * Runs every case with helm and with the engine; both failing must give the same message. Each case the
 * engine refuses gets a helm run of its own (helm stops at the first bad line, so one run judges one error);
 * the cases it renders share runs (groupSetCases), helm and the engine given the same flags. A group whose
 * outputs differ is run again case by case, so a mismatch is named by its case.
 */
export async function runSetCases(cases: SetCase[] = SET_CASES, concurrency = 4): Promise<SetCaseResult[]> {
  const tmp = mkdtempSync(join(tmpdir(), 'helm-engine-set-'));
  const chartFiles = new Map([
    ['Chart.yaml', CHART_YAML],
    ['values.yaml', CHART_VALUES],
    ['templates/cm.yaml', TEMPLATE],
  ]);
  const chartDir = join(tmp, 'chart');
  for (const [p, text] of chartFiles) {
    mkdirSync(join(chartDir, p, '..'), { recursive: true });
    writeFileSync(join(chartDir, p), text);
  }
  let runs = 0;
  // helm and the engine on the same flags, in a working directory holding the files the flags name.
  const judge = async (members: Array<{ index: number; c: SetCase }>): Promise<Outcome> => {
    const m = merged(members);
    const cwd = join(tmp, `run-${runs++}`);
    mkdirSync(cwd, { recursive: true });
    for (const [p, text] of Object.entries(m.files ?? {})) {
      mkdirSync(join(cwd, p, '..'), { recursive: true });
      writeFileSync(join(cwd, p), text);
    }
    for (const v of m.valueFiles) writeFileSync(join(cwd, v.name), v.text);
    const r = await runHelm(
      [
        'template',
        chartDir,
        '--name-template',
        'rel',
        '--namespace',
        'ns',
        '--kube-version',
        '1.33',
        ...m.valueFiles.flatMap((v) => ['--values', v.name]),
        ...m.set!.flatMap((s) => ['--set', s]),
        ...m.setString!.flatMap((s) => ['--set-string', s]),
        ...m.setFile!.flatMap((s) => ['--set-file', s]),
      ],
      { cwd, timeoutSeconds: 60 },
    );
    const helm = { ok: r.code === 0, out: r.code === 0 ? r.stdout : r.stderr };
    const engine = renderWithEngine(m, cwd);
    let outcome = compare(helm, engine);
    if (outcome.kind === 'both-failed' && helm.out !== `Error: ${engine.out}\n`)
      outcome = {
        kind: 'mismatch',
        diff: `both failed, differently:\nhelm: ${helm.out.trim()}\nengine: ${engine.out}`,
      };
    return outcome;
  };
  const renderWithEngine = (m: ReturnType<typeof merged>, cwd: string): { ok: boolean; out: string } => {
    try {
      const out = renderChart(
        { files: new Map(chartFiles) },
        {
          releaseName: 'rel',
          namespace: 'ns',
          kubeVersion: '1.33',
          valueFiles: m.valueFiles,
          set: m.set,
          setString: m.setString,
          setFile: m.setFile,
          setFileContents: readSetFiles(m.setFile ?? [], cwd),
        },
      );
      return { ok: true, out: out.manifests };
    } catch (e) {
      return { ok: false, out: e instanceof HelmError ? e.message : `internal error: ${(e as Error).stack}` };
    }
  };
  try {
    const indexed = cases.map((c, index) => ({ index, c }));
    // Which cases the engine refuses (alone, in a directory of the case's own files).
    const refused = new Set<number>();
    for (const one of indexed) {
      const m = merged([one]);
      const cwd = join(tmp, `engine-${one.index}`);
      mkdirSync(cwd, { recursive: true });
      for (const [p, text] of Object.entries(m.files ?? {})) {
        mkdirSync(join(cwd, p, '..'), { recursive: true });
        writeFileSync(join(cwd, p), text);
      }
      if (!renderWithEngine(m, cwd).ok) refused.add(one.index);
    }
    const groups = [
      ...indexed.filter((x) => refused.has(x.index)).map((x) => [x]),
      ...groupSetCases(indexed.filter((x) => !refused.has(x.index))),
    ];
    const outcomes = new Map<number, Outcome>();
    // helm runs `concurrency` at a time.
    await mapLimit(
      groups,
      async (members) => {
        const outcome = await judge(members);
        if (members.length === 1 || outcome.kind === 'byte-equal')
          for (const x of members) outcomes.set(x.index, outcome);
        else for (const x of members) outcomes.set(x.index, await judge([x]));
      },
      concurrency,
    );
    return indexed.map(({ index, c }) => ({
      index,
      name: `#${index} ${setCaseName(c)}`,
      outcome: outcomes.get(index)!,
    }));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

// Conformance (c): --set, --set-string and --set-file lines (strvals.ts) against the real helm. One small chart
// prints the values it is given (toYaml, toJson and %v, so types and int/float formatting show); each case
// runs helm once with its flags (working directory: a temp dir holding the case's files) and the engine with
// the same lines. A case passes byte for byte, or when both fail with the same message (helm's stderr is
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

/** Runs every case with helm and with the engine; both failing must give the same message. */
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
  try {
    const runCase = async (c: SetCase, index: number): Promise<SetCaseResult> => {
      const cwd = join(tmp, `case-${index}`);
      mkdirSync(cwd, { recursive: true });
      for (const [p, text] of Object.entries(c.files ?? {})) {
        mkdirSync(join(cwd, p, '..'), { recursive: true });
        writeFileSync(join(cwd, p), text);
      }
      const valueFiles = c.values === undefined ? [] : [{ name: 'case-values.yaml', text: c.values }];
      for (const v of valueFiles) writeFileSync(join(cwd, v.name), v.text);
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
          ...valueFiles.flatMap((v) => ['--values', v.name]),
          ...(c.set ?? []).flatMap((s) => ['--set', s]),
          ...(c.setString ?? []).flatMap((s) => ['--set-string', s]),
          ...(c.setFile ?? []).flatMap((s) => ['--set-file', s]),
        ],
        { cwd, timeoutSeconds: 60 },
      );
      const helm = { ok: r.code === 0, out: r.code === 0 ? r.stdout : r.stderr };
      let engine: { ok: boolean; out: string };
      try {
        const out = renderChart(
          { files: new Map(chartFiles) },
          {
            releaseName: 'rel',
            namespace: 'ns',
            kubeVersion: '1.33',
            valueFiles,
            set: c.set,
            setString: c.setString,
            setFile: c.setFile,
            setFileContents: readSetFiles(c.setFile ?? [], cwd),
          },
        );
        engine = { ok: true, out: out.manifests };
      } catch (e) {
        engine = { ok: false, out: e instanceof HelmError ? e.message : `internal error: ${(e as Error).stack}` };
      }
      let outcome = compare(helm, engine);
      if (outcome.kind === 'both-failed' && helm.out !== `Error: ${engine.out}\n`)
        outcome = {
          kind: 'mismatch',
          diff: `both failed, differently:\nhelm: ${helm.out.trim()}\nengine: ${engine.out}`,
        };
      return { index, name: `#${index} ${setCaseName(c)}`, outcome };
    };
    // helm runs `concurrency` at a time; results in case order.
    return await mapLimit(cases, runCase, concurrency);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

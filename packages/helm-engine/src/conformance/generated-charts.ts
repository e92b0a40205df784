// Conformance (a): every generated chart × environment, rendered by the engine and by the real helm with the
// same invocation the validator uses (Argo CD's: chart with its file:// dependency in charts/, value files
// from the Application, --name-template, --namespace, --kube-version, --include-crds), compared byte for
// byte and document by document.
import { mapLimit } from '@cmsweb/toolkit';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runHelm } from '@cmsweb/toolchain';
import { parseAllDocuments } from 'yaml';
import { HelmError, renderChart } from '../chart.js';
import { parseGoYaml } from '../goyaml.js';
import { readChartDir } from '../load-chart.js';
import { isMap } from '../template/values.js';

export interface RenderCase {
  name: string;
  chartDir: string;
  releaseName: string;
  namespace: string;
  kubeVersion: string;
  valueFiles: string[];
}

export type Outcome =
  | { kind: 'byte-equal' }
  | { kind: 'semantic-equal'; diff: string }
  | { kind: 'both-failed'; helm: string; engine: string }
  | { kind: 'mismatch'; diff: string };

export interface CaseResult {
  name: string;
  outcome: Outcome;
  engineMs: number;
}

/** The validator's render jobs: environments/<env>/argocd/apps/*.yaml, one per service and environment. */
export function generatedCases(root: string): RenderCase[] {
  const cases: RenderCase[] = [];
  const cluster = parseGoYaml(readFileSync(join(root, 'catalog/cluster.yaml'), 'utf8'));
  const defaultKube = isMap(cluster) ? String(cluster.kubernetesVersion ?? '') : '';
  for (const env of readdirSync(join(root, 'environments')).sort()) {
    const appsDir = join(root, 'environments', env, 'argocd/apps');
    if (!existsSync(appsDir)) continue;
    const envFile = join(root, 'environments', env, 'environment.yaml');
    const envYaml = existsSync(envFile) ? parseGoYaml(readFileSync(envFile, 'utf8')) : null;
    const kube =
      (isMap(envYaml) && typeof envYaml.kubernetesVersion === 'string' && envYaml.kubernetesVersion) || defaultKube;
    for (const f of readdirSync(appsDir).sort()) {
      if (!/\.ya?ml$/.test(f)) continue;
      const app = parseGoYaml(readFileSync(join(appsDir, f), 'utf8'));
      if (!isMap(app) || !isMap(app.spec) || !isMap(app.spec.source)) continue;
      const src = app.spec.source;
      const helm = isMap(src.helm) ? src.helm : {};
      const chartDir = join(root, String(src.path));
      // Applications of plain manifests (environments/<env>/cluster) are not helm renders.
      if (!existsSync(join(chartDir, 'Chart.yaml'))) continue;
      const dest = isMap(app.spec.destination) ? app.spec.destination : {};
      cases.push({
        name: `${env}/${f.replace(/\.ya?ml$/, '')}`,
        chartDir,
        releaseName: String(helm.releaseName ?? (isMap(app.metadata) ? app.metadata.name : '')),
        namespace: String(dest.namespace ?? ''),
        kubeVersion: kube,
        valueFiles: (Array.isArray(helm.valueFiles) ? helm.valueFiles : []).map((v) => resolve(chartDir, String(v))),
      });
    }
  }
  return cases;
}

/** A copy of the chart with its file:// dependencies in charts/ (what Argo CD's dependency build leaves). */
export function vendoredCopy(chartDir: string): { dir: string; remove: () => void } {
  const tmp = mkdtempSync(join(tmpdir(), 'helm-engine-conf-'));
  const dir = join(tmp, 'chart');
  cpSync(chartDir, dir, { recursive: true });
  const meta = parseGoYaml(readFileSync(join(chartDir, 'Chart.yaml'), 'utf8'));
  if (isMap(meta) && Array.isArray(meta.dependencies))
    for (const d of meta.dependencies) {
      if (!isMap(d) || !String(d.repository ?? '').startsWith('file://')) continue;
      const target = join(dir, 'charts', String(d.name));
      if (!existsSync(target))
        cpSync(resolve(chartDir, String(d.repository).slice('file://'.length)), target, { recursive: true });
    }
  return { dir, remove: () => rmSync(tmp, { recursive: true, force: true }) };
}

export function helmArgs(c: RenderCase, chartDir: string): string[] {
  return [
    'template',
    chartDir,
    '--name-template',
    c.releaseName,
    ...(c.namespace ? ['--namespace', c.namespace] : []),
    '--kube-version',
    c.kubeVersion,
    ...c.valueFiles.flatMap((f) => ['--values', f]),
    '--include-crds',
  ];
}

/** Documents of a `helm template` stream, parsed (semantic comparison ignores formatting). */
export function documents(stream: string): unknown[] {
  return parseAllDocuments(stream).map((d) => (Array.isArray(d) ? null : d.toJS()));
}

/** A unified-ish diff of two texts: the first differing lines with context. */
export function lineDiff(a: string, b: string, label = ['helm', 'engine']): string {
  const al = a.split('\n');
  const bl = b.split('\n');
  let i = 0;
  while (i < al.length && i < bl.length && al[i] === bl[i]) i++;
  const out = [`first difference at line ${i + 1}`];
  for (let k = Math.max(0, i - 2); k < Math.min(Math.max(al.length, bl.length), i + 4); k++) {
    if (al[k] === bl[k]) out.push(`  ${al[k] ?? ''}`);
    else {
      if (k < al.length) out.push(`- ${al[k]}    (${label[0]})`);
      if (k < bl.length) out.push(`+ ${bl[k]}    (${label[1]})`);
    }
  }
  return out.join('\n');
}

export function compare(helm: { ok: boolean; out: string }, engine: { ok: boolean; out: string }): Outcome {
  if (!helm.ok && !engine.ok) {
    // Both refuse: they must also agree on where (the first file:line[:column] each message names).
    const at = (m: string) => /([\w./-]+\.(?:yaml|yml|tpl|txt|json)):(\d+)(?::(\d+))?/.exec(m)?.slice(1, 4).join(':');
    if (at(helm.out) !== at(engine.out))
      return {
        kind: 'mismatch',
        diff: `both failed, at different places:\nhelm: ${helm.out.trim()}\nengine: ${engine.out.trim()}`,
      };
    return { kind: 'both-failed', helm: helm.out, engine: engine.out };
  }
  if (!helm.ok || !engine.ok)
    return {
      kind: 'mismatch',
      diff: `helm ${helm.ok ? 'rendered' : `failed: ${helm.out.trim()}`}; engine ${engine.ok ? 'rendered' : `failed: ${engine.out.trim()}`}`,
    };
  if (helm.out === engine.out) return { kind: 'byte-equal' };
  let same = false;
  try {
    same = JSON.stringify(documents(helm.out)) === JSON.stringify(documents(engine.out));
  } catch {
    same = false;
  }
  return same
    ? { kind: 'semantic-equal', diff: lineDiff(helm.out, engine.out) }
    : { kind: 'mismatch', diff: lineDiff(helm.out, engine.out) };
}

export function renderWithEngine(c: RenderCase): { ok: boolean; out: string; ms: number } {
  const t0 = performance.now();
  try {
    const out = renderChart(readChartDir(c.chartDir), {
      releaseName: c.releaseName,
      namespace: c.namespace,
      kubeVersion: c.kubeVersion,
      valueFiles: c.valueFiles.map((f) => ({ name: f, text: readFileSync(f, 'utf8') })),
    }).manifests;
    return { ok: true, out, ms: performance.now() - t0 };
  } catch (e) {
    if (e instanceof HelmError) return { ok: false, out: e.message, ms: performance.now() - t0 };
    return { ok: false, out: `internal error: ${(e as Error).stack}`, ms: performance.now() - t0 };
  }
}

/** Runs the cases (engine in-process, helm spawned `concurrency` at a time); one vendored copy per chart. */
export async function runCases(cases: RenderCase[], concurrency = 2): Promise<CaseResult[]> {
  const copies = new Map<string, { dir: string; remove: () => void }>();
  try {
    for (const c of cases) if (!copies.has(c.chartDir)) copies.set(c.chartDir, vendoredCopy(c.chartDir));
    return await mapLimit(
      cases,
      async (c) => {
        const r = await runHelm(helmArgs(c, copies.get(c.chartDir)!.dir), { timeoutSeconds: 120 });
        const helm = { ok: r.code === 0, out: r.code === 0 ? r.stdout : r.stderr };
        const engine = renderWithEngine(c);
        return { name: c.name, outcome: compare(helm, engine), engineMs: engine.ms };
      },
      concurrency,
    );
  } finally {
    for (const c of copies.values()) c.remove();
  }
}

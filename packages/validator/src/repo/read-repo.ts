import { lstatSync } from 'node:fs';
import { join } from 'node:path';
import { loadEnvironmentFile, readCatalog, type Catalog } from '@cmsweb/catalog';
import {
  checkRegularFile,
  listSafeDir,
  lookupSafeDir,
  parseYaml,
  readSafeFile,
  refusedFinding,
  RefusedFileError,
  toJs,
} from '@cmsweb/yaml';
import { UsageError } from '../errors.js';
import type { Finding } from '../findings.js';
import { fastLoad } from '../manifests/fast-parse.js';
import { parseManifests } from '../manifests/parse-manifests.js';
import { splitDocuments } from '../manifests/split-documents.js';
import type { Resource } from '../resources.js';
import { listTree } from '../sources/read-tree.js';
import { leanRepoYaml } from '../sources/kept-tree.js';
import { fromSourceFinding } from '../sources/yaml-findings.js';
import type { RepoEnvironment, RepoSnapshot, RepoYaml } from './repo-snapshot.js';
import { LIBRARY_CHART, SERVICE_FILE_DIRS, serviceEnters, serviceReads, type Scope } from './scope.js';

export interface ReadRepo {
  /** Absent when the catalog has errors (nothing can be planned then). */
  snapshot?: RepoSnapshot;
  catalog?: Catalog;
  findings: Finding[];
  /** Overlays by environment, then service. */
  overlays: Record<string, Record<string, RepoYaml>>;
  /** Generated Argo CD, Flux and cluster objects by environment. */
  generated: Record<string, Resource[]>;
  /** Chart directories holding a refused file (a symlink out of the repository, a FIFO, ...): never given to helm. */
  refusedCharts: Set<string>;
  /** charts/<service>/values-<env>.yaml (the catalog's settings of an environment) by environment, then service. */
  environmentValues: Record<string, Record<string, RepoYaml>>;
  /** charts/<service>/values.yaml by service. */
  chartValues: Record<string, RepoYaml>;
  /** environments/<name>/ folders of environments catalog/cluster.yaml does not declare, with their first file. */
  leftovers: Array<{ name: string; file: string }>;
}

const YAML_FILE = /\.ya?ml$/;

/** Shell: a repository file's text through the safe reader, or the finding that refuses it. */
export function readRepoText(
  root: string,
  file: string,
): { text: string; finding?: undefined } | { text?: undefined; finding: Finding } {
  try {
    const text = readSafeFile(file, { root });
    if (text !== undefined) return { text };
    return {
      finding: {
        check: 'file-refused',
        severity: 'error',
        file,
        line: 1,
        column: 1,
        message: `${file} disappeared while being read`,
      },
    };
  } catch (e) {
    if (e instanceof RefusedFileError) return { finding: fromSourceFinding(refusedFinding(e)) };
    throw e;
  }
}

/** A repository YAML file, its findings, and how many YAML documents it holds. */
async function readYamlFile(
  root: string,
  file: string,
  /** The file's text when the caller read it already (through readRepoText): it is not read twice. */
  known?: string,
): Promise<{ y: RepoYaml; findings: Finding[]; documents: number }> {
  const r = known === undefined ? readRepoText(root, file) : { text: known };
  if (r.finding)
    return { y: { file, parsed: parseYaml('', file), value: undefined }, findings: [r.finding], documents: 0 };
  const text = r.text;
  // Most files are one document of plain block YAML, which the fast parser vouches for (the value `yaml`
  // gives, no finding): their syntax tree is parsed only if a finding needs a position in them.
  const chunks = splitDocuments(text);
  const fast = chunks.length === 1 && chunks[0]!.text === text ? fastLoad(text) : undefined;
  if (fast && fast.value !== null)
    return { y: leanRepoYaml(file, text, undefined, fast.value), findings: [], documents: 1 };
  const parsed = parseYaml(text, file);
  const findings = parsed.findings.map((f) => fromSourceFinding(f));
  const ok = !parsed.findings.some((f) => f.severity === 'error');
  return {
    y: leanRepoYaml(file, text, parsed, ok ? toJs(parsed)[0] : undefined),
    findings,
    documents: parsed.documents.length,
  };
}

/** Pure: a before b in listTree's order (each directory's entries sorted by name, depth first). */
function treeOrder(a: string, b: string): number {
  const x = a.split('/');
  const y = b.split('/');
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! < y[i]! ? -1 : 1;
  return x.length - y.length;
}

/**
 * Shell: what listTree(root, 'charts', enter) gives under the service's chart and the library chart, the only
 * folders of charts/ a service reads: those two looked up, not the thousands of charts/ listed (a symlink or
 * file in their place is listed as a file, which serviceReads then leaves out, as listTree's would be).
 */
async function chartFiles(root: string, service: string, enter: (dir: string) => boolean): Promise<string[]> {
  const library = LIBRARY_CHART.slice('charts/'.length);
  const files: string[] = [];
  for (const e of lookupSafeDir('charts', [service, library], { root }) ?? [])
    if (e.kind === 'dir' && enter(`charts/${e.name}`)) files.push(...(await listTree(root, `charts/${e.name}`, enter)));
    else if (e.kind !== 'dir') files.push(`charts/${e.name}`);
  return files;
}

/**
 * Shell: the files under `dir` (charts or environments) that serviceReads(service, ·) accepts, in listTree's
 * order: the directories serviceEnters allows are listed, and in each environment's SERVICE_FILE_DIRS only the
 * service's own two names are looked up (listing them is reading one entry per service of the catalog).
 * A directory or file that is not a real one (a symlink) is treated as listTree treats it.
 */
export async function listServiceFiles(root: string, dir: string, service: string): Promise<string[]> {
  const enter = (d: string) => serviceEnters(service, d);
  const listed = (dir === 'charts' ? await chartFiles(root, service, enter) : await listTree(root, dir, enter)).filter(
    (f) => serviceReads(service, f),
  );
  if (dir !== 'environments') return listed;
  const own: string[] = [];
  for (const env of listSafeDir(dir, { root }) ?? []) {
    if (env.kind !== 'dir') continue;
    for (const sub of SERVICE_FILE_DIRS) {
      const parts = sub.split('/');
      // listTree enters only real directories, and lists a symlink as a file (reading it decides).
      const real = parts.every((_, i) =>
        lstatSync(join(root, dir, env.name, ...parts.slice(0, i + 1)), { throwIfNoEntry: false })?.isDirectory(),
      );
      if (!real) continue;
      for (const ext of ['yaml', 'yml']) {
        const f = `${dir}/${env.name}/${sub}/${service}.${ext}`;
        const s = lstatSync(join(root, f), { throwIfNoEntry: false });
        if (s && (s.isFile() || s.isSymbolicLink())) own.push(f);
      }
    }
  }
  return [...listed, ...own].sort(treeOrder);
}

/** kustomize's build file (environments/<env>/flux/kustomization.yaml): read by kustomize-controller, never applied. */
const KUSTOMIZE_FILE = /(^|\/)kustomization\.ya?ml$/;

/**
 * Shell: reads the catalog, the environment files and every YAML file under environments/<env>/; in a
 * service scope only what that service's validation depends on (scope.ts, serviceReads).
 */
export async function readRepo(
  root: string,
  envFilter: string[] = [],
  scope: Scope = { kind: 'repository' },
): Promise<ReadRepo> {
  const only = scope.kind === 'service' ? scope.name : undefined;
  if (!lstatSync(join(root, 'catalog', 'cluster.yaml'), { throwIfNoEntry: false })) {
    throw new UsageError(
      `${root} is not a repository of this project: catalog/cluster.yaml is missing (run in the repository or pass --root DIR)`,
    );
  }
  const file = (ext: string) => join(root, 'catalog', 'services', `${only}.${ext}`);
  if (only && !lstatSync(file('yaml'), { throwIfNoEntry: false }) && !lstatSync(file('yml'), { throwIfNoEntry: false }))
    throw new UsageError(
      `unknown service ${only}: expected a Kubernetes service of catalog/services/ (see \`ls catalog/services\`)`,
    );
  const loaded = await readCatalog(root, only ? { services: [only] } : {});
  const findings: Finding[] = loaded.findings.map((f) => fromSourceFinding(f));
  const catalog = loaded.catalog;
  const overlays: ReadRepo['overlays'] = {};
  const generated: ReadRepo['generated'] = {};
  const refusedCharts = new Set<string>();
  const environmentValues: ReadRepo['environmentValues'] = {};
  const chartValues: ReadRepo['chartValues'] = {};
  const leftovers: ReadRepo['leftovers'] = [];
  if (!catalog) return { findings, overlays, generated, refusedCharts, environmentValues, chartValues, leftovers };

  const names = catalog.cluster.environments.map((e) => e.name);
  const unknown = envFilter.filter((e) => !names.includes(e));
  if (unknown.length)
    throw new UsageError(
      `unknown environment ${unknown.join(', ')}: expected one of ${names.join(', ')} (catalog/cluster.yaml)`,
    );

  const files: string[] = [];
  for (const dir of ['charts', 'environments']) {
    try {
      files.push(...(only ? await listServiceFiles(root, dir, only) : await listTree(root, dir)));
    } catch (e) {
      if (!(e instanceof RefusedFileError)) throw e;
      findings.push(fromSourceFinding(refusedFinding(e)));
    }
  }
  // helm follows symlinks and quotes files in its errors: a chart with a refused file is not rendered.
  for (const f of files.filter((p) => p.startsWith('charts/'))) {
    try {
      checkRegularFile(f, { root });
    } catch (e) {
      if (!(e instanceof RefusedFileError)) throw e;
      findings.push(fromSourceFinding(refusedFinding(e)));
      refusedCharts.add(f.split('/').slice(0, 2).join('/'));
    }
  }
  const environments: RepoEnvironment[] = [];
  const serviceNames = new Set(catalog.services.map((s) => s.name)); // a lookup per generated file, not a scan
  const apps: RepoSnapshot['apps'] = {};
  const helmReleases: RepoSnapshot['helmReleases'] = {};
  for (const e of catalog.cluster.environments) {
    const envFile = `environments/${e.name}/environment.yaml`;
    let file: RepoEnvironment['file'];
    if (!files.includes(envFile)) {
      findings.push({
        check: 'environment-schema',
        severity: 'error',
        message: `environment ${e.name} has no ${envFile}: expected its cluster, promotesFrom and promotion policy (run \`npx chartgen generate\` to create it)`,
        file: catalog.clusterFile,
        line: 1,
        column: 1,
        env: e.name,
      });
    } else {
      const read = readRepoText(root, envFile);
      if (read.finding) findings.push({ ...read.finding, env: e.name });
      else {
        const r = loadEnvironmentFile(envFile, read.text, { name: e.name, environments: names });
        findings.push(
          ...r.findings.map((f) => ({
            ...fromSourceFinding(f),
            check: f.check.startsWith('yaml-') ? fromSourceFinding(f).check : 'environment-schema',
            env: e.name,
          })),
        );
        file = r.environment;
      }
    }
    environments.push({
      name: e.name,
      file,
      kubernetesVersion: file?.kubernetesVersion ?? e.kubernetesVersion ?? catalog.cluster.kubernetesVersion,
      production: e.production === true,
    });
    // Overlays of every environment are read (secrets exclusive to prod matter to the others);
    // findings and generated objects only for the selected environments.
    const selected = !envFilter.length || envFilter.includes(e.name);
    overlays[e.name] = {};
    if (selected) generated[e.name] = [];
    const base = `environments/${e.name}/`;
    for (const f of files.filter((p) => p.startsWith(base) && YAML_FILE.test(p) && p !== envFile)) {
      const rest = f.slice(base.length);
      if (rest.startsWith('values/')) {
        const { y, findings: fs, documents } = await readYamlFile(root, f);
        if (selected) findings.push(...fs.map((x) => ({ ...x, env: e.name })));
        if (
          y.value !== undefined &&
          (documents !== 1 || (y.value !== null && (typeof y.value !== 'object' || Array.isArray(y.value))))
        ) {
          if (selected)
            findings.push({
              check: 'overlay-schema',
              severity: 'error',
              message: 'an overlay is one YAML document holding a mapping of chart values',
              file: f,
              line: 1,
              column: 1,
              env: e.name,
            });
          continue;
        }
        if (y.value === null) y.value = {}; // an empty overlay sets nothing (y is this file's own object)
        overlays[e.name]![rest.slice('values/'.length).replace(YAML_FILE, '')] = y;
      } else if (selected && /^(argocd|flux|cluster)\//.test(rest) && !KUSTOMIZE_FILE.test(rest)) {
        const read = readRepoText(root, f);
        if (read.finding) {
          findings.push({ ...read.finding, env: e.name });
          continue;
        }
        const parsed = parseManifests(read.text, f, { lean: true });
        findings.push(...parsed.findings.map((x) => ({ ...x, env: e.name })));
        // Per-service generated files (argocd/apps/<svc>.yaml, flux/helmreleases/<svc>.yaml) belong to that service.
        const svc = /^(?:argocd\/apps|flux\/helmreleases)\/([^/]+)\.ya?ml$/.exec(rest)?.[1];
        const service = svc && serviceNames.has(svc) ? svc : undefined;
        generated[e.name]!.push(
          ...parsed.resources.map((r) => ({ ...r, env: e.name, ...(service ? { service } : {}) })),
        );
        if (rest.startsWith('argocd/apps/')) apps[f] = (await readYamlFile(root, f, read.text)).y;
        if (rest.startsWith('flux/helmreleases/')) helmReleases[f] = (await readYamlFile(root, f, read.text)).y;
      }
    }
  }
  // The values helm merges each overlay with: the chart's values.yaml and the generated values-<env>.yaml.
  const listed = new Set(files); // thousands of services: a lookup per file, not a scan
  const readIfThere = async (f: string) => (listed.has(f) ? (await readYamlFile(root, f)).y : undefined);
  for (const [env, byService] of Object.entries(overlays)) {
    if (envFilter.length && !envFilter.includes(env)) continue;
    environmentValues[env] = {};
    for (const service of Object.keys(byService)) {
      const v = await readIfThere(`charts/${service}/values-${env}.yaml`);
      if (v) environmentValues[env]![service] = v;
      const chart = service in chartValues ? undefined : await readIfThere(`charts/${service}/values.yaml`);
      if (chart) chartValues[service] = chart;
    }
  }
  const firstFile = new Map<string, string>();
  for (const f of [...files].sort()) {
    const m = /^environments\/([^/]+)\//.exec(f);
    if (m && !names.includes(m[1]!) && !firstFile.has(m[1]!)) firstFile.set(m[1]!, f);
  }
  // Folders of undeclared environments concern the whole repository: the cluster scope reports them.
  if (!only) for (const [name, file] of firstFile) leftovers.push({ name, file });
  return {
    snapshot: { catalog, environments, files: new Set(files), apps, helmReleases },
    catalog,
    findings,
    overlays,
    generated,
    refusedCharts,
    environmentValues,
    chartValues,
    leftovers,
  };
}

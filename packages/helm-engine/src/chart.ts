// `helm template` in-process: chart loading from a file map, dependencies (condition, tags, alias), values
// coalescing, rendering every template, and the output helm prints (sorted, `# Source:` headed). Pure: the
// caller gives the files (see load-chart.ts for the shell that reads a directory).
// Spec: helm v4 pkg/engine/engine.go, pkg/chart/common/util/coalesce.go, pkg/chart/v2/util/dependencies.go,
// pkg/action/action.go renderResources, pkg/release/v1/util/{manifest,manifest_sorter,kind_sorter}.go.
import { deepCopy, sprigFuncs, semverSatisfies, strval } from './funcs.js';
import { defineKey, GoYamlError, parseGoYaml, toGoYaml } from './goyaml.js';
import { applySetValues, type SetValues, StrvalsError } from './strvals.js';
import { ExecError, FuncError, type FuncMap, TemplateSet } from './template/exec.js';
import { TemplateParseError } from './template/parse.js';
import { formatV, type GoMap, type GoValue, GoObject, isMap } from './template/values.js';
import { parseGoYamlShared } from './goyaml.js';

/** A chart as files: paths relative to the chart root, `/`-separated (charts/<sub>/... for subcharts). */
export interface ChartSource {
  files: Map<string, string>;
}

export interface RenderOptions extends SetValues {
  releaseName: string;
  namespace: string;
  /** "1.33" or "v1.33.0"; helm's default when absent. */
  kubeVersion?: string;
  /** Texts of value files, in order (after the chart's own values.yaml). */
  valueFiles?: Array<{ name: string; text: string }>;
  /** Values already parsed (applied after valueFiles, before the --set lines of SetValues). */
  overrides?: GoMap;
  apiVersions?: string[];
  isUpgrade?: boolean;
  includeCrds?: boolean;
  skipTests?: boolean;
  /**
   * values.schema.json enforcement (helm's ValidateAgainstSchema), given by the caller so that the core
   * needs no JSON Schema library: returns the violations of `values` against `schema` (JSON text), [] if none.
   */
  validateValues?: (schema: string, values: GoMap) => string[];
}

export type RenderErrorKind = 'template-parse' | 'template-execute' | 'output-yaml' | 'values' | 'chart';
export class HelmError extends Error {
  constructor(
    readonly kind: RenderErrorKind,
    message: string,
    readonly file?: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(message);
  }
}

export interface RenderOutput {
  /** Exactly what `helm template` prints on stdout. */
  manifests: string;
  /** Rendered files by template path (NOTES.txt and partials left out), before splitting. */
  files: Map<string, string>;
}

const DEFAULT_KUBE_VERSION = 'v1.35.0';
const HELM_VERSION = 'v4.1.4';

interface ChartNode {
  meta: GoMap;
  values: GoMap;
  templates: Array<{ name: string; data: string }>;
  files: Map<string, string>;
  deps: ChartNode[];
  parent?: ChartNode;
  name: string;
  schema?: string;
}

function parseYamlFile(text: string, where: string): GoValue {
  try {
    return parseGoYaml(text);
  } catch (e) {
    throw new HelmError('chart', `${where}: ${(e as Error).message}`);
  }
}

/** helm's loader: Chart.yaml, values.yaml, templates/, charts/<dir>/, everything else into .Files. */
export function loadChart(files: Map<string, string>, where = 'chart'): ChartNode {
  const chartYaml = files.get('Chart.yaml');
  if (chartYaml === undefined) throw new HelmError('chart', `${where}: Chart.yaml file is missing`);
  const meta = parseYamlFile(chartYaml, `${where}/Chart.yaml`);
  if (!isMap(meta)) throw new HelmError('chart', `${where}/Chart.yaml: expected a mapping`);
  if (!meta.name) throw new HelmError('chart', `validation: chart.metadata.name is required`);
  if (!meta.version) throw new HelmError('chart', `validation: chart.metadata.version is required`);
  if (!meta.apiVersion) throw new HelmError('chart', `validation: chart.metadata.apiVersion is required`);
  if (meta.apiVersion !== 'v1' && meta.apiVersion !== 'v2') throw new HelmError('chart', 'invalid chart apiVersion');
  const valuesText = files.get('values.yaml');
  const values = valuesText === undefined ? {} : parseYamlFile(valuesText, `${where}/values.yaml`);
  const node: ChartNode = {
    meta,
    values: isMap(values) ? values : {},
    templates: [],
    files: new Map(),
    deps: [],
    name: String(meta.name),
    schema: files.get('values.schema.json'),
  };
  const subs = new Map<string, Map<string, string>>();
  for (const [p, data] of [...files.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (p === 'Chart.yaml' || p === 'values.yaml' || p === 'values.schema.json' || p === 'Chart.lock') continue;
    if (p.startsWith('templates/')) node.templates.push({ name: p, data });
    else if (p.startsWith('charts/')) {
      const rest = p.slice('charts/'.length);
      const slash = rest.indexOf('/');
      if (slash === -1) {
        if (p.endsWith('.tgz'))
          throw new HelmError('chart', `${where}/${p}: packaged subcharts (.tgz) are not read by the native engine`);
        continue;
      }
      const sub = rest.slice(0, slash);
      if (!subs.has(sub)) subs.set(sub, new Map());
      subs.get(sub)!.set(rest.slice(slash + 1), data);
    } else node.files.set(p, data);
  }
  for (const [sub, sf] of subs) {
    if (!sf.has('Chart.yaml')) continue;
    const child = loadChart(sf, `${where}/charts/${sub}`);
    child.parent = node;
    node.deps.push(child);
  }
  return node;
}

function fullPath(c: ChartNode): string {
  return c.parent ? `${fullPath(c.parent)}/charts/${c.name}` : c.name;
}

// ------------------------------------------------------------------------- values (coalesce.go)

function coalesceTables(dst: GoMap, src: GoMap, merge: boolean): GoMap {
  const srcNonNil = new Set(Object.keys(src).filter((k) => src[k] !== null));
  for (const [k, v] of Object.entries(dst)) if (v === null) defineKey(src, k, null);
  for (const [k, val] of Object.entries(src)) {
    const has = Object.hasOwn(dst, k);
    const dv = dst[k];
    if (has && !merge && dv === null && srcNonNil.has(k)) delete dst[k];
    else if (!has) defineKey(dst, k, val);
    else if (isMap(val)) {
      if (isMap(dv)) coalesceTables(dv, val, merge);
    }
  }
  return dst;
}

function coalesceValues(c: ChartNode, v: GoMap, merge: boolean) {
  const vc = deepCopy(c.values) as GoMap;
  for (const [key, val] of Object.entries(vc)) {
    if (Object.hasOwn(v, key)) {
      const value = v[key];
      if (value === null && !merge) delete v[key];
      else if (isMap(value) && isMap(val)) coalesceTables(value, val, merge || c.deps.some((d) => d.name === key));
    } else defineKey(v, key, val);
  }
}

function coalesceGlobals(dest: GoMap, src: GoMap) {
  let dg: GoMap;
  let sg: GoMap;
  if (!Object.hasOwn(dest, 'global')) dg = {};
  else if (isMap(dest.global)) dg = dest.global;
  else return;
  if (!Object.hasOwn(src, 'global')) sg = {};
  else if (isMap(src.global)) sg = src.global;
  else return;
  for (const [k, val] of Object.entries(sg)) {
    if (isMap(val)) {
      const vv: GoMap = { ...val };
      if (!Object.hasOwn(dg, k)) dg[k] = vv;
      else if (isMap(dg[k])) {
        coalesceTables(vv, dg[k] as GoMap, true);
        dg[k] = vv;
      }
    } else if (Object.hasOwn(dg, k) && isMap(dg[k])) {
      // a table is not replaced by a scalar
    } else defineKey(dg, k, val);
  }
  dest.global = dg;
}

function coalesce(c: ChartNode, dest: GoMap, merge: boolean): GoMap {
  coalesceValues(c, dest, merge);
  for (const sub of c.deps) {
    if (!Object.hasOwn(dest, sub.name)) dest[sub.name] = {};
    else if (!isMap(dest[sub.name]))
      throw new HelmError('values', `type mismatch on ${sub.name}: %!t(${strval(dest[sub.name]!)})`);
    const dv = dest[sub.name] as GoMap;
    coalesceGlobals(dv, dest);
    dest[sub.name] = coalesce(sub, dv, merge);
  }
  return dest;
}

/** cli/values mergeMaps: later value files override earlier ones, maps merged key by key. */
export function mergeMaps(a: GoMap, b: GoMap): GoMap {
  const out: GoMap = { ...a };
  for (const [k, v] of Object.entries(b)) {
    if (isMap(v) && Object.hasOwn(out, k) && isMap(out[k])) out[k] = mergeMaps(out[k] as GoMap, v);
    else defineKey(out, k, v);
  }
  return out;
}

// ------------------------------------------------------------------------- dependencies

function pathValue(vals: GoMap, path: string): GoValue | undefined {
  const parts = path.split('.');
  let cur: GoValue = vals;
  for (let i = 0; i < parts.length - 1; i++) {
    if (!isMap(cur) || !isMap(cur[parts[i]!])) return undefined;
    cur = cur[parts[i]!]!;
  }
  if (!isMap(cur)) return undefined;
  const last = parts[parts.length - 1]!;
  return Object.hasOwn(cur, last) ? cur[last] : undefined;
}

function processDependencyEnabled(c: ChartNode, v: GoMap, path: string) {
  const reqs = Array.isArray(c.meta.dependencies) ? (c.meta.dependencies.filter(isMap) as GoMap[]) : [];
  if (!Array.isArray(c.meta.dependencies)) return;
  const compatible = (range: GoValue, version: GoValue) => {
    try {
      return semverSatisfies(String(range ?? '*') || '*', String(version));
    } catch {
      return false;
    }
  };
  const kept: ChartNode[] = [];
  for (const existing of c.deps)
    if (!reqs.some((r) => r.name === existing.name && compatible(r.version ?? null, existing.meta.version ?? null)))
      kept.push(existing);
  for (const req of reqs) {
    const found = c.deps.find((d) => d.name === req.name && compatible(req.version ?? null, d.meta.version ?? null));
    if (found) {
      if (req.alias) {
        const copy: ChartNode = { ...found, meta: { ...found.meta, name: req.alias }, name: String(req.alias) };
        kept.push(copy);
      } else kept.push(found);
    }
    if (req.alias) req.name = req.alias;
  }
  c.deps = kept;
  const enabled = new Map<GoMap, boolean>(reqs.map((r) => [r, true]));
  const cvals = coalesce(c, deepCopy(v) as GoMap, false);
  // tags
  const tags = cvals.tags;
  if (isMap(tags))
    for (const r of reqs) {
      let hasTrue = false;
      let hasFalse = false;
      for (const t of Array.isArray(r.tags) ? r.tags : []) {
        const b = tags[String(t)];
        if (b === true) hasTrue = true;
        else if (b === false) hasFalse = true;
      }
      if (!hasTrue && hasFalse) enabled.set(r, false);
      else enabled.set(r, true);
    }
  // conditions
  for (const r of reqs) {
    for (const cond of String(r.condition ?? '')
      .trim()
      .split(',')) {
      if (!cond) continue;
      const vv = pathValue(cvals, path + cond);
      if (typeof vv === 'boolean') {
        enabled.set(r, vv);
        break;
      }
    }
  }
  const rm = new Set(reqs.filter((r) => !enabled.get(r)).map((r) => String(r.name)));
  c.deps = c.deps.filter((d) => !rm.has(d.name));
  for (const d of c.deps) {
    d.parent = c;
    processDependencyEnabled(d, cvals, `${path}${d.name}.`);
  }
  c.meta = { ...c.meta, dependencies: reqs.filter((r) => !rm.has(String(r.name))) };
}

/**
 * helm's processDependencyImportValues (merge mode, as `helm template` runs it): each dependency's
 * `import-values` (a name: the child's `exports.<name>`; a map: `child` path to `parent` path) is imported into
 * the parent's values, below the parent's own (a parent may import a section and override parts of it). A
 * table that is missing is skipped, as helm does (it only logs a warning).
 */
function processImportValues(c: ChartNode) {
  for (const d of c.deps) processImportValues(d);
  if (!Array.isArray(c.meta.dependencies)) return;
  const cvals = coalesce(c, {}, true);
  let imported: GoMap = {};
  for (const dep of c.meta.dependencies) {
    if (!isMap(dep) || !Array.isArray(dep['import-values'])) continue;
    for (const iv of dep['import-values']) {
      let child: string;
      let parent = '.';
      if (isMap(iv)) {
        child = formatV(iv.child);
        parent = formatV(iv.parent);
      } else if (typeof iv === 'string') child = `exports.${iv}`;
      else continue;
      const table = tableAt(cvals, `${formatV(dep.name)}.${child}`);
      if (table === undefined) continue;
      const data = deepCopy(table) as GoMap;
      imported = coalesceTables(imported, parent === '.' ? data : nest(parent.split('.'), data), true);
    }
  }
  c.values = coalesceTables(deepCopy(cvals) as GoMap, imported, true);
}

/** Values.Table: the map at a dotted path, or undefined when a step is missing or not a map. */
function tableAt(values: GoMap, path: string): GoMap | undefined {
  let table: GoValue = values;
  for (const key of path.split('.')) {
    if (!isMap(table) || !Object.hasOwn(table, key)) return undefined;
    table = table[key] as GoValue;
  }
  return isMap(table) ? table : undefined;
}

/** `data` under the keys of `path` (helm's pathToMap). */
function nest(path: string[], data: GoMap): GoMap {
  return path.reduceRight<GoMap>((inner, key) => {
    const o: GoMap = {};
    defineKey(o, key, inner);
    return o;
  }, data);
}

// ------------------------------------------------------------------------- helm objects

class KubeVersion extends GoObject {
  readonly goType = 'common.KubeVersion';
  constructor(
    readonly version: string,
    readonly normalized: string,
    readonly major: string,
    readonly minor: string,
  ) {
    super();
  }
  method(name: string) {
    const fields: Record<string, GoValue> = {
      Version: this.version,
      Major: this.major,
      Minor: this.minor,
      GitVersion: this.version,
    };
    if (name in fields) return () => fields[name]!;
    if (name === 'String') return () => this.normalized;
    return undefined;
  }
  override toString() {
    return this.normalized;
  }
}

class VersionSet extends GoObject {
  readonly goType = 'common.VersionSet';
  constructor(readonly list: string[]) {
    super();
  }
  method(name: string) {
    if (name === 'Has') return (v: GoValue) => this.list.includes(String(v));
    return undefined;
  }
  override toString() {
    return `[${this.list.join(' ')}]`;
  }
}

function globToRegex(g: string): RegExp {
  let re = '';
  for (let i = 0; i < g.length; i++) {
    const c = g[i]!;
    if (c === '*') {
      if (g[i + 1] === '*') {
        re += '.*';
        i++;
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '{') {
      const end = g.indexOf('}', i);
      re += `(?:${g
        .slice(i + 1, end)
        .split(',')
        .map((s) => s.replace(/[.+^$()|\\]/g, '\\$&'))
        .join('|')})`;
      i = end;
    } else if (c === '[') {
      const end = g.indexOf(']', i);
      re += `[${g.slice(i + 1, end).replace(/^!/, '^')}]`;
      i = end;
    } else re += c.replace(/[.+^$()|\\/]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

class Files extends GoObject {
  readonly goType = 'common.Files';
  constructor(readonly files: Map<string, string>) {
    super();
  }
  override mapEntries(): Array<[string, GoValue]> {
    return [...this.files];
  }
  method(name: string): ((...a: GoValue[]) => GoValue) | undefined {
    switch (name) {
      case 'Get':
        return (p) => this.files.get(String(p)) ?? '';
      case 'GetBytes':
        return (p) => this.files.get(String(p)) ?? '';
      case 'Glob':
        return (p) => {
          const re = globToRegex(String(p));
          return new Files(new Map([...this.files].filter(([k]) => re.test(k))));
        };
      case 'Lines':
        return (p) => {
          const s = this.files.get(String(p));
          if (s === undefined) return [];
          return (s.endsWith('\n') ? s.slice(0, -1) : s).split('\n');
        };
      case 'AsConfig':
        return () => {
          if (this.files.size === 0) return '';
          const m: GoMap = {};
          for (const [k, v] of this.files) defineKey(m, k.slice(k.lastIndexOf('/') + 1), v);
          return toGoYaml(m).replace(/\n$/, '');
        };
      case 'AsSecrets':
        return () => {
          if (this.files.size === 0) return '';
          const m: GoMap = {};
          for (const [k, v] of this.files)
            defineKey(m, k.slice(k.lastIndexOf('/') + 1), Buffer.from(v, 'latin1').toString('base64'));
          return toGoYaml(m).replace(/\n$/, '');
        };
      default:
        return undefined;
    }
  }
}

function chartMap(c: ChartNode): GoMap {
  const m = c.meta;
  const s = (k: string) => (typeof m[k] === 'string' ? m[k] : m[k] === undefined || m[k] === null ? '' : strval(m[k]!));
  const list = (k: string) => (Array.isArray(m[k]) ? m[k] : []);
  return {
    APIVersion: s('apiVersion'),
    Annotations: isMap(m.annotations) ? m.annotations : {},
    AppVersion: s('appVersion'),
    Condition: s('condition'),
    Dependencies: list('dependencies'),
    Deprecated: m.deprecated === true,
    Description: s('description'),
    Home: s('home'),
    Icon: s('icon'),
    IsRoot: !c.parent,
    Keywords: list('keywords'),
    KubeVersion: s('kubeVersion'),
    Maintainers: list('maintainers'),
    Name: c.name,
    Sources: list('sources'),
    Tags: s('tags'),
    Type: s('type'),
    Version: s('version'),
  };
}

// ------------------------------------------------------------------------- output (releaseutil)

const INSTALL_ORDER = [
  'PriorityClass',
  'Namespace',
  'NetworkPolicy',
  'ResourceQuota',
  'LimitRange',
  'PodSecurityPolicy',
  'PodDisruptionBudget',
  'ServiceAccount',
  'Secret',
  'SecretList',
  'ConfigMap',
  'StorageClass',
  'PersistentVolume',
  'PersistentVolumeClaim',
  'CustomResourceDefinition',
  'ClusterRole',
  'ClusterRoleList',
  'ClusterRoleBinding',
  'ClusterRoleBindingList',
  'Role',
  'RoleList',
  'RoleBinding',
  'RoleBindingList',
  'Service',
  'DaemonSet',
  'Pod',
  'ReplicationController',
  'ReplicaSet',
  'Deployment',
  'HorizontalPodAutoscaler',
  'StatefulSet',
  'Job',
  'CronJob',
  'IngressClass',
  'Ingress',
  'APIService',
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
];
const ORDER = new Map(INSTALL_ORDER.map((k, i) => [k, i]));

function lessByKind(a: string, b: string): boolean {
  const ao = ORDER.get(a);
  const bo = ORDER.get(b);
  if (ao === undefined && bo === undefined) return a < b;
  if (ao === undefined) return false;
  if (bo === undefined) return true;
  return ao < bo;
}

function stableSortByKind<T extends { kind: string }>(list: T[]): T[] {
  return list
    .map((x, i) => ({ x, i }))
    .sort((p, q) => (lessByKind(p.x.kind, q.x.kind) ? -1 : lessByKind(q.x.kind, p.x.kind) ? 1 : p.i - q.i))
    .map((p) => p.x);
}

/** releaseutil.SplitManifests: documents split on `---` lines, each trimmed, empty ones dropped. */
export function splitManifests(big: string): string[] {
  const trimmed = trimSpace(big);
  // Most rendered files hold one document: no split (the regular expression is the cost of this function).
  const docs = trimmed.includes('---') ? trimmed.split(/(?:^|[\t\n\f\r ]*\n)---[\t\n\f\r ]*/) : [trimmed];
  return docs.filter((d) => d !== '').map(trimSpace);
}

/** Leading and trailing tabs, line breaks, form feeds and spaces removed (was a /^[\t\n\f\r ]+|...$/ replace). */
function trimSpace(s: string): string {
  const ws = (c: number) => c === 32 || c === 10 || c === 9 || c === 13 || c === 12;
  let a = 0;
  let b = s.length;
  while (a < b && ws(s.charCodeAt(a))) a++;
  while (b > a && ws(s.charCodeAt(b - 1))) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

const HOOK_EVENTS = new Set([
  'pre-install',
  'post-install',
  'pre-delete',
  'post-delete',
  'pre-upgrade',
  'post-upgrade',
  'pre-rollback',
  'post-rollback',
  'test',
  'test-success',
]);

interface Manifest {
  name: string;
  content: string;
  kind: string;
  hookEvents?: string[];
}

function sortManifests(files: Map<string, string>): { manifests: Manifest[]; hooks: Manifest[] } {
  const generic: Manifest[] = [];
  const hooks: Manifest[] = [];
  for (const p of [...files.keys()].sort()) {
    const content = files.get(p)!;
    if (p.slice(p.lastIndexOf('/') + 1).startsWith('_')) continue;
    if (content.trim() === '') continue;
    for (const m of splitManifests(content)) {
      let head: GoValue;
      try {
        // Only read (kind, hook annotations): the cached value itself, not a copy.
        head = parseGoYamlShared(m);
      } catch (e) {
        throw new HelmError('output-yaml', `YAML parse error on ${p}: ${(e as Error).message}`, p);
      }
      if (head !== null && !isMap(head))
        throw new HelmError(
          'output-yaml',
          `YAML parse error on ${p}: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal ${Array.isArray(head) ? 'array' : typeof head === 'string' ? 'string' : typeof head === 'boolean' ? 'bool' : 'number'} into Go value of type util.SimpleHead`,
          p,
        );
      const h = (head ?? {}) as GoMap;
      const kind = h.kind;
      if (kind !== undefined && kind !== null && typeof kind !== 'string')
        throw new HelmError(
          'output-yaml',
          `YAML parse error on ${p}: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal ${typeof kind === 'number' ? 'number' : 'object'} into Go struct field SimpleHead.kind of type string`,
          p,
        );
      const meta = isMap(h.metadata) ? h.metadata : undefined;
      const ann = meta && isMap(meta.annotations) ? meta.annotations : undefined;
      const hookTypes = ann && typeof ann['helm.sh/hook'] === 'string' ? (ann['helm.sh/hook'] as string) : undefined;
      if (hookTypes === undefined) {
        generic.push({ name: p, content: m, kind: typeof kind === 'string' ? kind : '' });
        continue;
      }
      const events = hookTypes.split(',').map((s) => s.trim().toLowerCase());
      if (events.some((e) => !HOOK_EVENTS.has(e))) continue;
      hooks.push({ name: p, content: m, kind: typeof kind === 'string' ? kind : '', hookEvents: events });
    }
  }
  return { manifests: stableSortByKind(generic), hooks: stableSortByKind(hooks) };
}

// ------------------------------------------------------------------------- render

/** common.ParseKubeVersion: Version keeps the input ("v" added); String() is its numeric part only. */
function parseKubeVersion(v: string | undefined): {
  version: string;
  normalized: string;
  major: string;
  minor: string;
} {
  const input = v ?? DEFAULT_KUBE_VERSION;
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?(?:[-+].*)?$/.exec(input);
  if (!m) throw new HelmError('chart', `invalid kube version "${input}": expected MAJOR.MINOR[.PATCH]`);
  const parts = [m[1], m[2], m[3]].filter((x) => x !== undefined);
  return {
    version: input.startsWith('v') ? input : `v${input}`,
    normalized: `v${parts.join('.')}`,
    major: String(Number(m[1])),
    minor: String(Number(m[2])),
  };
}

const DEFAULT_API_VERSIONS = [
  'v1',
  'admissionregistration.k8s.io/v1',
  'apiextensions.k8s.io/v1',
  'apiregistration.k8s.io/v1',
  'apps/v1',
  'authentication.k8s.io/v1',
  'authorization.k8s.io/v1',
  'autoscaling/v1',
  'autoscaling/v2',
  'batch/v1',
  'certificates.k8s.io/v1',
  'coordination.k8s.io/v1',
  'discovery.k8s.io/v1',
  'events.k8s.io/v1',
  'flowcontrol.apiserver.k8s.io/v1',
  'networking.k8s.io/v1',
  'node.k8s.io/v1',
  'policy/v1',
  'rbac.authorization.k8s.io/v1',
  'scheduling.k8s.io/v1',
  'storage.k8s.io/v1',
];

const ERR_START = 'HELM_ERR_START';
const ERR_END = 'HELM_ERR_END';

/** helm's reformatExecErrorMsg, for fail/required: `execution error at (FILE:LINE:COL): MESSAGE`. */
function helmExecError(e: ExecError): HelmError {
  const msg = e.message;
  const tokens = msg.split(': ');
  const location = tokens[1] ?? '';
  const m = new RegExp(`${ERR_START}([\\s\\S]*)${ERR_END}`).exec(tokens.slice(2).join(': '));
  const [file, line, col] = location.split(':');
  if (m)
    return new HelmError(
      'template-execute',
      `execution error at (${location}): ${m[1]}`,
      file,
      Number(line),
      Number(col),
    );
  return new HelmError('template-execute', msg, file, Number(line), Number(col));
}

/** Renders a chart as `helm template` does and returns what it prints, or throws HelmError. */
export function renderChart(chart: ChartSource, opts: RenderOptions): RenderOutput {
  // User values (helm's MergeValues, before the chart is loaded): value files in order, then overrides,
  // then --set, --set-string, --set-file lines (strvals.ts).
  let user: GoMap = {};
  for (const vf of opts.valueFiles ?? []) {
    const v = parseYamlFile(vf.text, vf.name);
    if (v !== null && !isMap(v))
      throw new HelmError(
        'values',
        `failed to parse ${vf.name}: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal ${Array.isArray(v) ? 'array' : 'string'} into Go value of type map[string]interface {}`,
      );
    user = mergeMaps(user, (v ?? {}) as GoMap);
  }
  if (opts.overrides) user = mergeMaps(user, opts.overrides);
  if (opts.set?.length || opts.setString?.length || opts.setFile?.length) {
    try {
      user = applySetValues(deepCopy(user) as GoMap, opts);
    } catch (e) {
      throw e instanceof StrvalsError ? new HelmError('values', e.message) : e;
    }
  }
  const root = loadChart(chart.files);
  const kv = parseKubeVersion(opts.kubeVersion);
  const kubeVersionRange = root.meta.kubeVersion;
  if (typeof kubeVersionRange === 'string' && kubeVersionRange !== '') {
    let ok: boolean;
    try {
      ok = semverSatisfies(kubeVersionRange, kv.normalized);
    } catch {
      ok = false;
    }
    if (!ok)
      throw new HelmError(
        'chart',
        `chart requires kubeVersion: ${kubeVersionRange} which is incompatible with Kubernetes ${kv.normalized}`,
      );
  }

  // action.CheckDependencies: every dependency of Chart.yaml must be in charts/.
  const missing = (Array.isArray(root.meta.dependencies) ? root.meta.dependencies : [])
    .filter(isMap)
    .map((d) => String(d.name))
    .filter((n) => !root.deps.some((c) => c.name === n));
  if (missing.length)
    throw new HelmError('chart', `found in Chart.yaml, but missing in charts/ directory: ${missing.join(', ')}`);
  processDependencyEnabled(root, user, '');
  processImportValues(root);
  const values = coalesce(root, deepCopy(user) as GoMap, false);
  if (opts.validateValues) {
    // Each chart with a schema is checked against the values it sees (a subchart: its key), as helm does.
    const problems: string[] = [];
    const check = (c: ChartNode, vals: GoMap) => {
      if (c.schema !== undefined) {
        const errs = opts.validateValues!(c.schema, vals);
        if (errs.length) problems.push(`${c.name}:\n${errs.map((e) => `- ${e}`).join('\n')}`);
      }
      for (const d of c.deps) check(d, isMap(vals[d.name]) ? (vals[d.name] as GoMap) : {});
    };
    check(root, values);
    if (problems.length)
      throw new HelmError(
        'values',
        `values don't meet the specifications of the schema(s) in the following chart(s):\n${problems.join('\n')}`,
      );
  }

  const caps: GoMap = {
    KubeVersion: new KubeVersion(kv.version, kv.normalized, kv.major, kv.minor),
    APIVersions: new VersionSet([...DEFAULT_API_VERSIONS, ...(opts.apiVersions ?? [])]),
    HelmVersion: { Version: HELM_VERSION, GitCommit: '', GitTreeState: '', GoVersion: '' },
  };
  const release: GoMap = {
    IsInstall: !opts.isUpgrade,
    IsUpgrade: !!opts.isUpgrade,
    Name: opts.releaseName,
    Namespace: opts.namespace || 'default',
    Revision: 1n,
    Service: 'Helm',
  };

  // recAllTpls: every chart's templates with the values it sees.
  const tpls = new Map<string, { tpl: string; vals: GoMap; basePath: string }>();
  const rec = (c: ChartNode, parentVals: GoMap): GoMap => {
    const sub: GoMap = {};
    let vals: GoValue = {};
    if (!c.parent) vals = parentVals.Values ?? {};
    else if (isMap(parentVals.Values) && isMap(parentVals.Values[c.name])) vals = parentVals.Values[c.name]!;
    const next: GoMap = {
      Chart: chartMap(c),
      Files: new Files(c.files),
      Release: release,
      Capabilities: caps,
      Values: vals,
      Subcharts: sub,
    };
    for (const d of c.deps) sub[d.name] = rec(d, next);
    const base = fullPath(c);
    const library = c.meta.type === 'library';
    for (const t of c.templates) {
      if (library && !t.name.slice(t.name.lastIndexOf('/') + 1).startsWith('_')) continue;
      tpls.set(`${base}/${t.name}`, { tpl: t.data, vals: next, basePath: `${base}/templates` });
    }
    return next;
  };
  rec(root, { Values: values });

  // Parse order: deepest paths first, then reverse lexical order (engine.go sortTemplates).
  const keys = [...tpls.keys()].sort((a, b) => {
    const ca = a.split('/').length;
    const cb = b.split('/').length;
    if (ca !== cb) return cb - ca;
    return a < b ? 1 : a > b ? -1 : 0;
  });
  const funcs = sprigFuncs();
  const set = new TemplateSet(funcs);
  bindHelmFuncs(funcs, set);
  for (const name of keys) {
    try {
      set.add(name, tpls.get(name)!.tpl);
    } catch (e) {
      if (e instanceof TemplateParseError)
        throw new HelmError('template-parse', `parse error at (${e.file}:${e.line}): ${e.detail}`, e.file, e.line);
      throw e;
    }
  }
  const rendered = new Map<string, string>();
  for (const name of keys) {
    if (name.slice(name.lastIndexOf('/') + 1).startsWith('_')) continue;
    const r = tpls.get(name)!;
    const dot: GoMap = { ...r.vals, Template: { Name: name, BasePath: r.basePath } };
    let out: string;
    try {
      out = set.execute(name, dot);
    } catch (e) {
      if (e instanceof ExecError) throw helmExecError(e);
      if (e instanceof FuncError) throw new HelmError('template-execute', e.message, name);
      throw e;
    }
    rendered.set(name, out.replaceAll('<no value>', ''));
  }
  for (const k of [...rendered.keys()]) if (k.endsWith('NOTES.txt')) rendered.delete(k);

  const { manifests, hooks } = sortManifests(rendered);
  let b = '';
  if (opts.includeCrds !== false) {
    const crds = (c: ChartNode): Array<[string, string]> => [
      ...[...c.files]
        .filter(([p]) => p.startsWith('crds/'))
        .map(([p, d]): [string, string] => [`${fullPath(c)}/${p}`, d]),
      ...c.deps.flatMap(crds),
    ];
    for (const [p, d] of crds(root)) b += `---\n# Source: ${p}\n${d}\n`;
  }
  for (const m of manifests) b += `---\n# Source: ${m.name}\n${m.content}\n`;
  let out = `${b.trim()}\n`;
  for (const h of hooks) {
    if (opts.skipTests && h.hookEvents?.some((e) => e === 'test' || e === 'test-success')) continue;
    out += `---\n# Source: ${h.name}\n${h.content}\n`;
  }
  return { manifests: out, files: rendered };
}

/** include, tpl, required, fail: bound to this render's template set (engine.go initFunMap). */
function bindHelmFuncs(funcs: FuncMap, set: TemplateSet) {
  const included = new Map<string, number>();
  funcs.set('include', {
    params: ['string', 'any'],
    fn: (name, data) => {
      const n = String(name);
      const count = included.get(n) ?? 0;
      if (count > 1000)
        throw new FuncError(`rendering template has a nested reference name: ${n}: unable to execute template`);
      included.set(n, count + 1);
      try {
        return set.execute(n, data ?? null);
      } catch (e) {
        if (e instanceof ExecError || e instanceof FuncError) throw new FuncError(e.message);
        throw e;
      } finally {
        included.set(n, (included.get(n) ?? 1) - 1);
      }
    },
  });
  funcs.set('tpl', {
    params: ['string', 'any'],
    fn: (text, vals) => {
      const child = new TemplateSet(funcs);
      for (const [k, t] of set.trees) child.trees.set(k, t);
      try {
        child.add('gotpl', String(text));
      } catch (e) {
        if (e instanceof TemplateParseError) throw new FuncError(`cannot parse template "${text}": ${e.message}`);
        throw e;
      }
      try {
        return child.execute('gotpl', vals ?? null).replaceAll('<no value>', '');
      } catch (e) {
        if (e instanceof ExecError || e instanceof FuncError)
          throw new FuncError(`error during tpl function execution for "${text}": ${e.message}`);
        throw e;
      }
    },
  });
  funcs.set('required', {
    params: ['string', 'any'],
    fn: (warn, val) => {
      if (val === null || val === undefined || val === '') throw new FuncError(`${ERR_START}${warn}${ERR_END}`);
      return val;
    },
  });
  funcs.set('fail', {
    params: ['string'],
    fn: (msg) => {
      throw new FuncError(`${ERR_START}${msg}${ERR_END}`);
    },
  });
}

export { GoYamlError };

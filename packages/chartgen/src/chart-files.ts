import { annotationDomain, displayName, type Cluster, type Service } from '@cmsweb/catalog';
import { stringifyYaml } from '@cmsweb/yaml';
import { buildChartValues, FILEBEAT_MONITOR_PORT, type ChartValues } from './chart-values.js';
import { formatCommentedYaml, type YamlCache } from './commented-yaml.js';
import { buildReadmeRows } from './chart-readme.js';
import { VALUE_DOCS } from './value-docs.js';
import type { Renderer } from './templates.js';

/**
 * Marks a chart directory as chartgen's: only such directories are ever deleted. The key is in the cluster's
 * annotation domain (`cmsweb.cern.ch/generated-by` for CMSWEB).
 */
export function generatedMarker(cluster: Pick<Cluster, 'name' | 'annotationDomain'>): { key: string; value: string } {
  return { key: `${annotationDomain(cluster)}/generated-by`, value: GENERATED_BY };
}
/** The value of the generated-by annotation, whatever its domain. */
export const GENERATED_BY = 'chartgen';
/** Charts are versioned by git; the version changes only when chartgen's chart layout does. */
export const CHART_VERSION = '1.0.0';

/**
 * The library chart holding the templates every service chart shares (`type: library`). Its version
 * changes when its templates do (see packages/chartgen/README.md, "Library chart"); each service chart
 * depends on exactly this version through `file://../_library`, which Argo CD (`helm dependency build`)
 * and Flux (source-controller's local dependency manager) both resolve inside the git checkout.
 */
export const LIBRARY = {
  dir: 'charts/_library',
  version: '1.2.1',
  repository: 'file://../_library',
} as const;

/**
 * The library chart's name, `<cluster name>-library` (`cmsweb-library` for CMSWEB): the prefix of every named
 * template, so two organisations' libraries never share a name in helm's cache or in people's minds.
 */
export function libraryName(cluster: Pick<Cluster, 'name'>): string {
  return `${cluster.name}-library`;
}

/** The objects of a service chart: each is the library's `<library>.<kind>`, included by CHART_TEMPLATE_FILE. */
export const CHART_TEMPLATE_KINDS = [
  'deployment',
  'service',
  'hpa',
  'pdb',
  'networkpolicy',
  'configmap',
  'daemonset',
  'statefulset',
  'cronjob',
  'job',
  'serviceaccount',
  'rbac',
  'ingress',
] as const;
/** The library's templates (templates/library/<file>.hbs), written to charts/_library/templates/<file>. */
export const LIBRARY_TEMPLATE_FILES = [
  '_helpers.tpl',
  '_pod.tpl',
  ...CHART_TEMPLATE_KINDS.map((k) => `_${k}.tpl`),
] as const;

/**
 * A service chart's only template file. One file rather than one per kind: a repository of thousands of
 * services tracks 12 files fewer per service, and nx's cost (hashing, git scans) follows the tracked files.
 */
export const CHART_TEMPLATE_FILE = 'templates/resources.yaml';

/**
 * The whole of CHART_TEMPLATE_FILE: one include per kind, in the sorted order of the per-kind files it
 * replaces (templates/configmap.yaml … templates/statefulset.yaml). Helm sorts the files by path, splits each
 * into its documents in order, then stable-sorts all documents by kind: in this order every document keeps
 * the place it had. Each define starts its documents with `---`, so two includes never run into one document.
 * `{{-` drops the line break before each include: the file renders as the includes' outputs one after the
 * other and a final newline, so every document ends in one newline, as each per-kind file's did. helm 4.1
 * trims the whitespace around `---` anyway; helm 4.2.4 (Argo CD's) keeps what precedes it
 * (pkg/release/v1/util/manifest.go `sep`), and would print blank lines left by includes that render nothing.
 */
export function chartTemplateText(library: string): string {
  return [...CHART_TEMPLATE_KINDS]
    .sort()
    .map((kind) => `{{- include "${library}.${kind}" . }}\n`)
    .join('');
}

/** What every chart of one plan shares: rendering, the serialisation cache, the (identical) values schema. */
export interface ChartContext {
  renderer: Renderer;
  cache: YamlCache;
  /** values.schema.json text: the same for every chart of a catalog. */
  schemaJson: string;
  /** Namespace of every catalog service running in Kubernetes (allowFrom resolves service names with it). */
  namespaceOf: ReadonlyMap<string, string>;
}

/** Pure: every file of charts/<service>/, by repository-relative path. */
export function planChart(
  cluster: Cluster,
  s: Service,
  catalogFile: string,
  { renderer, cache, schemaJson, namespaceOf }: ChartContext,
): Map<string, string> {
  const dir = `charts/${s.name}`;
  const values = buildChartValues(cluster, s, namespaceOf);
  const appVersion = s.image?.initialTag ?? cluster.defaults.initialTag;
  const common = { name: s.name, catalogFile };
  const files = new Map<string, string>();
  const library = libraryName(cluster);
  const marker = generatedMarker(cluster);

  const chartYaml = {
    apiVersion: 'v2',
    name: s.name,
    description: s.description ?? `${displayName(cluster)} service ${s.name}`,
    type: 'application',
    version: CHART_VERSION,
    appVersion,
    // autoscaling/v2 and policy/v1 PodDisruptionBudget are served from 1.23 and 1.21.
    kubeVersion: '>=1.23.0-0',
    dependencies: [{ name: library, version: LIBRARY.version, repository: LIBRARY.repository }],
    annotations: { [marker.key]: marker.value, [`${annotationDomain(cluster)}/namespace`]: s.namespace },
  };
  files.set(
    `${dir}/Chart.yaml`,
    renderer.render('chart/Chart.yaml', { ...common, body: trimEnd(stringifyYaml(chartYaml)) }),
  );
  files.set(
    `${dir}/values.yaml`,
    renderer.render('chart/values.yaml', {
      ...common,
      body: trimEnd(formatCommentedYaml(values as unknown as Record<string, unknown>, VALUE_DOCS, cache)),
    }),
  );
  files.set(`${dir}/values.schema.json`, schemaJson);
  files.set(
    `${dir}/README.md`,
    renderer.render('chart/README.md', {
      ...common,
      namespace: s.namespace,
      description: s.description ?? `${displayName(cluster)} service ${s.name}.`,
      rows: buildReadmeRows(values as unknown as Record<string, unknown>),
    }),
  );
  files.set(`${dir}/${CHART_TEMPLATE_FILE}`, chartTemplateText(library));
  return files;
}

/**
 * Pure: every file of the library chart (charts/_library/). Only cluster-wide settings reach it (the log
 * claim pattern, the part-of label), so it is the same for every service.
 */
export function planLibrary(cluster: Cluster, clusterFile: string, renderer: Renderer): Map<string, string> {
  const files = new Map<string, string>();
  const library = libraryName(cluster);
  const marker = generatedMarker(cluster);
  const chartYaml = {
    apiVersion: 'v2',
    name: library,
    description: `Templates shared by every ${displayName(cluster)} service chart (Deployment, DaemonSet, StatefulSet, CronJob, Job, Service, HPA, PDB, NetworkPolicy, Ingress, ConfigMaps, ServiceAccount and RBAC)`,
    type: 'library',
    version: LIBRARY.version,
    annotations: { [marker.key]: marker.value },
  };
  const common = { catalogFile: clusterFile };
  files.set(
    `${LIBRARY.dir}/Chart.yaml`,
    renderer.render('library/Chart.yaml', { ...common, body: trimEnd(stringifyYaml(chartYaml)) }),
  );
  files.set(
    `${LIBRARY.dir}/README.md`,
    renderer.render('library/README.md', {
      ...common,
      ...LIBRARY,
      name: library,
      displayName: displayName(cluster),
      kinds: CHART_TEMPLATE_KINDS,
      sortedKinds: [...CHART_TEMPLATE_KINDS].sort(),
    }),
  );
  // Without the logging feature no service enables the sidecar; the claim helper still needs a format.
  const claimPattern = cluster.logging?.claimName ?? 'logs-{env}-{namespace}';
  const data = {
    ...common,
    library,
    logVolume: logVolumeName(cluster),
    frontend: Boolean(cluster.frontend),
    partOf: cluster.name,
    claimPattern,
    ...claimNameExpression(claimPattern),
    filebeatMonitorPort: FILEBEAT_MONITOR_PORT,
  };
  for (const t of LIBRARY_TEMPLATE_FILES)
    files.set(`${LIBRARY.dir}/templates/${t}`, renderer.render(`library/${t}`, data));
  return files;
}

/** The pod volume of the log claim, `<cluster name>-logs` (`cmsweb-logs` for CMSWEB). */
export function logVolumeName(cluster: Pick<Cluster, 'name'>): string {
  return `${cluster.name}-logs`;
}

/**
 * The log claim pattern ("logs-cephfs-claim-{env}-{namespace}") as Go `printf` arguments:
 * {env} becomes $env (the environment value), {namespace} the release namespace.
 */
export function claimNameExpression(pattern: string): { claimFormat: string; claimArgs: string } {
  const args: string[] = [];
  const format = pattern.replace(/%/g, '%%').replace(/\{(env|namespace)\}/g, (_m, key: string) => {
    args.push(key === 'env' ? '$env' : '.Release.Namespace');
    return '%s';
  });
  return { claimFormat: JSON.stringify(format), claimArgs: args.join(' ') };
}

export function trimEnd(s: string): string {
  return s.replace(/\n+$/, '');
}

export type { ChartValues };

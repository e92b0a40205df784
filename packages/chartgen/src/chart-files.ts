import type { Cluster, Service } from '@cmsweb/catalog';
import { stringifyYaml } from '@cmsweb/yaml';
import { buildChartValues, FILEBEAT_MONITOR_PORT, type ChartValues } from './chart-values.js';
import { formatCommentedYaml, type YamlCache } from './commented-yaml.js';
import { buildReadmeRows } from './chart-readme.js';
import { VALUE_DOCS } from './value-docs.js';
import type { Renderer } from './templates.js';

/** Marks a chart directory as chartgen's: only such directories are ever deleted. */
export const GENERATED_MARKER = { key: 'cmsweb.cern.ch/generated-by', value: 'chartgen' } as const;
/** Charts are versioned by git; the version changes only when chartgen's chart layout does. */
export const CHART_VERSION = '1.0.0';
export const PART_OF = 'cmsweb';

/** The Helm templates of every chart, by file name (templates/chart/<file>.hbs). */
export const CHART_TEMPLATE_FILES = ['_helpers.tpl', 'deployment.yaml', 'service.yaml', 'hpa.yaml', 'pdb.yaml', 'networkpolicy.yaml', 'configmap.yaml'] as const;

/** What every chart of one plan shares: rendering, the serialisation cache, the (identical) values schema. */
export interface ChartContext {
  renderer: Renderer;
  cache: YamlCache;
  /** values.schema.json text: the same for every chart of a catalog. */
  schemaJson: string;
}

/** Pure: every file of charts/<service>/, by repository-relative path. */
export function planChart(cluster: Cluster, s: Service, catalogFile: string, { renderer, cache, schemaJson }: ChartContext): Map<string, string> {
  const dir = `charts/${s.name}`;
  const values = buildChartValues(cluster, s);
  const appVersion = s.image?.initialTag ?? cluster.defaults.initialTag;
  const common = { name: s.name, catalogFile };
  const files = new Map<string, string>();

  const chartYaml = {
    apiVersion: 'v2',
    name: s.name,
    description: s.description ?? `CMSWEB service ${s.name}`,
    type: 'application',
    version: CHART_VERSION,
    appVersion,
    // autoscaling/v2 and policy/v1 PodDisruptionBudget are served from 1.23 and 1.21.
    kubeVersion: '>=1.23.0-0',
    annotations: { [GENERATED_MARKER.key]: GENERATED_MARKER.value, 'cmsweb.cern.ch/namespace': s.namespace },
  };
  files.set(`${dir}/Chart.yaml`, renderer.render('chart/Chart.yaml', { ...common, body: trimEnd(stringifyYaml(chartYaml)) }));
  files.set(`${dir}/values.yaml`, renderer.render('chart/values.yaml', { ...common, body: trimEnd(formatCommentedYaml(values as unknown as Record<string, unknown>, VALUE_DOCS, cache)) }));
  files.set(`${dir}/values.schema.json`, schemaJson);
  files.set(`${dir}/README.md`, renderer.render('chart/README.md', {
    ...common,
    namespace: s.namespace,
    description: s.description ?? `CMSWEB service ${s.name}.`,
    rows: buildReadmeRows(values as unknown as Record<string, unknown>),
  }));
  const claim = claimNameExpression(cluster.logging.claimName);
  for (const t of CHART_TEMPLATE_FILES) {
    files.set(`${dir}/templates/${t}`, renderer.render(`chart/${t}`, { ...common, partOf: PART_OF, claimPattern: cluster.logging.claimName, ...claim, filebeatMonitorPort: FILEBEAT_MONITOR_PORT }));
  }
  return files;
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

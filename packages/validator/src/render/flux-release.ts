import { posix } from 'node:path';
import { parseYaml, toJs } from '@cmsweb/yaml';
import { isRecord, type Resource } from '../resources.js';
import type { PathSegment } from './argocd-source.js';
import { setKeyPath } from './app-values.js';

// Pure: what helm-controller (fluxcd/helm-controller, with source-controller building the chart) renders
// for a HelmRelease whose chart comes from a GitRepository (this repository):
//   - the chart is spec.chart.spec.chart, relative to the source root;
//   - spec.chart.spec.valuesFiles (after the deprecated valuesFile) are resolved from the source root and
//     merged in order (maps deep-merged, anything else replaced); when listed they REPLACE the chart's
//     values.yaml (which is why generated HelmReleases list it first); a missing one fails the chart
//     build unless ignoreMissingValuesFiles;
//   - the release values are valuesFrom (ConfigMaps/Secrets of the HelmRelease's namespace, in order;
//     valuesKey default values.yaml; targetPath sets one value; optional ones may be absent), then
//     spec.values merged on top (chartutil.ChartValuesFromReferences);
//   - release name spec.releaseName, else [targetNamespace-]name; namespace targetNamespace, else the
//     HelmRelease's; CRDs installed unless install.crds is Skip;
//   - helm-controller then labels every object helm.toolkit.fluxcd.io/{name,namespace} (its origin
//     post-renderer, like Argo CD's tracking label: not part of the comparison).

export interface FluxRender {
  chartPath: string;
  /** Repository-relative values files that become the chart's values (in order). */
  valuesFiles: string[];
  /** Release values: valuesFrom then spec.values (undefined: none). */
  values?: Record<string, unknown>;
  releaseName: string;
  namespace: string;
  skipCrds: boolean;
}

export interface FluxProblem {
  at: PathSegment[];
  message: string;
}

export interface ReadHelmReleaseInput {
  release: unknown;
  files: ReadonlySet<string>;
  /** The objects of the environment in the repository (ConfigMaps and Secrets valuesFrom may name). */
  objects: readonly Resource[];
}

export function readHelmRelease(input: ReadHelmReleaseInput): { render?: FluxRender; problems: FluxProblem[] } {
  const problems: FluxProblem[] = [];
  const hr = isRecord(input.release) ? input.release : {};
  const meta = isRecord(hr.metadata) ? hr.metadata : {};
  const spec = isRecord(hr.spec) ? hr.spec : {};
  const name = typeof meta.name === 'string' ? meta.name : '';
  const hrNamespace = typeof meta.namespace === 'string' ? meta.namespace : 'default';
  const chart = isRecord(spec.chart) && isRecord(spec.chart.spec) ? spec.chart.spec : undefined;
  const cp: PathSegment[] = ['spec', 'chart', 'spec'];
  if (!chart) {
    return {
      problems: [
        {
          at: ['spec'],
          message:
            'the HelmRelease has no spec.chart.spec: expected chart: ./charts/<service> from the GitRepository of this repository (spec.chartRef cannot be rendered offline)',
        },
      ],
    };
  }
  const sourceRef = isRecord(chart.sourceRef) ? chart.sourceRef : {};
  if (sourceRef.kind !== 'GitRepository') {
    return {
      problems: [
        {
          at: [...cp, 'sourceRef', 'kind'],
          message: `chart source kind ${JSON.stringify(sourceRef.kind)} cannot be rendered from this repository: expected GitRepository`,
        },
      ],
    };
  }
  const chartPath =
    typeof chart.chart === 'string'
      ? posix
          .normalize(chart.chart)
          .replace(/^(\.\/)+/, '')
          .replace(/^\/+/, '')
          .replace(/\/+$/, '')
      : '';
  if (!chartPath || chartPath.startsWith('..') || !input.files.has(`${chartPath}/Chart.yaml`)) {
    problems.push({
      at: [...cp, 'chart'],
      message: `chart path ${JSON.stringify(chart.chart)} has no Chart.yaml in the GitRepository (resolved from the source root as ${chartPath || '(empty)'}): helm-controller cannot build the chart`,
    });
  }

  const ignoreMissing = chart.ignoreMissingValuesFiles === true;
  const listed: Array<{ raw: unknown; at: PathSegment[] }> = [
    ...(typeof chart.valuesFile === 'string' ? [{ raw: chart.valuesFile, at: [...cp, 'valuesFile'] }] : []),
    ...(Array.isArray(chart.valuesFiles)
      ? chart.valuesFiles.map((raw, i) => ({ raw, at: [...cp, 'valuesFiles', i] }))
      : []),
  ];
  const valuesFiles: string[] = [];
  for (const { raw, at } of listed) {
    const p = posix
      .normalize(String(raw))
      .replace(/^(\.\/)+/, '')
      .replace(/^\/+/, '');
    if (p.startsWith('..')) {
      problems.push({ at, message: `values file ${JSON.stringify(raw)} is outside the source root` });
      continue;
    }
    if (!input.files.has(p)) {
      if (!ignoreMissing)
        problems.push({
          at,
          message: `values file ${JSON.stringify(raw)} does not exist (resolved from the source root as ${p}): the chart build fails (or set ignoreMissingValuesFiles: true)`,
        });
      continue;
    }
    if (!valuesFiles.includes(p)) valuesFiles.push(p);
  }

  let values: Record<string, unknown> | undefined;
  (Array.isArray(spec.valuesFrom) ? spec.valuesFrom : []).forEach((ref, i) => {
    const at: PathSegment[] = ['spec', 'valuesFrom', i];
    if (!isRecord(ref) || (ref.kind !== 'ConfigMap' && ref.kind !== 'Secret') || typeof ref.name !== 'string') {
      problems.push({
        at,
        message: 'valuesFrom entries name a ConfigMap or Secret: expected {kind: ConfigMap, name: <name>}',
      });
      return;
    }
    const key = typeof ref.valuesKey === 'string' && ref.valuesKey ? ref.valuesKey : 'values.yaml';
    const obj = input.objects.find(
      (o) => o.ref.kind === ref.kind && o.ref.name === ref.name && (o.ref.namespace ?? hrNamespace) === hrNamespace,
    );
    if (!obj) {
      if (ref.optional !== true)
        problems.push({
          at,
          message: `valuesFrom ${ref.kind} ${hrNamespace}/${ref.name} is not in the repository, so the release values cannot be checked: keep it in environments/<env>/ or mark it optional: true`,
        });
      return;
    }
    const text = dataValue(obj.object, key);
    if (text === undefined) {
      if (ref.optional !== true)
        problems.push({
          at,
          message: `valuesFrom ${ref.kind} ${hrNamespace}/${ref.name} has no key ${key}: helm-controller fails (set valuesKey or optional: true)`,
        });
      return;
    }
    if (typeof ref.targetPath === 'string' && ref.targetPath) {
      values = setAt(values ?? {}, setKeyPath(ref.targetPath), text);
      return;
    }
    const parsed = parseYaml(text, `${ref.kind}/${ref.name}`);
    const v = parsed.findings.some((f) => f.severity === 'error') ? undefined : toJs(parsed)[0];
    if (v !== null && !isRecord(v)) {
      problems.push({
        at,
        message: `valuesFrom ${ref.kind} ${hrNamespace}/${ref.name} key ${key} is not a YAML mapping of values`,
      });
      return;
    }
    values = mergeMaps(values ?? {}, v ?? {});
  });
  if (isRecord(spec.values)) values = mergeMaps(values ?? {}, spec.values);

  if (problems.length) return { problems };
  const targetNamespace = typeof spec.targetNamespace === 'string' ? spec.targetNamespace : '';
  const install = isRecord(spec.install) ? spec.install : {};
  return {
    problems,
    render: {
      chartPath,
      valuesFiles,
      values,
      releaseName:
        typeof spec.releaseName === 'string' && spec.releaseName
          ? spec.releaseName
          : targetNamespace
            ? `${targetNamespace}-${name}`
            : name,
      namespace: targetNamespace || hrNamespace,
      skipCrds: install.crds === 'Skip',
    },
  };
}

/** fluxcd/pkg chartutil.MergeMaps: maps merge deeply, any other value of b replaces a's. */
export function mergeMaps(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] = isRecord(v) && isRecord(prev) ? mergeMaps(prev, v) : v;
  }
  return out;
}

function dataValue(object: Record<string, unknown>, key: string): string | undefined {
  const stringData = isRecord(object.stringData) ? object.stringData : {};
  if (typeof stringData[key] === 'string') return stringData[key] as string;
  const data = isRecord(object.data) ? object.data : {};
  const v = data[key];
  if (typeof v !== 'string') return undefined;
  return object.kind === 'Secret' ? Buffer.from(v, 'base64').toString('utf8') : v;
}

/** strvals-like: `targetPath=value` with the value typed as --set types it. */
function setAt(values: Record<string, unknown>, path: string[], text: string): Record<string, unknown> {
  const typed: unknown =
    text === 'true'
      ? true
      : text === 'false'
        ? false
        : text === 'null'
          ? null
          : /^-?(0|[1-9]\d*)$/.test(text)
            ? Number(text)
            : text;
  let nested: unknown = typed;
  for (let i = path.length - 1; i >= 0; i--) nested = { [path[i]!]: nested };
  return mergeMaps(values, nested as Record<string, unknown>);
}

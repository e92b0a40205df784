import { isDeepStrictEqual } from 'node:util';
import { locate } from '@cmsweb/yaml';
import type { Finding } from '../findings.js';
import { isRecord } from '../resources.js';
import type { RepoYaml } from '../repo/repo-snapshot.js';
import type { CheckId } from './registry.js';

// Unsafe states of the people-owned overlays, judged against what helm merges them with: the chart's
// values.yaml, then charts/<service>/values-<env>.yaml (the catalog's settings of the environment,
// generated), then the overlay, which wins. Pure: the files are read by read-repo.

export interface OverlayRulesInput {
  /** Environments being validated. */
  selected: string[];
  /** Overlays by environment, then service. */
  overlays: Record<string, Record<string, RepoYaml>>;
  /** charts/<service>/values-<env>.yaml by environment, then service (absent when not generated). */
  environmentValues: Record<string, Record<string, RepoYaml>>;
  /** charts/<service>/values.yaml by service. */
  chartValues: Record<string, RepoYaml>;
  /** catalog/services/<service>.yaml by service. */
  catalogFiles: Record<string, string>;
  /** environments/<name>/ folders of environments catalog/cluster.yaml does not declare, with one file each. */
  leftovers: Array<{ name: string; file: string }>;
  declared: string[];
  clusterFile: string;
}

const getIn = (v: unknown, path: readonly string[]): unknown =>
  path.reduce<unknown>((acc, k) => (isRecord(acc) ? acc[k] : undefined), v);
const show = (v: unknown): string => JSON.stringify(v) ?? 'null';

/** Pure: overlay-image, overlay-contradicts-catalog, overlay-replicas-autoscaled and environment-leftover findings. */
export function checkOverlayRules(input: OverlayRulesInput, enabled: (id: CheckId) => boolean): Finding[] {
  const out: Finding[] = [];
  for (const env of input.selected) {
    for (const [service, o] of Object.entries(input.overlays[env] ?? {})) {
      if (o.value === undefined) continue; // does not parse: reported with the sources
      const at = (check: CheckId, path: readonly string[], message: string) =>
        out.push({ check, severity: 'error', message, ...locate(o.parsed, 0, path), env, service });
      const generated = input.environmentValues[env]?.[service];
      const chart = input.chartValues[service];
      if (enabled('overlay-image')) checkImage(o, env, chart, at);
      if (enabled('overlay-contradicts-catalog') && generated?.value !== undefined) {
        for (const [path, want] of leaves(generated.value)) {
          const have = getIn(o.value, path);
          if (have === undefined || isDeepStrictEqual(have, want)) continue;
          at(
            'overlay-contradicts-catalog',
            path,
            `${path.join('.')} is ${show(have)} here, but the catalog sets ${show(want)} for ${env} (${generated.file}, from ${input.catalogFiles[service] ?? `catalog/services/${service}.yaml`}): the overlay wins, so the catalog's setting never reaches ${env}. Change environments.${env} in the catalog and delete ${path.join('.')} here`,
          );
        }
      }
      if (enabled('overlay-replicas-autoscaled') && getIn(o.value, ['replicaCount']) !== undefined) {
        const sources: Array<[string, unknown]> = [
          [o.file, o.value],
          [generated?.file ?? '', generated?.value],
          [chart?.file ?? '', chart?.value],
        ];
        const from = sources.find(([, v]) => getIn(v, ['autoscaling', 'enabled']) !== undefined);
        if (from && getIn(from[1], ['autoscaling', 'enabled']) === true) {
          at(
            'overlay-replicas-autoscaled',
            ['replicaCount'],
            `replicaCount ${show(getIn(o.value, ['replicaCount']))} has no effect: autoscaling is enabled in ${env} (autoscaling.enabled in ${from[0]}), so the HorizontalPodAutoscaler sets the replicas; delete replicaCount here, or set the replica range (autoscaling.minReplicas/maxReplicas) in the catalog`,
          );
        }
      }
    }
  }
  if (enabled('environment-leftover')) {
    for (const l of input.leftovers) {
      out.push({
        check: 'environment-leftover',
        severity: 'error',
        file: l.file,
        line: 1,
        column: 1,
        env: l.name,
        message: `environments/${l.name}/ belongs to no environment: ${input.clusterFile} declares ${input.declared.join(', ')}. Delete environments/${l.name}/ (chartgen already removed the files it generated there), or declare ${l.name} again in ${input.clusterFile} environments`,
      });
    }
  }
  return out;
}

/** An emptied overlay runs the chart's default tag: every overlay names its image. */
function checkImage(
  o: RepoYaml,
  env: string,
  chart: RepoYaml | undefined,
  at: (check: CheckId, path: readonly string[], message: string) => void,
): void {
  const tag = getIn(o.value, ['image', 'tag']);
  const digest = getIn(o.value, ['image', 'digest']);
  const set = (v: unknown) => v !== undefined && v !== null && v !== '';
  if (set(tag) || set(digest)) return;
  const fallback = getIn(chart?.value, ['image', 'tag']);
  const what = set(fallback)
    ? `the chart's default tag ${show(fallback)}`
    : "the chart's default (no tag: the image would be :latest or fail to pull)";
  at(
    'overlay-image',
    getIn(o.value, ['image']) !== undefined ? ['image'] : [],
    `sets no image.tag (or image.digest): ${env} would run ${what}, not what was promoted. Set image.tag to the tag that runs in ${env} (gitops-sync bump/promote writes it)`,
  );
}

/** Every leaf (scalar or list) of a mapping with its key path. */
function leaves(v: unknown, prefix: string[] = []): Array<[string[], unknown]> {
  if (!isRecord(v)) return prefix.length ? [[prefix, v]] : [];
  return Object.entries(v).flatMap(([k, x]) =>
    isRecord(x) && Object.keys(x).length ? leaves(x, [...prefix, k]) : [[[...prefix, k], x] as [string[], unknown]],
  );
}

import { isDeepStrictEqual } from 'node:util';
import {
  effectiveSettings,
  frontendPeers,
  prefixPath,
  prefixRoutedIn,
  type Cluster,
  type Service,
} from '@cmsweb/catalog';
import { chartEnv, chartMetrics, chartResources, sortedRecord, type ChartValues } from './chart-values.js';

// Two value files per service and environment, read by helm in this order after the chart's values.yaml:
//  1. charts/<service>/values-<env>.yaml: generated on every run from the catalog (environments.<env>.*
//     and the defaults): what this environment does differently from values.yaml. Never hand-edited.
//  2. environments/<env>/values/<service>.yaml, the overlay: written once, when missing; from then on
//     people and gitops-sync own it. It holds what runs (image.tag, image.digest) and deliberate overrides.
// So a change of environments.<env>.* in the catalog reaches the cluster with the next generation, and
// the overlay people own is never rewritten.

export type OverlayValues = Record<string, unknown>;

/** Pure: the overlay chartgen creates for `s` in `env` when it is missing: only what runs. */
export function buildOverlayValues(cluster: Cluster, s: Service, env: string): OverlayValues {
  return { image: { tag: effectiveSettings(cluster, s, env).initialTag } };
}

/** Pure: charts/<service>/values-<env>.yaml: the catalog's settings of `env`; `chart` is the chart's values.yaml content. */
export function buildEnvironmentValues(cluster: Cluster, s: Service, env: string, chart: ChartValues): OverlayValues {
  const eff = effectiveSettings(cluster, s, env);
  const o = s.environments?.[env] ?? {};
  const out: OverlayValues = { environment: env, replicaCount: eff.replicas };
  if (o.resources) out.resources = chartResources(eff.resources);
  const auto = autoscalingChanges(cluster, s, env, chart);
  if (auto) out.autoscaling = auto;
  if (s.logging) out.logging = { enabled: eff.logging };
  if (eff.databaseSecret && eff.databaseSecret !== chart.database.secretName)
    out.database = { secretName: eff.databaseSecret };
  if (o.env?.length) out.env = chartEnv(o.env);
  if (o.nodeSelector && Object.keys(o.nodeSelector).length) out.nodeSelector = { ...eff.nodeSelector };
  // A list: helm replaces it whole when values-<env>.yaml sets it (maps would merge).
  const peers = frontendPeers(cluster, env).map((p) => ({
    namespace: p.namespace,
    podLabels: sortedRecord(p.podLabels),
  }));
  if (!isDeepStrictEqual(peers, chart.networkPolicy.frontend)) out.networkPolicy = { frontend: peers };
  const ingress = ingressValues(cluster, s, env);
  if (ingress) out.ingress = ingress;
  if (o.schedule !== undefined || o.suspend !== undefined)
    out.cronJob = {
      ...(o.schedule !== undefined ? { schedule: o.schedule } : {}),
      ...(o.suspend !== undefined ? { suspend: o.suspend } : {}),
    };
  return out;
}

/**
 * The Ingress of `s` in `env`: where cluster.yaml ingress names a host for `env` and the service has URL prefixes
 * routed there. Prefixes split by query string (urlQuery) are left to the frontend: an Ingress path cannot.
 */
function ingressValues(cluster: Cluster, s: Service, env: string): ChartValues['ingress'] | undefined {
  const hosts = cluster.ingress?.hosts[env];
  if (!hosts || !s.ports || s.ports.protocol === 'UDP' || s.urlQuery) return undefined;
  const paths = (s.urlPrefixes ?? []).filter((p) => prefixRoutedIn(p, env)).map(prefixPath);
  if (!paths.length) return undefined;
  return {
    enabled: true,
    className: cluster.ingress!.className,
    hosts,
    sourceRanges: cluster.ingress!.sourceRanges?.[env] ?? [],
    paths,
  };
}

/** The autoscaling keys whose effective value in `env` differs from the chart's values.yaml. */
function autoscalingChanges(
  cluster: Cluster,
  s: Service,
  env: string,
  chart: ChartValues,
): Record<string, unknown> | undefined {
  const eff = effectiveSettings(cluster, s, env).autoscaling;
  if (!eff) return undefined;
  const base = chart.autoscaling;
  const out: Record<string, unknown> = {};
  if (eff.enabled !== base.enabled) out.enabled = eff.enabled;
  if (eff.minReplicas !== base.minReplicas) out.minReplicas = eff.minReplicas;
  if (eff.maxReplicas !== base.maxReplicas) out.maxReplicas = eff.maxReplicas;
  if ((eff.cpuUtilization ?? 0) !== base.cpuUtilization) out.cpuUtilization = eff.cpuUtilization ?? 0;
  if ((eff.memoryUtilization ?? 0) !== base.memoryUtilization) out.memoryUtilization = eff.memoryUtilization ?? 0;
  const metrics = s.environments?.[env]?.autoscaling?.customMetrics;
  if (metrics) out.customMetrics = chartMetrics(metrics);
  // helm coalesces this with the chart's behavior (keys merged, lists replaced), as effectiveSettings does.
  const behavior = s.environments?.[env]?.autoscaling?.behavior;
  if (behavior) out.behavior = behavior;
  return Object.keys(out).length ? out : undefined;
}

/** Comments of the overlay's keys (dotted paths). */
export function overlayComments(env: string): Record<string, string> {
  return {
    image: `What runs in ${env}. gitops-sync bumps and promotes image.tag (and image.digest).`,
    'image.tag': `Image tag; it must match the tag policy of environments/${env}/environment.yaml.`,
  };
}

/** Comments of the keys of charts/<service>/values-<env>.yaml (dotted paths). */
export function environmentValuesComments(env: string): Record<string, string> {
  return {
    environment: `Names the log claim: ${env}.`,
    replicaCount: 'Pods when autoscaling is disabled.',
    resources: `Requests and limits in ${env}.`,
    autoscaling: `Autoscaling settings that differ in ${env}.`,
    logging: 'Ship logs with the filebeat sidecar to the CephFS log claim.',
    database: `Secret with ${env}'s own database account.`,
    env: `Environment variables set only in ${env} (by name; they override the chart's).`,
    nodeSelector: `Nodes the pods run on in ${env}.`,
    cronJob: `The CronJob's schedule and suspension in ${env}.`,
    ingress: `The backend cluster's Ingress in ${env} (catalog/cluster.yaml ingress).`,
    networkPolicy: `The pods forwarding the frontend's traffic in ${env} (catalog/cluster.yaml frontend.peers).`,
  };
}

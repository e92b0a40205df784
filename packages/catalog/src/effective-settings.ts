import type { Cluster, CustomMetric, EnvVar, Resources, ScalingBehavior, Service } from './schema.js';

/** What one service looks like in one environment: catalog values, cluster defaults and overrides merged. */
export interface EffectiveSettings {
  env: string;
  replicas: number;
  resources: Resources;
  autoscaling?: {
    enabled: boolean;
    minReplicas: number;
    maxReplicas: number;
    cpuUtilization?: number;
    memoryUtilization?: number;
    customMetrics?: CustomMetric[];
    behavior?: ScalingBehavior;
  };
  logging: boolean;
  databaseSecret?: string;
  env_: EnvVar[];
  nodeSelector: Record<string, string>;
  initialTag: string;
  /** CronJob only: the schedule and suspension in this environment. */
  schedule?: string;
  suspend?: boolean;
}

/** Pure: the effective settings of `service` in environment `env`. */
export function effectiveSettings(cluster: Cluster, service: Service, env: string): EffectiveSettings {
  const o = service.environments?.[env] ?? {};
  const base = service.autoscaling;
  // An environment that writes autoscaling: without enabled: means to autoscale there.
  const auto =
    base || o.autoscaling
      ? {
          enabled: o.autoscaling?.enabled ?? true,
          minReplicas: o.autoscaling?.minReplicas ?? base?.minReplicas ?? 1,
          maxReplicas: o.autoscaling?.maxReplicas ?? base?.maxReplicas ?? 1,
          cpuUtilization: o.autoscaling?.cpuUtilization ?? base?.cpuUtilization,
          memoryUtilization: o.autoscaling?.memoryUtilization ?? base?.memoryUtilization,
          // An environment's list replaces the service's list (metrics are not merged by name).
          customMetrics: o.autoscaling?.customMetrics ?? base?.customMetrics,
          behavior: mergeBehavior(base?.behavior, o.autoscaling?.behavior),
        }
      : undefined;
  return {
    env,
    replicas: o.replicas ?? service.replicas ?? cluster.defaults.replicas,
    resources: mergeResources(cluster.defaults.resources, service.resources, o.resources),
    autoscaling: auto,
    logging: Boolean(service.logging) && (o.logging ?? true),
    databaseSecret: o.databaseSecret ?? service.databaseSecret,
    env_: mergeEnv(service.env ?? [], o.env ?? []),
    nodeSelector: { ...(service.nodeSelector ?? {}), ...(o.nodeSelector ?? {}) },
    initialTag: o.initialTag ?? service.image?.initialTag ?? cluster.defaults.initialTag,
    schedule: o.schedule ?? service.cronJob?.schedule,
    suspend: o.suspend ?? service.cronJob?.suspend,
  };
}

/** helm's coalescing of the chart's behavior with an environment's: keys merged, lists (policies) replaced. */
function mergeBehavior(base?: ScalingBehavior, env?: ScalingBehavior): ScalingBehavior | undefined {
  if (!base || !env) return env ?? base;
  const out: ScalingBehavior = {};
  for (const dir of ['scaleUp', 'scaleDown'] as const) {
    const merged = base[dir] || env[dir] ? { ...base[dir], ...env[dir] } : undefined;
    if (merged) out[dir] = merged;
  }
  return out;
}

function mergeResources(...layers: Array<Resources | undefined>): Resources {
  const out: Resources = {};
  for (const l of layers) {
    if (!l) continue;
    if (l.requests) out.requests = { ...out.requests, ...l.requests };
    if (l.limits) out.limits = { ...out.limits, ...l.limits };
  }
  return out;
}

function mergeEnv(base: EnvVar[], over: EnvVar[]): EnvVar[] {
  const names = new Set(over.map((e) => e.name));
  return [...base.filter((e) => !names.has(e.name)), ...over];
}

const UNITS: Record<string, number> = {
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** A Kubernetes quantity as a number (cores for cpu, bytes for memory). */
export function parseQuantity(q: string | number): number {
  if (typeof q === 'number') return q;
  const m = /^([0-9]+(?:\.[0-9]+)?)([a-zA-Z]*)$/.exec(q);
  if (!m) return NaN;
  const unit = m[2] ?? '';
  return Number(m[1]) * (unit === '' ? 1 : (UNITS[unit] ?? NaN));
}

import type {
  Cluster,
  CustomMetric,
  EnvFromSource,
  EnvVar,
  Probe,
  Resources,
  ScalingBehavior,
  Service,
  WorkloadKind,
} from '@cmsweb/catalog';

// The values of a generated chart, built from the catalog. Every chart has the same keys (a feature a
// service does not use is empty or disabled), so the validator, gitops-sync and people can rely on them;
// charts/<svc>/values.schema.json forbids any other key.

/** One environment variable source, keyed by the variable's name in `env` (a map, so an overlay can override one). */
export type EnvSource =
  | { value: string }
  | { secretKeyRef: { name: string; key: string } }
  | { configMapKeyRef: { name: string; key: string } }
  | { fieldRef: string };

export interface QuantityList {
  cpu?: string;
  memory?: string;
}
export interface ChartResources {
  requests?: QuantityList;
  limits?: QuantityList;
}

export interface ChartMetric {
  name: string;
  type: 'Pods' | 'Object' | 'External';
  target: string;
  /** Only when the catalog sets it; the template defaults Object to Value, Pods and External to AverageValue. */
  targetType?: 'Value' | 'AverageValue';
  describedObject?: { apiVersion: string; kind: string; name: string };
  /** External: the HPA's metric selector (matchLabels). */
  selector?: Record<string, string>;
}

/** A Kubernetes envFrom entry. */
export type ChartEnvFrom = {
  secretRef?: { name: string; optional?: boolean };
  configMapRef?: { name: string; optional?: boolean };
  prefix?: string;
};

export interface ChartValues {
  environment: string;
  /** The workload kind: which of the chart's workload templates renders. */
  kind: WorkloadKind;
  /** CronJob settings, only those the catalog sets (the API server defaults the rest). */
  cronJob: Record<string, string | number | boolean>;
  /** Job settings (Job and CronJob), only those the catalog sets. */
  job: Record<string, string | number>;
  volumeClaimTemplates: Array<{
    name: string;
    mountPath: string;
    storage: string;
    accessModes: string[];
    storageClassName?: string;
  }>;
  image: { repository: string; tag: string; digest: string; pullPolicy: string };
  replicaCount: number;
  resources: ChartResources;
  autoscaling: {
    enabled: boolean;
    minReplicas: number;
    maxReplicas: number;
    cpuUtilization: number;
    memoryUtilization: number;
    customMetrics: ChartMetric[];
    /** spec.behavior ({}: the controller's defaults). */
    behavior: ScalingBehavior;
  };
  command: string[];
  args: string[];
  env: Record<string, EnvSource>;
  envFrom: ChartEnvFrom[];
  ports: {
    http: number;
    servicePort: number;
    metrics: number;
    extra: Array<{ name: string; containerPort: number; expose: boolean; protocol?: 'UDP' }>;
    protocol?: 'UDP';
    headless?: boolean;
  };
  lifecycle: Record<string, unknown>;
  initContainers: ChartSidecar[];
  volumes: Array<Record<string, unknown>>;
  /** Pod-level settings, only those the catalog sets. */
  pod: Record<string, unknown>;
  serviceAccount: {
    create: boolean;
    name: string;
    automountToken?: boolean;
    rules?: unknown[];
    clusterRules?: unknown[];
  };
  probes: {
    liveness: Probe | Record<string, never>;
    readiness: Probe | Record<string, never>;
    startup: Probe | Record<string, never>;
  };
  /** No image without the cluster's logging feature (no service can enable logging then). */
  logging: { enabled: boolean; path: string; image?: string; claimName: string; resources: ChartResources };
  database: { secretName: string; mountPath: string; envFrom: boolean };
  secrets: Array<{ name: string; mountPath: string; volumeName: string }>;
  configMaps: Array<{
    name: string;
    mountPath: string;
    volumeName: string;
    defaultMode: number;
    data: Record<string, string>;
  }>;
  gridSecurity: { enabled: boolean; mountPath: string };
  podSecurityContext: Record<string, number | boolean>;
  securityContext: Record<string, unknown>;
  sidecars: ChartSidecar[];
  prometheus: { scrape: boolean; port: number; path: string };
  podDisruptionBudget: { enabled: boolean; minAvailable: number | string; maxUnavailable: number | string };
  nodeSelector: Record<string, string>;
  /** Extra labels of the pods (not of the selector), e.g. the label NetworkPolicies admit the frontend by. */
  podLabels: Record<string, string>;
  /** The Ingress of the backend cluster (cluster.yaml ingress): enabled per environment in values-<env>.yaml. */
  ingress: { enabled: boolean; className: string; hosts: string[]; sourceRanges: string[]; paths: string[] };
  networkPolicy: {
    enabled: boolean;
    /** The pods forwarding the frontend's traffic (cluster.yaml frontend; values-<env>.yaml when they differ). */
    frontend: Array<{ namespace: string; podLabels: Record<string, string> }>;
    prometheus: { namespace: string; podLabels: Record<string, string> };
    /** catalog allowFrom, resolved: the pods admitted on the service ports ({} podLabels: the whole namespace). */
    allowFrom: Array<{ namespace: string; podLabels: Record<string, string> }>;
  };
}

export interface ChartSidecar {
  name: string;
  image: string;
  command: string[];
  args: string[];
  env: Record<string, EnvSource>;
  ports: Array<{ name: string; containerPort: number; protocol?: 'UDP' }>;
  resources: ChartResources;
  volumeMounts: Array<{ name: string; mountPath: string; subPath?: string; readOnly?: boolean }>;
  // Set only when the catalog sets them (sidecars of today's services keep their values unchanged).
  imagePullPolicy?: string;
  envFrom?: ChartEnvFrom[];
  probes?: { liveness?: Probe; readiness?: Probe; startup?: Probe };
  securityContext?: Record<string, unknown>;
  lifecycle?: Record<string, unknown>;
}

/**
 * Names of the volumes the chart adds itself; catalog volumes must not reuse them. The log volume is
 * `<cluster name>-logs` (chart-files.ts logVolumeName).
 */
export function reservedVolumes(logVolume: string): string[] {
  return ['etc-grid-security', logVolume, 'filebeat-config', 'filebeat-data', 'database-secret'];
}
export const FILEBEAT_CONTAINER = 'filebeat';
/**
 * Port of filebeat's HTTP monitoring endpoint (GET / answers 200), which its liveness probe checks. Bound on
 * the pod IP (the kubelet probes from outside the container) but declared nowhere: no containerPort, not in
 * the Service or the NetworkPolicy. No other port of the pod may use it (generation rule chartgen-port-reserved).
 */
export const FILEBEAT_MONITOR_PORT = 5066;
export const DATABASE_MOUNT_PATH = '/etc/database';
/** Pod-level securityContext fields; the rest of the catalog's securityContext applies to the main container. */
const POD_SECURITY_FIELDS = ['runAsUser', 'runAsGroup', 'fsGroup', 'runAsNonRoot'] as const;
const FILEBEAT_RESOURCES: ChartResources = {
  requests: { cpu: '50m', memory: '50Mi' },
  limits: { cpu: '500m', memory: '256Mi' },
};

/** Pure: the chart's default values (values.yaml) for a Kubernetes-hosted service. */
/**
 * Pure. `namespaceOf` gives the namespace of each catalog service running in Kubernetes: allowFrom entries
 * naming a service resolve to its pods there.
 */
export function buildChartValues(
  cluster: Cluster,
  s: Service,
  namespaceOf: ReadonlyMap<string, string> = new Map(),
): ChartValues {
  if (!s.image) throw new Error(`service ${s.name} has no image; VM services have no chart`);
  // "Values every service inherits unless it sets its own": a service's securityContext/probes replace
  // the defaults whole (merging could yield privileged + allowPrivilegeEscalation: false, which Kubernetes rejects).
  const security = s.securityContext ?? cluster.defaults.securityContext ?? {};
  const probes = s.probes ?? cluster.defaults.probes ?? {};
  const auto = s.autoscaling;
  const kind = s.kind ?? 'Deployment';
  return {
    environment: '',
    kind,
    cronJob: definedOnly({ ...(s.cronJob ?? {}) }),
    job: definedOnly({ ...(s.job ?? {}) }),
    volumeClaimTemplates: (s.volumeClaimTemplates ?? []).map((v) => ({
      name: v.name,
      mountPath: v.mountPath,
      storage: String(v.storage),
      accessModes: v.accessModes ?? ['ReadWriteOnce'],
      ...(v.storageClassName !== undefined ? { storageClassName: v.storageClassName } : {}),
    })),
    image: { repository: s.image.repository, tag: '', digest: '', pullPolicy: s.image.pullPolicy ?? 'IfNotPresent' },
    replicaCount: s.replicas ?? cluster.defaults.replicas,
    resources: chartResources(mergeResources(cluster.defaults.resources, s.resources)),
    autoscaling: {
      enabled: Boolean(auto),
      minReplicas: auto?.minReplicas ?? 1,
      maxReplicas: auto?.maxReplicas ?? 1,
      cpuUtilization: auto?.cpuUtilization ?? 0,
      memoryUtilization: auto?.memoryUtilization ?? 0,
      customMetrics: chartMetrics(auto?.customMetrics),
      behavior: auto?.behavior ?? {},
    },
    command: s.command ?? [],
    args: s.args ?? [],
    env: chartEnv(s.env),
    envFrom: chartEnvFrom(s.envFrom),
    // No ports: a worker (http 0: no container port named http, no Service, the NetworkPolicy admits no one).
    ports: {
      http: s.ports?.http ?? 0,
      servicePort: s.ports?.servicePort ?? s.ports?.http ?? 0,
      metrics: s.ports?.metrics ?? 0,
      extra: (s.ports?.extra ?? []).map((p) => ({
        name: p.name,
        containerPort: p.containerPort,
        expose: p.expose ?? false,
        ...(p.protocol === 'UDP' ? { protocol: 'UDP' as const } : {}),
      })),
      ...(s.ports?.protocol === 'UDP' ? { protocol: 'UDP' as const } : {}),
      ...(s.ports?.headless ? { headless: true } : {}),
    },
    lifecycle: { ...(s.lifecycle ?? {}) },
    initContainers: (s.initContainers ?? []).map((c) => chartContainer(cluster, c)),
    volumes: (s.volumes ?? []).map((v) => definedOnly({ ...v })),
    pod: definedOnly({
      hostNetwork: s.hostNetwork || undefined,
      terminationGracePeriodSeconds: s.terminationGracePeriodSeconds,
      imagePullSecrets: s.imagePullSecrets?.map((name) => ({ name })),
      tolerations: s.tolerations,
      affinity: s.affinity,
      topologySpreadConstraints: s.topologySpreadConstraints,
    }),
    serviceAccount: {
      create: Boolean(s.serviceAccount && !s.serviceAccount.name),
      name: s.serviceAccount?.name ?? '',
      ...definedOnly({
        automountToken: s.serviceAccount?.automountToken,
        rules: s.serviceAccount?.rules,
        clusterRules: s.serviceAccount?.clusterRules,
      }),
    },
    probes: { liveness: probes.liveness ?? {}, readiness: probes.readiness ?? {}, startup: probes.startup ?? {} },
    // Off in the chart: the log claim is per environment, so each environment's overlay switches it on.
    logging: {
      enabled: false,
      path: s.logging?.path ?? '',
      ...(cluster.logging ? { image: cluster.logging.image } : {}),
      claimName: '',
      resources: FILEBEAT_RESOURCES,
    },
    database: { secretName: s.databaseSecret ?? '', mountPath: DATABASE_MOUNT_PATH, envFrom: false },
    secrets: (s.secrets ?? []).map((x) => ({
      name: x.name,
      mountPath: x.mountPath,
      volumeName: x.volumeName ?? x.name,
    })),
    configMaps: (s.configMaps ?? []).map((c) => ({
      name: c.name,
      mountPath: c.mountPath,
      volumeName: c.volumeName ?? c.name,
      defaultMode: c.defaultMode ?? 0o644,
      data: sortedRecord(c.data ?? {}),
    })),
    gridSecurity: { enabled: Boolean(s.gridSecurity), mountPath: s.gridSecurity?.mountPath ?? '/etc/grid-security' },
    podSecurityContext: pick(security, POD_SECURITY_FIELDS),
    securityContext: {
      ...pick(security, ['privileged', 'allowPrivilegeEscalation', 'readOnlyRootFilesystem'] as const),
      ...definedOnly({
        capabilities: 'capabilities' in security ? security.capabilities : undefined,
        seccompProfile: 'seccompProfile' in security ? security.seccompProfile : undefined,
      }),
    },
    sidecars: (s.sidecars ?? []).map((c) => chartContainer(cluster, c)),
    prometheus: {
      scrape: s.prometheus?.scrape ?? false,
      port: s.prometheus?.port ?? 0,
      path: s.prometheus?.path ?? '',
    },
    podDisruptionBudget: {
      enabled: Boolean(s.podDisruptionBudget),
      minAvailable: s.podDisruptionBudget?.minAvailable ?? '',
      maxUnavailable: s.podDisruptionBudget?.maxUnavailable ?? '',
    },
    nodeSelector: sortedRecord(s.nodeSelector ?? {}),
    podLabels: sortedRecord(s.podLabels ?? {}),
    ingress: { enabled: false, className: '', hosts: [], sourceRanges: [], paths: [] },
    networkPolicy: {
      enabled: true,
      // Without a frontend, the policy admits only allowFrom and Prometheus.
      frontend: cluster.frontend
        ? [{ namespace: cluster.frontend.namespace, podLabels: sortedRecord(cluster.frontend.podLabels) }]
        : [],
      prometheus: { namespace: cluster.prometheus.namespace, podLabels: sortedRecord(cluster.prometheus.podLabels) },
      allowFrom: chartAllowFrom(s, namespaceOf),
    },
  };
}

/** The labels of the pods of catalog service `name` (<library>.selectorLabels: its release is named after it). */
export function podSelectorLabels(name: string): Record<string, string> {
  return { 'app.kubernetes.io/instance': name, 'app.kubernetes.io/name': name };
}

function chartAllowFrom(
  s: Service,
  namespaceOf: ReadonlyMap<string, string>,
): ChartValues['networkPolicy']['allowFrom'] {
  return (s.allowFrom ?? []).map((a) => {
    if (a.service === undefined) return { namespace: a.namespace!, podLabels: sortedRecord(a.podLabels ?? {}) };
    const namespace = namespaceOf.get(a.service);
    // The catalog rules (catalog-allow-from) refuse an unknown or VM service before anything is generated.
    if (!namespace)
      throw new Error(`${s.name}: allowFrom service ${a.service} is not a Kubernetes service of the catalog`);
    return { namespace, podLabels: podSelectorLabels(a.service) };
  });
}

/** A sidecar or init container of the catalog as chart values; keys the catalog leaves out stay out. */
function chartContainer(
  cluster: Cluster,
  c: NonNullable<Service['sidecars']>[number] | NonNullable<Service['initContainers']>[number],
): ChartSidecar {
  const probes = 'probes' in c ? c.probes : undefined;
  return {
    name: c.name,
    image: c.image,
    command: c.command ?? [],
    args: c.args ?? [],
    env: chartEnv(c.env),
    ports: ('ports' in c ? (c.ports ?? []) : []).map((p) => ({
      name: p.name,
      containerPort: p.containerPort,
      ...(p.protocol === 'UDP' ? { protocol: 'UDP' as const } : {}),
    })),
    resources: chartResources(c.resources ?? cluster.defaults.resources),
    volumeMounts: (c.volumeMounts ?? []).map((m) => ({ ...m })),
    ...definedOnly({
      imagePullPolicy: c.imagePullPolicy,
      envFrom: c.envFrom ? chartEnvFrom(c.envFrom) : undefined,
      probes: probes ? definedOnly({ ...probes }) : undefined,
      securityContext: c.securityContext ? { ...c.securityContext } : undefined,
      lifecycle: 'lifecycle' in c && c.lifecycle ? { ...c.lifecycle } : undefined,
    }),
  };
}

/** Catalog envFrom ({secretRef: name}) → Kubernetes envFrom ({secretRef: {name}}). */
export function chartEnvFrom(list: EnvFromSource[] | undefined): ChartEnvFrom[] {
  return (list ?? []).map((e) => {
    const ref = (name: string) => ({ name, ...(e.optional !== undefined ? { optional: e.optional } : {}) });
    return {
      ...(e.secretRef ? { secretRef: ref(e.secretRef) } : {}),
      ...(e.configMapRef ? { configMapRef: ref(e.configMapRef) } : {}),
      ...(e.prefix !== undefined ? { prefix: e.prefix } : {}),
    };
  });
}

/** The object without its undefined values (so values.yaml lists only what the catalog sets). */
export function definedOnly<T extends Record<string, unknown>>(o: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]: Exclude<T[K], undefined>;
  };
}

/** Catalog env list → `env` map; later entries win, as in effectiveSettings' merge. */
export function chartEnv(list: EnvVar[] | undefined): Record<string, EnvSource> {
  const out: Record<string, EnvSource> = {};
  for (const e of [...(list ?? [])]) out[e.name] = envSource(e);
  return sortedRecord(out);
}

function envSource(e: EnvVar): EnvSource {
  if (e.secretKeyRef) return { secretKeyRef: { name: e.secretKeyRef.name, key: e.secretKeyRef.key } };
  if (e.configMapKeyRef) return { configMapKeyRef: { name: e.configMapKeyRef.name, key: e.configMapKeyRef.key } };
  if (e.fieldRef) return { fieldRef: e.fieldRef };
  return { value: e.value ?? '' };
}

export function chartMetrics(metrics: CustomMetric[] | undefined): ChartMetric[] {
  return (metrics ?? []).map((m) => ({
    name: m.name,
    type: m.type,
    target: String(m.target),
    ...(m.targetType ? { targetType: m.targetType } : {}),
    ...(m.type === 'Object' && m.describedObject ? { describedObject: { ...m.describedObject } } : {}),
    ...(m.type === 'External' && m.selector ? { selector: sortedRecord(m.selector) } : {}),
  }));
}

/** Quantities as strings: Helm reads numbers as float64 and would print 1000000 as 1e+06. */
export function chartResources(r: Resources): ChartResources {
  const list = (l: Resources['requests']) => {
    const out: QuantityList = {};
    if (l?.cpu !== undefined) out.cpu = String(l.cpu);
    if (l?.memory !== undefined) out.memory = String(l.memory);
    return out;
  };
  const out: ChartResources = {};
  if (r.requests) out.requests = list(r.requests);
  if (r.limits) out.limits = list(r.limits);
  return out;
}

export function mergeResources(...layers: Array<Resources | undefined>): Resources {
  const out: Resources = {};
  for (const l of layers) {
    if (l?.requests) out.requests = { ...out.requests, ...l.requests };
    if (l?.limits) out.limits = { ...out.limits, ...l.limits };
  }
  return out;
}

function pick<T extends object, K extends string>(o: T, keys: readonly K[]): Record<string, number | boolean> {
  const out: Record<string, number | boolean> = {};
  for (const k of keys) {
    const v = (o as Record<string, unknown>)[k];
    if (typeof v === 'number' || typeof v === 'boolean') out[k] = v;
  }
  return out;
}

export function sortedRecord<V>(r: Record<string, V>): Record<string, V> {
  const out: Record<string, V> = {};
  for (const k of Object.keys(r).sort()) out[k] = r[k]!;
  return out;
}

import type { PathSegment } from '@cmsweb/yaml';
import type { Cluster, Service, WorkloadKind } from './schema.js';

type At = (file: string, path: PathSegment[], check: string, message: string) => void;

/** Kinds whose pod count a replica number or an autoscaler sets. */
const SCALABLE: readonly WorkloadKind[] = ['Deployment', 'StatefulSet'];
/** Kinds that run to completion. */
const BATCH: readonly WorkloadKind[] = ['CronJob', 'Job'];

/**
 * Pure: the rules of workload kinds and pod features (check catalog-workload, catalog-host-path, catalog-env,
 * catalog-probe), each finding at the key that breaks it.
 */
export function checkWorkloadRules(cluster: Cluster, clusterFile: string, s: Service, file: string, at: At): void {
  const kind: WorkloadKind = s.kind ?? 'Deployment';
  const w = (path: PathSegment[], message: string) => at(file, path, 'catalog-workload', message);
  const kindPath: PathSegment[] = s.kind ? ['kind'] : [];
  const named = `kind ${kind}${s.kind ? '' : ' (the default)'}`;

  if (kind === 'CronJob' && !s.cronJob) w(kindPath, 'a CronJob needs cronJob: {schedule: "<cron>"}');
  if (kind !== 'CronJob' && s.cronJob)
    w(
      ['cronJob'],
      `cronJob applies to kind CronJob only, and this service is ${named}: set kind: CronJob or remove it`,
    );
  if (!BATCH.includes(kind) && s.job)
    w(['job'], `job applies to kinds Job and CronJob only, and this service is ${named}`);
  if (kind !== 'StatefulSet' && s.volumeClaimTemplates)
    w(['volumeClaimTemplates'], `volumeClaimTemplates apply to kind StatefulSet only, and this service is ${named}`);
  if (kind === 'StatefulSet' && !s.ports)
    w(kindPath, 'a StatefulSet needs ports: its headless Service (serviceName) names the pods');
  if (!SCALABLE.includes(kind)) {
    const why = kind === 'DaemonSet' ? 'a DaemonSet runs one pod per node' : `a ${kind} runs pods to completion`;
    if (s.replicas !== undefined) w(['replicas'], `${why}: replicas has no meaning, remove it`);
    if (s.autoscaling) w(['autoscaling'], `${why}: it cannot be autoscaled, remove autoscaling`);
    for (const [env, o] of Object.entries(s.environments ?? {})) {
      if (o.replicas !== undefined) w(['environments', env, 'replicas'], `${why}: replicas has no meaning, remove it`);
      if (o.autoscaling) w(['environments', env, 'autoscaling'], `${why}: it cannot be autoscaled, remove autoscaling`);
    }
  }
  if (BATCH.includes(kind)) {
    if (s.podDisruptionBudget)
      w(['podDisruptionBudget'], `a ${kind} runs pods to completion: a PodDisruptionBudget does not protect it`);
    if (s.urlPrefixes?.length)
      w(['urlPrefixes'], `a ${kind} runs pods to completion: the frontend cannot route URLs to it`);
  }
  if (kind !== 'CronJob') {
    for (const [env, o] of Object.entries(s.environments ?? {})) {
      for (const key of ['schedule', 'suspend'] as const)
        if (o[key] !== undefined)
          w(['environments', env, key], `${key} applies to kind CronJob only, and this service is ${named}`);
    }
  }
  for (const key of Object.keys(s.podLabels ?? {}))
    if (/^(app\.kubernetes\.io|helm\.sh)\//.test(key))
      w(
        ['podLabels', key],
        `pod label ${key} is set by the chart (standard labels and the selector): choose a key of your own, e.g. app or <your-domain>/role`,
      );
  if (s.urlPrefixes?.length && !s.ports)
    w(['urlPrefixes'], 'urlPrefixes need a port to route to: add ports.http (a worker without ports has no Service)');
  if (s.ports?.headless && s.ports.servicePort !== undefined && s.ports.servicePort !== s.ports.http)
    w(
      ['ports', 'servicePort'],
      'a headless Service does not forward ports: clients reach the pods on ports.http, so servicePort must equal it or be left out',
    );
  if (s.prometheus?.scrape && s.prometheus.port === undefined && !s.ports)
    w(['prometheus'], 'prometheus.scrape needs a port: set prometheus.port (a port of a sidecar) or ports');
  if (s.hostNetwork && kind !== 'DaemonSet' && s.ports)
    w(
      ['hostNetwork'],
      `hostNetwork binds ports.http on the node itself: only a DaemonSet (one pod per node) can do that without port conflicts, and this service is ${named}`,
    );
  if (s.serviceAccount?.name && (s.serviceAccount.rules || s.serviceAccount.clusterRules))
    w(
      ['serviceAccount', 'name'],
      'serviceAccount.name uses an existing ServiceAccount, so the chart grants it no rules: remove name (the chart creates one) or the rules',
    );

  // Volumes: exactly one source each; host paths only under cluster.yaml allowedHostPaths.
  (s.volumes ?? []).forEach((v, i) => {
    const sources = (['emptyDir', 'persistentVolumeClaim', 'hostPath', 'secret', 'configMap'] as const).filter(
      (k) => v[k] !== undefined,
    );
    if (sources.length !== 1)
      w(
        ['volumes', i],
        `volume "${v.name}" needs exactly one of emptyDir, persistentVolumeClaim, hostPath, secret, configMap (has ${sources.length ? sources.join(', ') : 'none'})`,
      );
    if (v.hostPath && !hostPathAllowed(v.hostPath.path, cluster.allowedHostPaths))
      at(
        file,
        ['volumes', i, 'hostPath', 'path'],
        'catalog-host-path',
        `host path ${v.hostPath.path} is not under allowedHostPaths of ${clusterFile} (${cluster.allowedHostPaths.join(', ') || 'none'}); use a PersistentVolumeClaim, or ask the platform team to allow it`,
      );
  });
  // Every container's envFrom: one source each; every lifecycle hook and sidecar probe: one handler.
  const containers: Array<{
    base: PathSegment[];
    c: Pick<Service, 'envFrom' | 'lifecycle'> & { probes?: Service['probes'] };
  }> = [
    { base: [], c: { envFrom: s.envFrom, lifecycle: s.lifecycle } },
    ...(s.sidecars ?? []).map((c, i) => ({ base: ['sidecars', i] as PathSegment[], c })),
    ...(s.initContainers ?? []).map((c, i) => ({ base: ['initContainers', i] as PathSegment[], c })),
  ];
  for (const { base, c } of containers) {
    (c.envFrom ?? []).forEach((e, i) => {
      const n = [e.secretRef, e.configMapRef].filter((x) => x !== undefined).length;
      if (n !== 1)
        at(
          file,
          [...base, 'envFrom', i],
          'catalog-env',
          `envFrom needs exactly one of secretRef, configMapRef (has ${n})`,
        );
    });
    for (const hook of ['postStart', 'preStop'] as const) {
      const h = c.lifecycle?.[hook];
      if (h && [h.exec, h.httpGet].filter((x) => x !== undefined).length !== 1)
        at(file, [...base, 'lifecycle', hook], 'catalog-probe', `lifecycle ${hook} needs exactly one of exec, httpGet`);
    }
    if (base.length === 0) continue;
    for (const p of ['liveness', 'readiness', 'startup'] as const) {
      const pr = c.probes?.[p];
      if (pr && [pr.exec, pr.httpGet, pr.tcpSocket].filter((x) => x !== undefined).length !== 1)
        at(file, [...base, 'probes', p], 'catalog-probe', `${p} probe needs exactly one of exec, httpGet, tcpSocket`);
    }
  }
}

/** A host path is allowed when it is an allowed path or below one. */
export function hostPathAllowed(path: string, allowed: readonly string[]): boolean {
  const norm = (p: string) => p.replace(/\/+$/, '') || '/';
  const p = norm(path);
  return allowed.some((a) => {
    const b = norm(a);
    return p === b || p.startsWith(b === '/' ? '/' : `${b}/`);
  });
}

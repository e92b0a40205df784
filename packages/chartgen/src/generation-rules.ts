import { locate, type ParsedYaml, type PathSegment, type SourceFinding } from '@cmsweb/yaml';
import type { Catalog } from '@cmsweb/catalog';
import { FILEBEAT_CONTAINER, FILEBEAT_MONITOR_PORT, reservedVolumes } from './chart-values.js';
import { logVolumeName } from './chart-files.js';
import { instanceOf, isLabelValue, labelNames } from './standard-labels.js';

// What the catalog schema cannot see but generation needs: names chartgen itself uses, and
// definitions that must agree across services. Findings are data, located at the offending key.

/** Service names that would collide with files chartgen writes next to the per-service ones. */
const RESERVED_SERVICE_NAMES = ['cluster'];

export function checkGenerationRules(catalog: Catalog, parsed: Record<string, ParsedYaml>): SourceFinding[] {
  const out: SourceFinding[] = [];
  const at = (file: string, path: PathSegment[], check: string, message: string) => {
    const p = parsed[file];
    out.push({ ...(p ? locate(p, 0, path) : { file, line: 1, column: 1 }), check, severity: 'error', message });
  };
  const metricOwner = new Map<string, { service: string; key: string }>();
  const logVolume = logVolumeName(catalog.cluster);
  const reserved = reservedVolumes(logVolume);

  for (const s of catalog.services) {
    const file = catalog.serviceFiles[s.name] ?? `catalog/services/${s.name}.yaml`;
    if (RESERVED_SERVICE_NAMES.includes(s.name)) {
      at(
        file,
        ['name'],
        'chartgen-reserved-name',
        `service name "${s.name}" is reserved: environments/<env>/argocd/apps/${s.name}.yaml holds the cluster-level Application; rename the service`,
      );
    }
    if (s.vm) continue;

    // Volume names and mount paths of the pod must be unique (Kubernetes rejects duplicates).
    const volumes = new Map<string, string>();
    for (const r of reserved) volumes.set(r, 'chartgen');
    const mountPaths = new Map<string, string>();
    /** Claims `key` for the entry at `path`; a key claimed before gets the finding `taken` makes of its owner. */
    const claim =
      (owners: Map<string, string>, check: string, taken: (key: string, owner: string) => string) =>
      (key: string, path: PathSegment[]) => {
        const prev = owners.get(key);
        if (prev) at(file, path, check, taken(key, prev));
        else owners.set(key, path.join('.'));
      };
    const addVolume = claim(
      volumes,
      'chartgen-volume-name',
      (name, prev) =>
        `volume name "${name}" is already used by ${prev === 'chartgen' ? 'a volume the chart adds itself' : prev}; set volumeName to a different name`,
    );
    const addMount = claim(
      mountPaths,
      'chartgen-mount-path',
      (mountPath, prev) =>
        `mountPath ${mountPath} is already used by ${prev}; each mount of the container needs its own path`,
    );
    (s.secrets ?? []).forEach((x, i) => {
      addVolume(x.volumeName ?? x.name, ['secrets', i, x.volumeName ? 'volumeName' : 'name']);
      addMount(x.mountPath, ['secrets', i, 'mountPath']);
    });
    (s.configMaps ?? []).forEach((c, i) => {
      addVolume(c.volumeName ?? c.name, ['configMaps', i, c.volumeName ? 'volumeName' : 'name']);
      addMount(c.mountPath, ['configMaps', i, 'mountPath']);
    });
    if (s.gridSecurity) addMount(s.gridSecurity.mountPath, ['gridSecurity', 'mountPath']);
    if (s.logging) addMount(s.logging.path, ['logging', 'path']);
    (s.volumes ?? []).forEach((v, i) => {
      addVolume(v.name, ['volumes', i, 'name']);
      if (v.mountPath) addMount(v.mountPath, ['volumes', i, 'mountPath']);
    });
    (s.volumeClaimTemplates ?? []).forEach((v, i) => {
      addVolume(v.name, ['volumeClaimTemplates', i, 'name']);
      addMount(v.mountPath, ['volumeClaimTemplates', i, 'mountPath']);
    });

    // Volumes a sidecar may mount: the catalog's, plus those the chart adds for this service.
    const podVolumes = [...volumes.keys()].filter((v) => !reserved.includes(v) || chartAddsVolume(s, v, logVolume));
    if (s.logging && s.name === FILEBEAT_CONTAINER)
      at(
        file,
        ['logging'],
        'chartgen-container-name',
        `logging adds a container "${FILEBEAT_CONTAINER}", the name of this service's main container: remove logging (or rename the service)`,
      );
    const containers = new Set([s.name, ...(s.logging ? [FILEBEAT_CONTAINER] : [])]);
    // Init containers and containers share one name space in a pod.
    const extraContainers = [
      ...(s.sidecars ?? []).map((c, i) => ({ c, key: 'sidecars', i, what: 'sidecar' })),
      ...(s.initContainers ?? []).map((c, i) => ({ c, key: 'initContainers', i, what: 'init container' })),
    ];
    for (const { c, key, i, what } of extraContainers) {
      if (containers.has(c.name))
        at(
          file,
          [key, i, 'name'],
          'chartgen-container-name',
          `container name "${c.name}" is already used in the pod (the main container is "${s.name}"${s.logging ? ', logging adds "filebeat"' : ''})`,
        );
      containers.add(c.name);
      (c.volumeMounts ?? []).forEach((m, j) => {
        if (!podVolumes.includes(m.name)) {
          at(
            file,
            [key, i, 'volumeMounts', j, 'name'],
            'chartgen-volume-mount',
            `${what} "${c.name}" mounts volume "${m.name}", which the pod does not have (volumes: ${podVolumes.join(', ') || 'none'})`,
          );
        }
      });
    }

    // With logging, filebeat listens on FILEBEAT_MONITOR_PORT in the pod (its liveness probe's endpoint), so no
    // container port may be that port. (The catalog rules already confine prometheus.port and probe ports to these.)
    if (s.logging) {
      const podPorts: Array<{ port: number | undefined; path: PathSegment[] }> = [
        { port: s.ports?.http, path: ['ports', 'http'] },
        { port: s.ports?.metrics, path: ['ports', 'metrics'] },
        ...(s.ports?.extra ?? []).map((p, i) => ({
          port: p.containerPort,
          path: ['ports', 'extra', i, 'containerPort'] as PathSegment[],
        })),
        ...(s.sidecars ?? []).flatMap((c, i) =>
          (c.ports ?? []).map((p, j) => ({
            port: p.containerPort,
            path: ['sidecars', i, 'ports', j, 'containerPort'] as PathSegment[],
          })),
        ),
      ];
      for (const { port, path } of podPorts) {
        if (port === FILEBEAT_MONITOR_PORT) {
          at(
            file,
            path,
            'chartgen-port-reserved',
            `port ${port} is reserved in pods with logging: the filebeat sidecar serves its monitoring endpoint (checked by its liveness probe) on ${FILEBEAT_MONITOR_PORT}; use another port`,
          );
        }
      }
    }

    const metrics = [
      ...(s.autoscaling?.customMetrics ?? []).map((m, i) => ({
        m,
        path: ['autoscaling', 'customMetrics', i] as PathSegment[],
      })),
    ];
    for (const [env, o] of Object.entries(s.environments ?? {})) {
      (o.autoscaling?.customMetrics ?? []).forEach((m, i) =>
        metrics.push({ m, path: ['environments', env, 'autoscaling', 'customMetrics', i] }),
      );
    }
    for (const { m, path } of metrics) {
      // Custom (Pods, Object) and External metrics are separate APIs with separate adapter rule lists.
      const external = m.type === 'External';
      const key = JSON.stringify([m.seriesQuery ?? m.name, m.query ?? '', external && m.namespaced !== false]);
      const owner = `${external ? 'external:' : ''}${m.name}`;
      const prev = metricOwner.get(owner);
      if (prev && prev.key !== key) {
        at(
          file,
          [...path, 'name'],
          'chartgen-metric-conflict',
          `${external ? 'external' : 'custom'} metric "${m.name}" has a different ${external ? 'query, seriesQuery or namespaced' : 'query or seriesQuery'} in service "${prev.service}"; the Prometheus Adapter serves one definition per metric name`,
        );
      } else if (!prev) metricOwner.set(owner, { service: s.name, key });
    }
  }

  // Every object under environments/<env>/ carries app.kubernetes.io/instance: <name>-<env>, a label value.
  const labelled = [
    ...catalog.services.filter((s) => !s.vm).map((s) => ({ name: s.name, what: `service ${s.name}` })),
    ...catalog.cluster.namespaces.map((n) => ({ name: n.name, what: `namespace ${n.name}` })),
    ...Object.values(labelNames(catalog.cluster)).map((n) => ({ name: n, what: n })),
  ];
  catalog.cluster.environments.forEach((env, i) => {
    const bad = labelled
      .map((l) => ({ ...l, value: instanceOf(l.name, env.name) }))
      .filter((l) => !isLabelValue(l.value));
    if (!bad.length) return;
    const worst = bad.reduce((a, b) => (b.value.length > a.value.length ? b : a));
    at(
      'catalog/cluster.yaml',
      ['environments', i, 'name'],
      'chartgen-label-value',
      `environment name "${env.name}" makes app.kubernetes.io/instance of ${bad.length} generated object(s) an invalid label value, e.g. "${worst.value}" (${worst.what}); a label value has at most 63 characters and ends with a letter or digit: shorten the environment name or that name`,
    );
  });
  return out;
}

/** Whether the chart adds volume `name` to the pod of `s` (in some environment). */
function chartAddsVolume(s: Catalog['services'][number], name: string, logVolume: string): boolean {
  if (name === logVolume) return Boolean(s.logging);
  switch (name) {
    case 'etc-grid-security':
      return Boolean(s.gridSecurity);
    case 'filebeat-config':
    case 'filebeat-data':
      return Boolean(s.logging);
    case 'database-secret':
      return Boolean(s.databaseSecret || Object.values(s.environments ?? {}).some((o) => o.databaseSecret));
    default:
      return false;
  }
}

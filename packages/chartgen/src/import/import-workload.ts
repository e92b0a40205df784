import {
  initContainer as initSchema,
  LABEL_KEY,
  LABEL_VALUE,
  sidecar as sidecarSchema,
  WORKLOAD_KINDS,
  type WorkloadKind,
} from '@cmsweb/catalog';
import type { ManifestDocument } from './manifest-documents.js';
import {
  containerSecurity,
  fits,
  importEnv,
  importEnvFrom,
  importLifecycle,
  importProbes,
  importResources,
  stringList,
} from './import-container.js';
import { importVolumes } from './import-volumes.js';
import {
  type Field,
  isPlain,
  openDocument,
  type Plain,
  reopenDocument,
  rootField,
  takeIdentity,
  Usage,
  type UsedDocuments,
} from './tracked-field.js';
import { importAutoscaling } from './import-autoscaling.js';
import { importServiceAccount } from './import-rbac.js';

// Pure: one workload (with the Service objects that select its pods and the HPA that scales it) → a
// catalog entry. Fields are read through tracked Fields (tracked-field.ts): what the entry does not
// express is reported by the caller with its location.

export const isWorkloadKind = (kind: string): kind is WorkloadKind =>
  (WORKLOAD_KINDS as readonly string[]).includes(kind);

export interface WorkloadInput {
  workload: ManifestDocument;
  services: ManifestDocument[];
  hpas: ManifestDocument[];
  /** ConfigMap objects of the input, by namespace/name. */
  configMaps: Map<string, ManifestDocument>;
  namespace: string;
  allowedHostPaths: readonly string[];
  /** The chart's log volume in the target cluster (chart-files.ts logVolumeName). */
  logVolume: string;
  /** ServiceAccounts, Roles, ClusterRoles and their bindings of the input. */
  rbac: ManifestDocument[];
}

export interface ImportedWorkload {
  entry: Plain;
  /** Usage of each document the entry was built from (the workload first). */
  used: UsedDocuments;
}

const FILEBEAT_IMAGE = /(^|\/)beats\/filebeat(:|@|$)/;
const LOG_CLAIM = /^logs-cephfs-claim/;

export function importWorkload(input: WorkloadInput): ImportedWorkload {
  const { workload } = input;
  const usage = new Usage();
  const used: ImportedWorkload['used'] = [{ document: workload, usage }];
  const root = rootField(workload.object, usage);
  root.get('apiVersion').take();
  root.get('kind').take();
  const meta = root.get('metadata');
  meta.get('name').take();
  meta.get('namespace').take();
  meta.get('labels').drop('the chart sets its own labels (app.kubernetes.io/name, instance, ...)');
  const kind = workload.kind as WorkloadKind;
  const entry: Plain = { name: workload.name, namespace: input.namespace };
  if (kind !== 'Deployment') entry.kind = kind;

  const spec = root.get('spec');
  let podTemplate: Field;
  if (kind === 'CronJob') {
    const cron: Plain = {};
    for (const k of [
      'schedule',
      'timeZone',
      'concurrencyPolicy',
      'successfulJobsHistoryLimit',
      'failedJobsHistoryLimit',
      'startingDeadlineSeconds',
      'suspend',
    ])
      if (spec.get(k).present) cron[k] = spec.get(k).take();
    entry.cronJob = cron;
    const jobTemplate = spec.get('jobTemplate');
    jobTemplate.get('metadata').drop('the chart sets the job template metadata');
    entry.job = jobSettings(jobTemplate.get('spec'));
    podTemplate = jobTemplate.get('spec').get('template');
  } else if (kind === 'Job') {
    entry.job = jobSettings(spec);
    podTemplate = spec.get('template');
  } else {
    podTemplate = spec.get('template');
    const selector = spec.get('selector');
    if (selector.get('matchLabels').present && !selector.get('matchExpressions').present) selector.take();
    if (kind !== 'DaemonSet') entry.replicas = spec.get('replicas').present ? spec.get('replicas').take() : 1;
    if (kind === 'StatefulSet') spec.get('serviceName').drop('the chart names the headless Service after the service');
  }
  const podMeta = podTemplate.get('metadata');
  const labels = importPodLabels(podMeta.get('labels'));
  if (Object.keys(labels).length) entry.podLabels = labels;
  const annotations = podMeta.get('annotations');
  const scrape = annotations.get('prometheus.io/scrape');
  const promPort = Number(annotations.get('prometheus.io/port').value ?? Number.NaN);
  const promPath = annotations.get('prometheus.io/path');
  const pod = podTemplate.get('spec');
  if (pod.get('restartPolicy').present) {
    const r = pod.get('restartPolicy');
    if (kind === 'CronJob' || kind === 'Job') (entry.job as Plain).restartPolicy = r.take();
    else if (r.value === 'Always') r.take();
  }

  // Containers: the main one (named as the workload, else the first), filebeat → logging, others → sidecars.
  const containers = pod.get('containers').items();
  const main =
    containers.find((c) => c.get('name').value === workload.name) ??
    containers.find((c) => !FILEBEAT_IMAGE.test(String(c.get('image').value))) ??
    containers[0];
  if (!main) {
    pod.get('containers').drop('a pod without containers');
    return { entry, used };
  }
  if (main.get('name').value === workload.name) main.get('name').take();
  else main.get('name').drop(`the chart names the main container after the workload (${workload.name})`);
  const volumesByName = new Map(
    pod
      .get('volumes')
      .items()
      .map((v) => [String(v.get('name').value), v]),
  );
  const mountsOf = (c: Field) =>
    c
      .get('volumeMounts')
      .items()
      .map((m) => String(m.get('name').value));
  const skip = new Set<string>();
  const renamed = new Map<string, string>(); // volumeMount path → volume name
  const logsVolume = [...volumesByName.entries()].find(([, v]) =>
    LOG_CLAIM.test(String(v.get('persistentVolumeClaim').get('claimName').value ?? '')),
  );
  const filebeat = containers.find((c) => c !== main && FILEBEAT_IMAGE.test(String(c.get('image').value)));
  if (logsVolume && filebeat) {
    const mainMount = main
      .get('volumeMounts')
      .items()
      .find((m) => m.get('name').value === logsVolume[0]);
    if (mainMount && typeof mainMount.get('mountPath').value === 'string') {
      entry.logging = { path: mainMount.get('mountPath').take() };
      mainMount.take();
      const others = containers.filter((c) => c !== filebeat);
      const filebeatOnly = mountsOf(filebeat).filter((n) => !others.some((c) => mountsOf(c).includes(n)));
      for (const n of [logsVolume[0], ...filebeatOnly]) {
        skip.add(n);
        volumesByName
          .get(n)
          ?.drop(
            n === logsVolume[0]
              ? 'replaced by logging: the chart mounts the log claim of cluster.yaml logging.claimName'
              : "replaced by logging: the chart's filebeat sidecar brings its own volumes",
          );
      }
      // Sidecars and init containers that write the logs mount the chart's log volume instead.
      for (const c of [...containers, ...pod.get('initContainers').items()])
        for (const m of c.get('volumeMounts').items())
          if (c !== main && c !== filebeat && m.get('name').value === logsVolume[0]) {
            m.get('name').drop(`the log volume is the chart's ${input.logVolume} (same claim)`);
            renamed.set(JSON.stringify(m.path), input.logVolume);
          }
      filebeat.drop(
        'replaced by logging: the chart adds the filebeat sidecar (cluster.yaml logging.image, generated filebeat config)',
      );
    }
  }
  const sideContainers = containers.filter((c) => c !== main && !skipContainer(c, filebeat, entry));
  const inits = pod.get('initContainers').items();
  const usedByOthers = new Set([...sideContainers, ...inits].flatMap(mountsOf));

  const image = splitImage(main.get('image'));
  if (image) entry.image = image;
  if (main.get('imagePullPolicy').present)
    (entry.image as Plain | undefined) && ((entry.image as Plain).pullPolicy = main.get('imagePullPolicy').take());
  assign(entry, 'command', stringList(main.get('command')));
  assign(entry, 'args', stringList(main.get('args')));
  assign(entry, 'env', importEnv(main.get('env')));
  assign(entry, 'envFrom', importEnvFrom(main.get('envFrom')));
  assign(entry, 'resources', importResources(main.get('resources')));
  assign(entry, 'probes', importProbes(main));
  assign(entry, 'lifecycle', importLifecycle(main.get('lifecycle')));

  // Ports of the main container, and the Services that select the pods.
  const ports = importPorts(main, input.services, used, Number.isFinite(promPort) ? promPort : undefined);
  if (ports) entry.ports = ports;
  if (scrape.present) {
    entry.prometheus = {
      scrape: scrape.take() === 'true' || scrape.value === true,
      ...(Number.isFinite(promPort) ? { port: promPort } : {}),
      ...(promPath.present ? { path: promPath.take() } : {}),
    };
    annotations.get('prometheus.io/port').take();
  }

  const podPorts = containers.flatMap((c) =>
    c
      .get('ports')
      .items()
      .map((p) => p.get('containerPort').value),
  );
  const prom = entry.prometheus as Plain | undefined;
  if (prom?.port !== undefined && !podPorts.includes(prom.port)) {
    delete prom.port;
    annotations
      .get('prometheus.io/port')
      .drop('prometheus.io/port names no port of the pod: the catalog scrapes a declared port');
  }

  if (entry.prometheus && (entry.prometheus as Plain).port === undefined && !entry.ports) {
    delete entry.prometheus;
    scrape.drop('prometheus.io/scrape without a port of the pod to scrape');
  }

  // Pod and container security: the catalog has one securityContext (pod fields + the main container's).
  const podSec = pod.get('securityContext');
  const security: Plain = {};
  for (const k of ['runAsUser', 'runAsGroup', 'fsGroup', 'runAsNonRoot', 'seccompProfile'])
    if (podSec.get(k).present) security[k] = podSec.get(k).take();
  const mainSec = containerSecurity(main.get('securityContext'));
  for (const [k, v] of Object.entries(mainSec)) {
    if (k in security && JSON.stringify(security[k]) !== JSON.stringify(v))
      main.get('securityContext').get(k).drop(`differs from the pod's ${k}; the catalog keeps the pod's`);
    else security[k] = v;
  }
  // Without one, the cluster's defaults would apply: keep the original's (none) explicitly.
  entry.securityContext = security;

  const vols = importVolumes(pod, main, {
    skip,
    usedByOthers,
    allowedHostPaths: input.allowedHostPaths,
    configMapData: (name) => configMapData(input, name, used),
  });
  if (vols.secrets.length) entry.secrets = vols.secrets;
  if (vols.configMaps.length) entry.configMaps = vols.configMaps;
  if (vols.volumes.length) entry.volumes = vols.volumes;
  if (vols.gridSecurity) entry.gridSecurity = vols.gridSecurity;

  const containerEntry = (c: Field, withPorts: boolean) => containerFields(c, withPorts, renamed);
  const side = sideContainers
    .map((c) => fits(sidecarSchema, containerEntry(c, true), c, `sidecar ${String(c.get('name').value)}`))
    .filter((s) => s !== undefined);
  if (side.length) entry.sidecars = side;
  const init = inits
    .map((c) => fits(initSchema, containerEntry(c, false), c, `init container ${String(c.get('name').value)}`))
    .filter((s) => s !== undefined);
  if (init.length) entry.initContainers = init;

  // Pod settings the catalog has as top-level fields.
  for (const [k8s, catalog] of [
    ['terminationGracePeriodSeconds', 'terminationGracePeriodSeconds'],
    ['hostNetwork', 'hostNetwork'],
    ['nodeSelector', 'nodeSelector'],
    ['tolerations', 'tolerations'],
    ['affinity', 'affinity'],
  ] as const)
    if (pod.get(k8s).present) entry[catalog] = pod.get(k8s).take();
  if (pod.get('hostNetwork').value === true && pod.get('dnsPolicy').value === 'ClusterFirstWithHostNet')
    pod.get('dnsPolicy').take();
  const pullSecrets = pod.get('imagePullSecrets').items();
  if (pullSecrets.length) entry.imagePullSecrets = pullSecrets.map((p) => p.get('name').take());
  const tsc = pod.get('topologySpreadConstraints').items();
  if (tsc.length) {
    entry.topologySpreadConstraints = tsc.map((t) => ({
      maxSkew: t.get('maxSkew').take(),
      topologyKey: t.get('topologyKey').take(),
      whenUnsatisfiable: t.get('whenUnsatisfiable').take(),
    }));
    for (const t of tsc) t.get('labelSelector').drop('the chart spreads its own pods (its selector labels)');
  }
  const sa = pod.get('serviceAccountName').present ? pod.get('serviceAccountName') : pod.get('serviceAccount');
  const automount = pod.get('automountServiceAccountToken');
  if (sa.present || automount.present) {
    const account = sa.present
      ? importServiceAccount({
          account: String(sa.value),
          namespace: input.namespace,
          workload: workload.name,
          documents: input.rbac,
          used,
        })
      : {};
    if (sa.present && account.name === undefined)
      sa.drop(`the chart creates the ServiceAccount ${workload.name} with the rules bound to ${String(sa.value)}`);
    else sa.take();
    if (pod.get('serviceAccountName').present && pod.get('serviceAccount').value === sa.value)
      pod.get('serviceAccount').take();
    entry.serviceAccount = { ...account, ...(automount.present ? { automountToken: automount.take() } : {}) };
  }

  const auto = importAutoscaling(input.hpas, kind, workload.name, used);
  if (auto) entry.autoscaling = auto;
  return { entry, used };
}

/** Keys the chart sets on every pod itself (the catalog refuses them in podLabels). */
const CHART_LABEL = /^(app\.kubernetes\.io|helm\.sh)\//;

/**
 * The pod template's labels → the entry's podLabels (the chart adds them to its own; other objects, e.g. the
 * real NetworkPolicies, select the pods by them). The chart's own keys and non-label values are reported.
 */
export function importPodLabels(labels: Field): Record<string, string> {
  const out: Record<string, string> = {};
  const value = labels.value;
  if (!isPlain(value)) {
    labels.drop('pod labels must be a map of strings');
    return out;
  }
  for (const key of Object.keys(value)) {
    const f = labels.get(key);
    const v = f.value;
    if (CHART_LABEL.test(key))
      f.drop(
        "the chart sets app.kubernetes.io/* and helm.sh/* pod labels itself (app.kubernetes.io/name, instance); selectors of other objects must use the chart's",
      );
    else if (typeof v !== 'string' || !LABEL_KEY.test(key) || !LABEL_VALUE.test(v) || v.length > 63)
      f.drop(`not a valid label ${typeof v === 'string' ? `key or value` : `value (${typeof v}; labels are strings)`}`);
    else out[key] = f.take() as string;
  }
  return out;
}

function skipContainer(c: Field, filebeat: Field | undefined, entry: Plain): boolean {
  return c === filebeat && entry.logging !== undefined;
}

function jobSettings(spec: Field): Plain {
  const out: Plain = {};
  for (const k of ['backoffLimit', 'activeDeadlineSeconds', 'ttlSecondsAfterFinished', 'completions', 'parallelism'])
    if (spec.get(k).present) out[k] = spec.get(k).take();
  return out;
}

function assign(entry: Plain, key: string, value: unknown): void {
  if (value !== undefined && !(Array.isArray(value) && value.length === 0)) entry[key] = value;
}

/** `repo[:tag][@digest]` → the catalog's image (repository, initialTag); a digest is reported. */
export function splitImage(f: Field): Plain | undefined {
  const ref = f.value;
  if (typeof ref !== 'string') return undefined;
  f.take();
  const [nameTag, digest] = ref.split('@');
  if (digest)
    f.drop(`the digest ${digest} is not part of a catalog entry: pin it in the environment's overlay (image.digest)`);
  const m = /^(.*?)(?::([^:/]+))?$/.exec(nameTag ?? '')!;
  return { repository: m[1]!, ...(m[2] ? { initialTag: m[2] } : {}) };
}

/** A sidecar or init container as the catalog writes it. */
function containerFields(c: Field, withPorts: boolean, renamed: Map<string, string>): Plain {
  const out: Plain = { name: c.get('name').take(), image: c.get('image').take() };
  if (c.get('imagePullPolicy').present) out.imagePullPolicy = c.get('imagePullPolicy').take();
  assign(out, 'command', stringList(c.get('command')));
  assign(out, 'args', stringList(c.get('args')));
  assign(out, 'env', importEnv(c.get('env')));
  assign(out, 'envFrom', importEnvFrom(c.get('envFrom')));
  assign(out, 'resources', importResources(c.get('resources')));
  const mounts = c.get('volumeMounts').items();
  if (mounts.length)
    out.volumeMounts = mounts.map((m) => {
      const v = m.take() as Plain;
      const name = renamed.get(JSON.stringify(m.path));
      return name ? { ...v, name } : v;
    });
  const sec = containerSecurity(c.get('securityContext'));
  if (Object.keys(sec).length) out.securityContext = sec;
  if (withPorts) {
    const ports = c
      .get('ports')
      .items()
      .map((p) => {
        const protocol = p.get('protocol').take();
        return {
          name: p.get('name').present ? p.get('name').take() : `p${String(p.get('containerPort').value)}`,
          containerPort: p.get('containerPort').take(),
          ...(protocol !== undefined && protocol !== 'TCP' ? { protocol } : {}),
        };
      });
    if (ports.length) out.ports = ports;
    assign(out, 'probes', importProbes(c));
    assign(out, 'lifecycle', importLifecycle(c.get('lifecycle')));
  }
  return out;
}

function configMapData(
  input: WorkloadInput,
  name: string,
  used: ImportedWorkload['used'],
): Record<string, string> | undefined {
  const doc = input.configMaps.get(`${input.namespace}/${name}`);
  if (!doc) return undefined;
  const root = reopenDocument(doc, used);
  const data = root.get('data');
  if (!isPlain(data.value) || Object.values(data.value).some((v) => typeof v !== 'string')) return undefined;
  takeIdentity(root);
  root.get('metadata').get('labels').drop('the chart labels the ConfigMap it generates');
  return data.take() as Record<string, string>;
}

/** The main container's ports and the Services that select the pods → the catalog's `ports`. */
function importPorts(
  main: Field,
  services: ManifestDocument[],
  used: ImportedWorkload['used'],
  promPort: number | undefined,
): Plain | undefined {
  const list = main.get('ports').items();
  if (!list.length) {
    for (const s of services)
      openDocument(s, used).drop(
        'the main container declares no ports: the catalog entry is a worker without a Service',
      );
    return undefined;
  }
  const svc = services[0];
  const sroot = svc ? openDocument(svc, used) : undefined;
  if (sroot) {
    takeIdentity(sroot);
    sroot.get('metadata').get('labels').drop('the chart labels its Service');
    sroot.get('spec').get('selector').take();
    if (sroot.get('spec').get('type').value === 'ClusterIP') sroot.get('spec').get('type').take();
  }
  for (const s of services.slice(1))
    openDocument(s, used).drop(
      `a second Service selecting the pods of this workload (the chart has one, ${svc?.name})`,
    );
  const servicePorts = sroot?.get('spec').get('ports').items() ?? [];
  const exposed = (p: Field) =>
    servicePorts.find((sp) => {
      const t = sp.get('targetPort').value ?? sp.get('port').value;
      return t === p.get('containerPort').value || (t !== undefined && t === p.get('name').value);
    });
  const metricsExposed = list.some((p) => p.get('containerPort').value === promPort && exposed(p));
  const http = list.find((p) => p.get('containerPort').value !== promPort || list.length === 1) ?? list[0]!;
  const out: Plain = { http: http.get('containerPort').take() };
  const proto = http.get('protocol');
  if (proto.value === 'UDP') out.protocol = proto.take();
  else proto.take();
  http.get('name').drop('the chart names the main port "http"');
  const httpSvc = exposed(http);
  if (httpSvc) {
    const port = httpSvc.get('port').take();
    if (port !== out.http) out.servicePort = port;
    httpSvc.get('targetPort').take();
    httpSvc.get('protocol').take();
    httpSvc.get('name').drop('the chart names the Service port "http"');
  }
  const extra: Plain[] = [];
  for (const p of list) {
    if (p === http) continue;
    const port = p.get('containerPort').value;
    if (port === promPort && !metricsExposed) {
      out.metrics = p.get('containerPort').take();
      p.get('protocol').take();
      p.get('name').drop('the chart names the metrics port "metrics"');
      continue;
    }
    const sp = exposed(p);
    const name = p.get('name').present ? p.get('name').take() : `p${String(port)}`;
    extra.push({
      name,
      containerPort: p.get('containerPort').take(),
      ...(p.get('protocol').value === 'UDP' ? { protocol: 'UDP' } : {}),
      ...(sp ? { expose: true } : {}),
    });
    p.get('protocol').take();
    if (sp) {
      if (sp.get('port').value !== port)
        sp.get('port').drop(`the chart exposes extra ports under their container port (${String(port)})`);
      else sp.get('port').take();
      for (const k of ['targetPort', 'protocol', 'name']) sp.get(k).take();
    }
  }
  if (extra.length) out.extra = extra;
  const mainPorts = list.flatMap((p) => [p.get('containerPort').value, p.get('name').value]);
  for (const sp of servicePorts) {
    const t = sp.get('targetPort').value ?? sp.get('port').value;
    if (!mainPorts.includes(t))
      sp.drop(
        `targets port ${String(t)}, which the main container does not declare: the chart's Service exposes only the main container's ports`,
      );
  }
  if (sroot?.get('spec').get('clusterIP').value === 'None') {
    out.headless = true;
    sroot.get('spec').get('clusterIP').take();
  }
  return out;
}

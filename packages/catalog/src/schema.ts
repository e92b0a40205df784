import { z } from 'zod';
import {
  kubernetesVersionProblem,
  cronScheduleProblem,
  timeZoneProblem,
  ABSOLUTE_PATH,
  DNS_LABEL,
  DNS_LABEL_MAX,
  DNS_SUBDOMAIN,
  DNS_SUBDOMAIN_MAX,
  ENVIRONMENT_NAME,
  GIT_BRANCH,
  IMAGE_REFERENCE,
  IMAGE_REGISTRY,
  IMAGE_REPOSITORY,
  IMAGE_TAG,
  LABEL_KEY,
  LABEL_VALUE,
  re2Problem,
  repoUrlProblem,
  SERVICE_NAME_MAX,
  URL_PATH,
} from './grammar.js';

// The catalog's schema. Every object is strict: an unknown key is an error (with a "did you mean").
// Field docs here are the catalog reference; README.md's "Catalog reference" mirrors them.

// Grammars (src/grammar.ts) are defined once and shared with chartgen, the validator and gitops-sync.
const dnsLabel = 'a lowercase DNS-1123 label (a-z, 0-9, "-")';
export const serviceName = z
  .string()
  .regex(DNS_LABEL, dnsLabel)
  .max(SERVICE_NAME_MAX, 'at most 53 characters (Helm release name limit)');
const k8sName = z.string().regex(DNS_LABEL, dnsLabel).max(DNS_LABEL_MAX);
const envName = z.string().regex(ENVIRONMENT_NAME, 'an environment name such as dev, preprod or prod');
const dnsName = z
  .string()
  .regex(DNS_SUBDOMAIN, 'a lowercase DNS name such as vocms0132.cern.ch')
  .max(DNS_SUBDOMAIN_MAX);
const imageTag = z
  .string()
  .regex(IMAGE_TAG, 'an image tag: letters, digits, "_", "." and "-" (not first), at most 128 characters');
const imageRepository = z
  .string()
  .regex(IMAGE_REPOSITORY, 'an image repository without tag, lowercase, no spaces, such as registry.cern.ch/cmsweb/dbs')
  .max(255);
const imageReference = z
  .string()
  .regex(
    IMAGE_REFERENCE,
    'an image reference such as docker.elastic.co/beats/filebeat:7.12.0 (lowercase repository, optional :tag and @sha256:digest)',
  )
  .max(400);
const urlPath = z
  .string()
  .regex(URL_PATH, 'a URL path starting with "/" (letters, digits and -._~!$&\'()*+,;=:@%/; no spaces, "?" or "#")');

const urlPrefix = z.union([
  urlPath,
  z.strictObject({ path: urlPath, environments: z.array(envName).min(1, 'name at least one environment') }),
]);
export type UrlPrefix = z.infer<typeof urlPrefix>;
/** A string checked by a function returning its problem (undefined when fine). */
const checked = (expected: string, problem: (v: string) => string | undefined) =>
  z.string().superRefine((v, ctx) => {
    const p = problem(v);
    if (p !== undefined) ctx.addIssue({ code: 'custom', message: `expected ${expected} (this one ${p})` });
  });
const quantity = z.union([
  z
    .string()
    .regex(/^[0-9]+(\.[0-9]+)?(m|k|Ki|Mi|Gi|Ti|Pi|Ei|M|G|T|P|E)?$/, 'a Kubernetes quantity such as 500m, 256Mi or 2Gi'),
  z.number().nonnegative(),
]);
const port = z.number().int().min(1).max(65535);
const cronSchedule = checked('a cron schedule such as "*/10 * * * *" or @daily', cronScheduleProblem);
const absPath = z.string().regex(ABSOLUTE_PATH, 'an absolute path starting with "/", without spaces');
const labelMap = z.record(
  z.string().regex(LABEL_KEY, 'a label key such as app or example.com/role'),
  z
    .string()
    .regex(LABEL_VALUE, 'a label value: at most 63 letters, digits, "-", "_" and "." (alphanumeric at both ends)')
    .max(63),
);

export const resourceList = z.strictObject({ cpu: quantity.optional(), memory: quantity.optional() });
export const resources = z.strictObject({ requests: resourceList.optional(), limits: resourceList.optional() });

/** Environment variable: exactly one of value, secretKeyRef, fieldRef, configMapKeyRef. */
export const envVar = z.strictObject({
  name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]*$/, 'an environment variable name'),
  value: z.string().optional(),
  secretKeyRef: z.strictObject({ name: k8sName, key: z.string().min(1) }).optional(),
  configMapKeyRef: z.strictObject({ name: k8sName, key: z.string().min(1) }).optional(),
  fieldRef: z
    .string()
    .regex(/^(metadata|spec|status)\./, 'a field path such as metadata.name or status.podIP')
    .optional(),
});

const probeTiming = {
  initialDelaySeconds: z.number().int().nonnegative().optional(),
  periodSeconds: z.number().int().positive().optional(),
  timeoutSeconds: z.number().int().positive().optional(),
  failureThreshold: z.number().int().positive().optional(),
  successThreshold: z.number().int().positive().optional(),
};
/** A probe: exactly one of exec, httpGet, tcpSocket. */
const httpGetAction = z.strictObject({
  path: absPath,
  port: z.union([port, z.string()]),
  scheme: z.enum(['HTTP', 'HTTPS']).optional(),
  /** Request headers the kubelet sends (e.g. Host, Authorization-free routing headers). */
  httpHeaders: z
    .array(
      z.strictObject({
        name: z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'an HTTP header name such as X-Forwarded-Host'),
        value: z.string(),
      }),
    )
    .optional(),
});
export const probe = z.strictObject({
  exec: z.strictObject({ command: z.array(z.string()).min(1) }).optional(),
  httpGet: httpGetAction.optional(),
  tcpSocket: z.strictObject({ port: z.union([port, z.string()]) }).optional(),
  ...probeTiming,
});

/** A custom Prometheus metric an HPA scales on; `query` is the Prometheus Adapter metricsQuery. */
export const customMetric = z.strictObject({
  name: z.string().regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, 'a Prometheus metric name'),
  /** Pods and Object: custom.metrics.k8s.io (adapter `rules`); External: external.metrics.k8s.io (`externalRules`). */
  type: z.enum(['Pods', 'Object', 'External']),
  /** Pods: target averageValue per pod. Object: target value of the described object. External: see targetType. */
  target: quantity,
  /**
   * Object and External: compare `target` with the metric's value (Value) or with the value divided by the
   * number of pods (AverageValue). Default: Value for Object, AverageValue for External. Pods: always AverageValue.
   */
  targetType: z.enum(['Value', 'AverageValue']).optional(),
  /** External: label matchers the HPA passes to the adapter, which adds them to the query (`<<.LabelMatchers>>`). */
  selector: z.record(z.string(), z.string()).optional(),
  /**
   * External: the adapter adds the HPA's namespace to the query (`namespace="<ns>"`), so the series need a
   * `namespace` label. false: the series are cluster-wide (a queue, a VM), the adapter rule sets `namespaced: false`.
   */
  namespaced: z.boolean().optional(),
  describedObject: z.strictObject({ apiVersion: z.string(), kind: z.string(), name: k8sName }).optional(),
  /** Prometheus Adapter `metricsQuery` for this metric (Go template over <<.Series>>, <<.LabelMatchers>>). */
  query: z.string().min(1).optional(),
  /**
   * The Prometheus series the adapter discovers (defaults to `name`). chartgen adds `<label>!=""` matchers for
   * the labels the adapter maps to resources (namespace, and pod or objectLabel), so discovered series have them.
   */
  seriesQuery: z.string().optional(),
  /**
   * Object metrics: the series label whose value is the described object's name (default: its kind in lower
   * case, `job` for a batch/v1 Job: CMSWEB's exporters are scraped as the Prometheus job named after the Job).
   */
  objectLabel: z
    .string()
    .regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'a Prometheus label name')
    .optional(),
});

/**
 * One direction of an HPA's scaling behavior (autoscaling/v2 HPAScalingRules), with the API server's limits
 * (pkg/apis/autoscaling/validation): a window of 0-3600 s, at least one policy when policies is written (an
 * empty list is refused; left out, the controller's defaults apply), each policy a positive value per 1-1800 s.
 */
export const scalingRules = z.strictObject({
  stabilizationWindowSeconds: z.number().int().min(0).max(3600).optional(),
  selectPolicy: z.enum(['Max', 'Min', 'Disabled']).optional(),
  policies: z
    .array(
      z.strictObject({
        type: z.enum(['Pods', 'Percent']),
        value: z.number().int().min(1).max(2147483647),
        periodSeconds: z.number().int().min(1).max(1800),
      }),
    )
    .min(1)
    .optional(),
});

/** HPA behavior (spec.behavior); per environment it merges as helm merges values: keys merged, lists replaced. */
export const scalingBehavior = z.strictObject({
  scaleUp: scalingRules.optional(),
  scaleDown: scalingRules.optional(),
});

export const autoscaling = z.strictObject({
  minReplicas: z.number().int().min(1),
  maxReplicas: z.number().int().min(1),
  /** Average CPU utilisation target in percent of requests; values above 100 are valid. */
  cpuUtilization: z.number().int().positive().optional(),
  memoryUtilization: z.number().int().positive().optional(),
  customMetrics: z.array(customMetric).optional(),
  behavior: scalingBehavior.optional(),
});

export const volumeMount = z.strictObject({
  name: k8sName,
  mountPath: absPath,
  subPath: z.string().optional(),
  readOnly: z.boolean().optional(),
});

/** envFrom: every key of a Secret or ConfigMap as environment variables (exactly one of secretRef, configMapRef). */
export const envFromSource = z.strictObject({
  secretRef: k8sName.optional(),
  configMapRef: k8sName.optional(),
  prefix: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a variable name prefix such as DB_')
    .optional(),
  optional: z.boolean().optional(),
});

/** A lifecycle hook handler: exactly one of exec, httpGet. */
const lifecycleHandler = z.strictObject({
  exec: z.strictObject({ command: z.array(z.string()).min(1) }).optional(),
  httpGet: httpGetAction.optional(),
});
export const lifecycle = z.strictObject({
  postStart: lifecycleHandler.optional(),
  preStop: lifecycleHandler.optional(),
});

/** Container-level securityContext fields (hardening): seccomp, capabilities, read-only root filesystem. */
const capability = z.string().regex(/^[A-Z_]+$/, 'a Linux capability such as NET_BIND_SERVICE or ALL');
const containerHardening = {
  readOnlyRootFilesystem: z.boolean().optional(),
  capabilities: z
    .strictObject({ add: z.array(capability).optional(), drop: z.array(capability).optional() })
    .optional(),
  seccompProfile: z
    .strictObject({
      type: z.enum(['RuntimeDefault', 'Localhost', 'Unconfined']),
      localhostProfile: z.string().optional(),
    })
    .optional(),
};
/** The user and group a container runs as (container and pod securityContext). */
const runAs = {
  runAsUser: z.number().int().nonnegative().optional(),
  runAsGroup: z.number().int().nonnegative().optional(),
};
/** Root and privileges (container and pod securityContext; the catalog allows them per service). */
const privileges = {
  runAsNonRoot: z.boolean().optional(),
  privileged: z.boolean().optional(),
  allowPrivilegeEscalation: z.boolean().optional(),
};
export const containerSecurityContext = z.strictObject({ ...runAs, ...privileges, ...containerHardening });

const probes = z.strictObject({ liveness: probe.optional(), readiness: probe.optional(), startup: probe.optional() });

export const sidecar = z.strictObject({
  name: k8sName,
  image: imageReference,
  imagePullPolicy: z.enum(['Always', 'IfNotPresent', 'Never']).optional(),
  command: z.array(z.string()).optional(),
  args: z.array(z.string()).optional(),
  env: z.array(envVar).optional(),
  envFrom: z.array(envFromSource).optional(),
  ports: z
    .array(
      z.strictObject({ name: z.string().max(15), containerPort: port, protocol: z.enum(['TCP', 'UDP']).optional() }),
    )
    .optional(),
  resources: resources.optional(),
  /** Names of the pod's volumes (secrets, configMaps, ...) mounted into the sidecar. */
  volumeMounts: z.array(volumeMount).optional(),
  probes: probes.optional(),
  securityContext: containerSecurityContext.optional(),
  lifecycle: lifecycle.optional(),
});
/** An init container: runs to completion before the pod's containers start (no probes, no ports). */
export const initContainer = sidecar.omit({ probes: true, ports: true, lifecycle: true });

/** A pod volume: exactly one of emptyDir, persistentVolumeClaim, hostPath (allowed by cluster.yaml), secret, configMap. */
export const volume = z.strictObject({
  name: k8sName,
  /** Where the main container mounts it; without it only sidecars/init containers mount it (volumeMounts). */
  mountPath: absPath.optional(),
  subPath: z.string().optional(),
  readOnly: z.boolean().optional(),
  emptyDir: z.strictObject({ medium: z.enum(['', 'Memory']).optional(), sizeLimit: quantity.optional() }).optional(),
  persistentVolumeClaim: z.strictObject({ claimName: k8sName, readOnly: z.boolean().optional() }).optional(),
  hostPath: z
    .strictObject({
      path: absPath,
      type: z
        .enum(['', 'DirectoryOrCreate', 'Directory', 'FileOrCreate', 'File', 'Socket', 'CharDevice', 'BlockDevice'])
        .optional(),
    })
    .optional(),
  secret: z
    .strictObject({ secretName: k8sName, defaultMode: z.number().int().min(0).max(0o777).optional() })
    .optional(),
  configMap: z.strictObject({ name: k8sName, defaultMode: z.number().int().min(0).max(0o777).optional() }).optional(),
});

/** A StatefulSet's per-pod PersistentVolumeClaim, mounted into the main container. */
export const volumeClaimTemplate = z.strictObject({
  name: k8sName,
  mountPath: absPath,
  storage: quantity,
  storageClassName: z.string().optional(),
  accessModes: z
    .array(z.enum(['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod']))
    .min(1)
    .optional(),
});

/** A policy rule of a Role or ClusterRole. */
export const policyRule = z.strictObject({
  apiGroups: z.array(z.string()).min(1),
  resources: z.array(z.string().min(1)).min(1),
  verbs: z
    .array(z.enum(['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection', '*']))
    .min(1),
  resourceNames: z.array(z.string().min(1)).optional(),
});

export const toleration = z.strictObject({
  key: z.string().optional(),
  operator: z.enum(['Exists', 'Equal']).optional(),
  value: z.string().optional(),
  effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']).optional(),
  tolerationSeconds: z.number().int().optional(),
});

/** A CronJob's schedule; per environment: schedule and suspend (batch/v1, timeZone from Kubernetes 1.27). */
export const cronJob = z.strictObject({
  /** Cron expression (5 fields, or @hourly, @daily, ...), in timeZone (default: the kube-controller-manager's). */
  schedule: cronSchedule,
  timeZone: checked('an IANA time zone such as Europe/Zurich', timeZoneProblem).optional(),
  concurrencyPolicy: z.enum(['Allow', 'Forbid', 'Replace']).optional(),
  successfulJobsHistoryLimit: z.number().int().nonnegative().optional(),
  failedJobsHistoryLimit: z.number().int().nonnegative().optional(),
  startingDeadlineSeconds: z.number().int().positive().optional(),
  suspend: z.boolean().optional(),
});

/** Settings of the Job a Job or CronJob runs. */
export const jobSettings = z.strictObject({
  backoffLimit: z.number().int().nonnegative().optional(),
  activeDeadlineSeconds: z.number().int().positive().optional(),
  ttlSecondsAfterFinished: z.number().int().nonnegative().optional(),
  completions: z.number().int().positive().optional(),
  parallelism: z.number().int().nonnegative().optional(),
  restartPolicy: z.enum(['OnFailure', 'Never']).optional(),
});

export const WORKLOAD_KINDS = ['Deployment', 'DaemonSet', 'StatefulSet', 'CronJob', 'Job'] as const;

/** Settings an environment may override; each becomes a chart value the overlay can switch. */
export const environmentSettings = z.strictObject({
  replicas: z.number().int().nonnegative().optional(),
  resources: resources.optional(),
  autoscaling: autoscaling.partial().extend({ enabled: z.boolean().optional() }).optional(),
  /** Ship logs with the filebeat sidecar to the CephFS log claim. */
  logging: z.boolean().optional(),
  /** Name of the Secret with this environment's database account (prod and preprod must differ). */
  databaseSecret: k8sName.optional(),
  env: z.array(envVar).optional(),
  nodeSelector: labelMap.optional(),
  /** Image tag chartgen writes when it creates this environment's overlay for the first time. */
  initialTag: imageTag.optional(),
  /** CronJob only: this environment's schedule and suspension. */
  schedule: cronSchedule.optional(),
  suspend: z.boolean().optional(),
});

const hostList = z.array(dnsName).min(1);
/** Hosts for every environment (a list), or per environment (a map from environment name to a list). */
export const hostsByEnvironment = z.union([hostList, z.record(envName, hostList)]);
export type HostsByEnvironment = z.infer<typeof hostsByEnvironment>;

export const vmService = z.strictObject({
  /**
   * Hosts the frontend forwards to, in order: one list for every environment, or one per environment
   * (`{ dev: [...], prod: [...] }`, every environment of cluster.yaml). `affinity` keeps a client on one host.
   */
  hosts: hostsByEnvironment,
  affinity: z.boolean().optional(),
});

/** One client a NetworkPolicy admits: `{service}` or `{namespace, podLabels?}` (catalog-allow-from checks which). */
export const allowFromEntry = z.strictObject({
  service: serviceName.optional(),
  namespace: k8sName.optional(),
  podLabels: labelMap.optional(),
});

export const service = z.strictObject({
  name: serviceName,
  namespace: k8sName,
  description: z.string().optional(),
  /** Runs on VMs outside Kubernetes: routed by the frontend, no chart. Excludes the workload fields. */
  vm: vmService.optional(),
  /**
   * URL prefixes the frontend forwards to this service, e.g. /dbs/prod/global/DBSReader; an entry
   * `{ path, environments: [preprod] }` is routed only in those environments (the real preprod sends
   * /dqm/offline-test-new to a Kubernetes service while prod sends it to a VM).
   */
  urlPrefixes: z.array(urlPrefix).optional(),
  /**
   * Query parameters a request under urlPrefixes must carry to reach this service (`{ rse_type: t2t3 }`):
   * the frontend matches its rules against path and query string, and tries these rules before the same
   * prefix without a query.
   */
  urlQuery: z
    .record(
      z.string().regex(/^[A-Za-z0-9_.-]+$/, 'a query parameter name'),
      z.string().regex(/^[A-Za-z0-9_.~-]*$/, 'a plain query parameter value'),
    )
    .optional(),
  image: z
    .strictObject({
      repository: imageRepository,
      /** Tag for overlays chartgen creates; afterwards the tag lives only in environments/<env>/values. */
      initialTag: imageTag.optional(),
      pullPolicy: z.enum(['Always', 'IfNotPresent', 'Never']).optional(),
    })
    .optional(),
  /** Workload kind (default Deployment); the kind's own settings are cronJob (CronJob), job (Job, CronJob) and volumeClaimTemplates (StatefulSet). */
  kind: z.enum(WORKLOAD_KINDS).optional(),
  cronJob: cronJob.optional(),
  job: jobSettings.optional(),
  volumeClaimTemplates: z.array(volumeClaimTemplate).optional(),
  /** Omitted: a worker without ports (no Service; no readiness probe expected). */
  ports: z
    .strictObject({
      /** The main container port; the Service exposes it under the same number unless servicePort is set. */
      http: port,
      /** Protocol of the main port (UDP for a datagram service). */
      protocol: z.enum(['TCP', 'UDP']).optional(),
      servicePort: port.optional(),
      /** Port Prometheus scrapes (pod annotations prometheus.io/port). */
      metrics: port.optional(),
      /** A headless Service (clusterIP: None): DNS names the pods; a StatefulSet's serviceName. */
      headless: z.boolean().optional(),
      extra: z
        .array(
          z.strictObject({
            name: z.string().max(15),
            containerPort: port,
            protocol: z.enum(['TCP', 'UDP']).optional(),
            expose: z.boolean().optional(),
          }),
        )
        .optional(),
    })
    .optional(),
  command: z.array(z.string()).optional(),
  args: z.array(z.string()).optional(),
  env: z.array(envVar).optional(),
  /** Every key of a Secret (secretRef) or ConfigMap (configMapRef) as environment variables of the main container. */
  envFrom: z.array(envFromSource).optional(),
  resources: resources.optional(),
  replicas: z.number().int().nonnegative().optional(),
  probes: probes.optional(),
  lifecycle: lifecycle.optional(),
  terminationGracePeriodSeconds: z.number().int().nonnegative().optional(),
  /** Containers run to completion, in order, before the others start. */
  initContainers: z.array(initContainer).optional(),
  /** Pod volumes beyond secrets/configMaps: emptyDir, persistentVolumeClaim, hostPath (cluster.yaml allowedHostPaths). */
  volumes: z.array(volume).optional(),
  /** The pod's ServiceAccount (created by the chart) and what it may do (Role/ClusterRole + bindings). */
  serviceAccount: z
    .strictObject({
      /** An existing ServiceAccount to use instead of creating one (no rules then). */
      name: k8sName.optional(),
      automountToken: z.boolean().optional(),
      /** Namespaced permissions (Role + RoleBinding in the service namespace). */
      rules: z.array(policyRule).optional(),
      /** Cluster-wide permissions (ClusterRole + ClusterRoleBinding). */
      clusterRules: z.array(policyRule).optional(),
    })
    .optional(),
  imagePullSecrets: z.array(k8sName).optional(),
  /** Use the node's network namespace (DaemonSets such as the frontend); dnsPolicy becomes ClusterFirstWithHostNet. */
  hostNetwork: z.boolean().optional(),
  tolerations: z.array(toleration).optional(),
  /** Pod affinity rules as Kubernetes writes them (nodeAffinity, podAffinity, podAntiAffinity). */
  affinity: z
    .strictObject({
      nodeAffinity: z.record(z.string(), z.unknown()).optional(),
      podAffinity: z.record(z.string(), z.unknown()).optional(),
      podAntiAffinity: z.record(z.string(), z.unknown()).optional(),
    })
    .optional(),
  /** Spread of the pods over topology domains; the label selector is the chart's own pods. */
  topologySpreadConstraints: z
    .array(
      z.strictObject({
        maxSkew: z.number().int().min(1),
        topologyKey: z.string().min(1),
        whenUnsatisfiable: z.enum(['DoNotSchedule', 'ScheduleAnyway']),
      }),
    )
    .optional(),
  autoscaling: autoscaling.optional(),
  /** Secrets mounted as files, by name only. */
  secrets: z.array(z.strictObject({ name: k8sName, mountPath: absPath, volumeName: k8sName.optional() })).optional(),
  /** Config maps mounted as files; with `data` the chart generates the ConfigMap too. */
  configMaps: z
    .array(
      z.strictObject({
        name: k8sName,
        mountPath: absPath,
        volumeName: k8sName.optional(),
        defaultMode: z.number().int().min(0).max(0o777).optional(),
        data: z.record(z.string(), z.string()).optional(),
      }),
    )
    .optional(),
  /** Mount the node's /etc/grid-security (read-only) at this path. */
  gridSecurity: z.strictObject({ mountPath: absPath }).optional(),
  securityContext: z
    .strictObject({
      ...runAs,
      fsGroup: z.number().int().nonnegative().optional(),
      ...privileges,
      ...containerHardening,
    })
    .optional(),
  /** Filebeat sidecar shipping `path` to the CephFS log claim of the environment and namespace. */
  logging: z.strictObject({ path: absPath }).optional(),
  /** Extra containers next to the service (exporters, proxies). */
  sidecars: z.array(sidecar).optional(),
  prometheus: z.strictObject({ scrape: z.boolean(), port: port.optional(), path: absPath.optional() }).optional(),
  nodeSelector: labelMap.optional(),
  /**
   * Extra labels of the pods, e.g. the label cluster.yaml `frontend.podLabels` selects on the pods that forward
   * traffic to the backends. The chart owns app.kubernetes.io/* and helm.sh/* (rule catalog-workload).
   */
  podLabels: labelMap.optional(),
  /**
   * Clients this service's NetworkPolicy admits on its service ports, besides the frontend: another catalog
   * service (its pods, in its namespace) or the pods of a namespace (all, or those with podLabels).
   */
  allowFrom: z.array(allowFromEntry).optional(),
  podDisruptionBudget: z
    .strictObject({
      minAvailable: z.union([z.number().int().nonnegative(), z.string()]).optional(),
      maxUnavailable: z.union([z.number().int().nonnegative(), z.string()]).optional(),
    })
    .optional(),
  /** Name of the Secret with the database account, when all environments share the default; see environments. */
  databaseSecret: k8sName.optional(),
  /** Per-environment differences, keyed by environment name. */
  environments: z.record(envName, environmentSettings).optional(),
});

export const cluster = z.strictObject({
  /** Names what chartgen generates: `<name>-library`, the Argo CD projects and Flux objects, part-of labels. */
  name: k8sName,
  /** The organisation's name for people (status page title, SARIF tool name); default: `name`. */
  displayName: z.string().min(1).max(100).optional(),
  /**
   * DNS domain of the annotations chartgen and the validator write and read (`<domain>/generated-by`,
   * `validator.<domain>/ignore`); default `<name>.internal`.
   */
  annotationDomain: z
    .string()
    .regex(DNS_SUBDOMAIN, 'a DNS domain such as shop.example.com (lowercase, dots between labels)')
    .max(200)
    .optional(),
  /** Kubernetes version charts are rendered and validated for, "MAJOR.MINOR". */
  kubernetesVersion: checked('a Kubernetes version such as "1.33"', kubernetesVersionProblem),
  registry: z
    .string()
    .regex(IMAGE_REGISTRY, 'an image registry such as registry.cern.ch/cmsweb (lowercase, no scheme, no spaces)'),
  /** Where Argo CD and Flux fetch this repository from. */
  git: z.strictObject({
    repoURL: checked(
      'a Git repository URL such as https://github.com/org/repo.git or git@github.com:org/repo.git',
      repoUrlProblem,
    ),
    branch: z.string().regex(GIT_BRANCH, 'a git branch name such as main (letters, digits, ".", "_", "-", "/")'),
  }),
  /** Environments in promotion order; each promotes from the one before. */
  environments: z
    .array(
      z.strictObject({
        name: envName,
        /** Cluster (Argo CD destination name) that runs the environment. */
        cluster: dnsName,
        /** Kubernetes version of that cluster when it differs from the default. */
        kubernetesVersion: checked('a Kubernetes version such as "1.33"', kubernetesVersionProblem).optional(),
        /** Production is a property, not a name: its database accounts and exclusive secrets stay its own. */
        production: z.boolean().optional(),
      }),
    )
    .min(1),
  namespaces: z
    .array(
      z.strictObject({ name: k8sName, team: z.string().regex(LABEL_VALUE).min(1), description: z.string().optional() }),
    )
    .min(1),
  /**
   * Optional feature: the frontend that routes URLs to the services. Without it no frontend rules or peers are
   * generated and each NetworkPolicy admits only the service's allowFrom (and Prometheus).
   */
  frontend: z
    .strictObject({
      namespace: k8sName,
      /**
       * Pod labels of the frontend (in `namespace`), admitted by every service's NetworkPolicy in the environments
       * that `peers` does not name.
       */
      podLabels: labelMap,
      /**
       * Per environment, the pods that forward the frontend's traffic to the backends, when not the pods above:
       * every service's NetworkPolicy admits each of them on its service ports (e.g. the authenticating proxies of a
       * test cluster, or the cluster's ingress controller where the frontend runs outside the cluster).
       */
      peers: z.record(envName, z.array(z.strictObject({ namespace: k8sName, podLabels: labelMap })).min(1)).optional(),
      /** Prefix the frontend puts before each service's URL prefix in its rules. */
      rulePrefix: checked('a regular expression in RE2 syntax (the frontend is written in Go)', (v) =>
        re2Problem(v) === undefined ? undefined : `does not compile: ${re2Problem(v)}`,
      ),
      /**
       * Where the frontend sends a URL no service claims: the last rule of backends-k8s-<env>.txt (`^ <hosts>`).
       * One list for every environment or one per environment; an environment left out gets no catch-all.
       */
      catchAll: hostsByEnvironment.optional(),
    })
    .optional(),
  prometheus: z.strictObject({ namespace: k8sName, podLabels: labelMap }),
  /**
   * The backend cluster's ingress (read by ingress-nginx) in the environments of `hosts`: each service's chart
   * renders an Ingress of its URL prefixes routed there (prefixes split by urlQuery stay with the frontend).
   */
  ingress: z
    .strictObject({
      /** spec.ingressClassName. */
      className: k8sName,
      /** The hosts of each environment's Ingress rules (one rule each); an environment left out gets no Ingress. */
      hosts: z.record(envName, hostList),
      /** Client address ranges ingress-nginx admits (annotation whitelist-source-range), per environment. */
      sourceRanges: z
        .record(
          envName,
          z
            .array(
              z
                .string()
                .regex(
                  /^(\d{1,3}\.){3}\d{1,3}(\/\d{1,2})?$|^[0-9a-fA-F:]+(\/\d{1,3})?$/,
                  'an IP address or CIDR range',
                ),
            )
            .min(1),
        )
        .optional(),
    })
    .optional(),
  /** Optional feature: the filebeat sidecar and shared log claim a service's `logging` asks for. */
  logging: z
    .strictObject({
      image: imageReference,
      /** CephFS log claim name; {env} and {namespace} are substituted. */
      claimName: checked('a claim name: a DNS name with optional {env} and {namespace} placeholders', (v) =>
        DNS_SUBDOMAIN.test(v.replace(/\{(env|namespace)\}/g, 'x')) ? undefined : 'is not one',
      ),
    })
    .optional(),
  /** Host paths a service may mount. */
  allowedHostPaths: z.array(absPath),
  /** Values every service inherits unless it sets its own. */
  defaults: z.strictObject({
    resources: resources,
    replicas: z.number().int().nonnegative(),
    initialTag: imageTag,
    securityContext: service.shape.securityContext,
    probes: service.shape.probes,
  }),
});

export type Cluster = z.infer<typeof cluster>;

/** The annotation domain of `cluster`: its `annotationDomain`, else `<name>.internal`. */
export function annotationDomain(cluster: Pick<Cluster, 'name' | 'annotationDomain'>): string {
  return cluster.annotationDomain ?? `${cluster.name}.internal`;
}

/** The organisation's name for people: `displayName`, else `name`. */
export function displayName(cluster: Pick<Cluster, 'name' | 'displayName'>): string {
  return cluster.displayName ?? cluster.name;
}
export type Service = z.infer<typeof service>;
export type EnvironmentSettings = z.infer<typeof environmentSettings>;
export type CustomMetric = z.infer<typeof customMetric>;
export type AllowFrom = z.infer<typeof allowFromEntry>;
export type ScalingBehavior = z.infer<typeof scalingBehavior>;
export type EnvVar = z.infer<typeof envVar>;
export type Probe = z.infer<typeof probe>;
export type Resources = z.infer<typeof resources>;
export type WorkloadKind = (typeof WORKLOAD_KINDS)[number];
export type Sidecar = z.infer<typeof sidecar>;
export type InitContainer = z.infer<typeof initContainer>;
export type EnvFromSource = z.infer<typeof envFromSource>;

import { DNS_LABEL as DNS_LABEL_RE, IMAGE_DIGEST } from '@cmsweb/catalog';
import { VALUE_DOCS } from './value-docs.js';

// values.schema.json of every chart: Helm validates the merged values (values.yaml + overlay) against it
// on lint, template and install, so a typo (`replicaz: 2`) or a wrong type in an overlay fails the render.
// Strict everywhere: `additionalProperties: false` on every object with fixed keys; maps keyed by
// free names (env, nodeSelector, labels, configMap data) constrain their values instead.

type Schema = Record<string, unknown>;

const QUANTITY = '^[0-9]+(\\.[0-9]+)?(m|k|Ki|Mi|Gi|Ti|Pi|Ei|M|G|T|P|E)?$';
const DNS_LABEL = DNS_LABEL_RE.source;

const str = (extra: Schema = {}): Schema => ({ type: 'string', ...extra });
const int = (minimum?: number, maximum?: number): Schema => ({
  type: 'integer',
  ...(minimum !== undefined ? { minimum } : {}),
  ...(maximum !== undefined ? { maximum } : {}),
});
const bool = (): Schema => ({ type: 'boolean' });
const arr = (items: Schema): Schema => ({ type: 'array', items });
const map = (values: Schema): Schema => ({ type: 'object', additionalProperties: values });
const obj = (properties: Record<string, Schema>, required: string[] = []): Schema => ({
  type: 'object',
  additionalProperties: false,
  ...(required.length ? { required } : {}),
  properties,
});

const port = int(1, 65535);
const portOrNone = int(0, 65535);
const quantity = str({ pattern: QUANTITY });
const quantityList = obj({ cpu: quantity, memory: quantity });
/** HPA spec.behavior.scaleUp/scaleDown with the API server's limits (as the catalog schema has them). */
const scalingRules = obj({
  stabilizationWindowSeconds: int(0, 3600),
  selectPolicy: { enum: ['Max', 'Min', 'Disabled'] },
  policies: {
    type: 'array',
    minItems: 1,
    items: obj({ type: { enum: ['Pods', 'Percent'] }, value: int(1, 2147483647), periodSeconds: int(1, 1800) }, [
      'type',
      'value',
      'periodSeconds',
    ]),
  },
});
const resources = obj({ requests: quantityList, limits: quantityList });
const keyRef = obj({ name: str({ pattern: DNS_LABEL }), key: str({ minLength: 1 }) }, ['name', 'key']);
const envMap = map({
  oneOf: [
    obj({ value: str() }, ['value']),
    obj({ secretKeyRef: keyRef }, ['secretKeyRef']),
    obj({ configMapKeyRef: keyRef }, ['configMapKeyRef']),
    obj({ fieldRef: str({ pattern: '^(metadata|spec|status)\\.' }) }, ['fieldRef']),
  ],
});
const portRef = { anyOf: [port, str({ minLength: 1 })] };
const execAction = obj({ command: { ...arr(str()), minItems: 1 } }, ['command']);
const httpGetAction = obj(
  {
    path: str({ pattern: '^/' }),
    port: portRef,
    scheme: { enum: ['HTTP', 'HTTPS'] },
    httpHeaders: arr(obj({ name: str({ minLength: 1 }), value: str() }, ['name', 'value'])),
  },
  ['path', 'port'],
);
const probe = obj({
  exec: execAction,
  httpGet: httpGetAction,
  tcpSocket: obj({ port: portRef }, ['port']),
  initialDelaySeconds: int(0),
  periodSeconds: int(1),
  timeoutSeconds: int(1),
  failureThreshold: int(1),
  successThreshold: int(1),
});
const lifecycleHandler = obj({ exec: execAction, httpGet: httpGetAction });
const lifecycle = obj({ postStart: lifecycleHandler, preStop: lifecycleHandler });
const dnsLabelOrEmpty = str({ pattern: `^(${DNS_LABEL.slice(1, -1)})?$` });
const localRef = obj({ name: str({ pattern: DNS_LABEL }), optional: bool() }, ['name']);
const envFrom = arr(obj({ secretRef: localRef, configMapRef: localRef, prefix: str() }));
const protocol = { enum: ['TCP', 'UDP'] };
const capabilities = arr(str({ pattern: '^[A-Z_]+$' }));
const hardening = {
  readOnlyRootFilesystem: bool(),
  capabilities: obj({ add: capabilities, drop: capabilities }),
  seccompProfile: obj({ type: { enum: ['RuntimeDefault', 'Localhost', 'Unconfined'] }, localhostProfile: str() }, [
    'type',
  ]),
};
const containerSecurityContext = obj({
  runAsUser: int(0),
  runAsGroup: int(0),
  runAsNonRoot: bool(),
  privileged: bool(),
  allowPrivilegeEscalation: bool(),
  ...hardening,
});
const policyRule = obj(
  {
    apiGroups: arr(str()),
    resources: arr(str({ minLength: 1 })),
    verbs: arr(str({ minLength: 1 })),
    resourceNames: arr(str({ minLength: 1 })),
  },
  ['apiGroups', 'resources', 'verbs'],
);
const mode = int(0, 0o777);
const intOrPercent = { anyOf: [int(0), str({ pattern: '^([0-9]+%?)?$' })] };
const podSelectorTarget = obj({ namespace: str({ pattern: DNS_LABEL }), podLabels: map(str()) }, [
  'namespace',
  'podLabels',
]);
const volumeMount = obj(
  { name: str({ pattern: DNS_LABEL }), mountPath: str({ pattern: '^/' }), subPath: str(), readOnly: bool() },
  ['name', 'mountPath'],
);

/** A sidecar or init container. */
const container = obj(
  {
    name: str({ pattern: DNS_LABEL }),
    image: str({ minLength: 1 }),
    imagePullPolicy: { enum: ['Always', 'IfNotPresent', 'Never'] },
    command: arr(str()),
    args: arr(str()),
    env: envMap,
    envFrom,
    ports: arr(
      obj({ name: str({ maxLength: 15, minLength: 1 }), containerPort: port, protocol }, ['name', 'containerPort']),
    ),
    resources,
    volumeMounts: arr(volumeMount),
    probes: obj({ liveness: probe, readiness: probe, startup: probe }),
    securityContext: containerSecurityContext,
    lifecycle,
  },
  ['name', 'image'],
);

/** Pure: the JSON schema of the chart values (the same for every chart); `environments` are the catalog's environment names. */
export function buildValuesSchema(environments: string[], names: { library: string; displayName: string }): Schema {
  const properties: Record<string, Schema> = {
    environment: { type: 'string', enum: ['', ...environments] },
    kind: { enum: ['Deployment', 'DaemonSet', 'StatefulSet', 'CronJob', 'Job'] },
    cronJob: obj({
      schedule: str({ minLength: 1 }),
      timeZone: str({ minLength: 1 }),
      concurrencyPolicy: { enum: ['Allow', 'Forbid', 'Replace'] },
      successfulJobsHistoryLimit: int(0),
      failedJobsHistoryLimit: int(0),
      startingDeadlineSeconds: int(1),
      suspend: bool(),
    }),
    job: obj({
      backoffLimit: int(0),
      activeDeadlineSeconds: int(1),
      ttlSecondsAfterFinished: int(0),
      completions: int(1),
      parallelism: int(0),
      restartPolicy: { enum: ['OnFailure', 'Never'] },
    }),
    volumeClaimTemplates: arr(
      obj(
        {
          name: str({ pattern: DNS_LABEL }),
          mountPath: str({ pattern: '^/' }),
          storage: quantity,
          accessModes: arr({ enum: ['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod'] }),
          storageClassName: str(),
        },
        ['name', 'mountPath', 'storage'],
      ),
    ),
    image: obj(
      {
        repository: str({ minLength: 1 }),
        tag: str({ pattern: '^([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?$' }),
        digest: str({ pattern: `^(${IMAGE_DIGEST.source.slice(1, -1)})?$` }),
        pullPolicy: { enum: ['Always', 'IfNotPresent', 'Never'] },
      },
      ['repository'],
    ),
    replicaCount: int(0),
    resources,
    autoscaling: obj({
      enabled: bool(),
      minReplicas: int(1),
      maxReplicas: int(1),
      cpuUtilization: int(0),
      memoryUtilization: int(0),
      customMetrics: arr(
        obj(
          {
            name: str({ pattern: '^[a-zA-Z_:][a-zA-Z0-9_:]*$' }),
            type: { enum: ['Pods', 'Object', 'External'] },
            target: quantity,
            targetType: { enum: ['Value', 'AverageValue'] },
            describedObject: obj(
              { apiVersion: str({ minLength: 1 }), kind: str({ minLength: 1 }), name: str({ pattern: DNS_LABEL }) },
              ['apiVersion', 'kind', 'name'],
            ),
            selector: map(str()),
          },
          ['name', 'type', 'target'],
        ),
      ),
      behavior: obj({ scaleUp: scalingRules, scaleDown: scalingRules }),
    }),
    command: arr(str()),
    args: arr(str()),
    env: envMap,
    envFrom,
    ports: obj(
      {
        http: portOrNone,
        protocol,
        servicePort: portOrNone,
        metrics: portOrNone,
        headless: bool(),
        extra: arr(
          obj(
            {
              name: str({ pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', maxLength: 15 }),
              containerPort: port,
              expose: bool(),
              protocol,
            },
            ['name', 'containerPort'],
          ),
        ),
      },
      ['http'],
    ),
    lifecycle,
    initContainers: arr(container),
    volumes: arr(
      obj(
        {
          name: str({ pattern: DNS_LABEL }),
          mountPath: str({ pattern: '^/' }),
          subPath: str(),
          readOnly: bool(),
          emptyDir: obj({ medium: { enum: ['', 'Memory'] }, sizeLimit: { anyOf: [quantity, { type: 'number' }] } }),
          persistentVolumeClaim: obj({ claimName: str({ pattern: DNS_LABEL }), readOnly: bool() }, ['claimName']),
          hostPath: obj({ path: str({ pattern: '^/' }), type: str() }, ['path']),
          secret: obj({ secretName: str({ pattern: DNS_LABEL }), defaultMode: mode }, ['secretName']),
          configMap: obj({ name: str({ pattern: DNS_LABEL }), defaultMode: mode }, ['name']),
        },
        ['name'],
      ),
    ),
    pod: obj({
      hostNetwork: bool(),
      terminationGracePeriodSeconds: int(0),
      imagePullSecrets: arr(obj({ name: str({ pattern: DNS_LABEL }) }, ['name'])),
      tolerations: arr(
        obj({
          key: str(),
          operator: { enum: ['Exists', 'Equal'] },
          value: str(),
          effect: { enum: ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] },
          tolerationSeconds: { type: 'integer' },
        }),
      ),
      affinity: obj({
        nodeAffinity: { type: 'object' },
        podAffinity: { type: 'object' },
        podAntiAffinity: { type: 'object' },
      }),
      topologySpreadConstraints: arr(
        obj(
          {
            maxSkew: int(1),
            topologyKey: str({ minLength: 1 }),
            whenUnsatisfiable: { enum: ['DoNotSchedule', 'ScheduleAnyway'] },
          },
          ['maxSkew', 'topologyKey', 'whenUnsatisfiable'],
        ),
      ),
    }),
    serviceAccount: obj({
      create: bool(),
      name: dnsLabelOrEmpty,
      automountToken: bool(),
      rules: arr(policyRule),
      clusterRules: arr(policyRule),
    }),
    probes: obj({ liveness: probe, readiness: probe, startup: probe }),
    logging: obj({
      enabled: bool(),
      path: str({ pattern: '^(/.*)?$' }),
      image: str({ minLength: 1 }),
      claimName: str({ pattern: `^(${DNS_LABEL.slice(1, -1)})?$` }),
      resources,
    }),
    database: obj({
      secretName: str({ pattern: `^(${DNS_LABEL.slice(1, -1)})?$` }),
      mountPath: str({ pattern: '^(/.*)?$' }),
      envFrom: bool(),
    }),
    secrets: arr(
      obj(
        {
          name: str({ pattern: DNS_LABEL }),
          mountPath: str({ pattern: '^/' }),
          volumeName: str({ pattern: DNS_LABEL }),
        },
        ['name', 'mountPath', 'volumeName'],
      ),
    ),
    configMaps: arr(
      obj(
        {
          name: str({ pattern: DNS_LABEL }),
          mountPath: str({ pattern: '^/' }),
          volumeName: str({ pattern: DNS_LABEL }),
          defaultMode: int(0, 0o777),
          data: map(str()),
        },
        ['name', 'mountPath', 'volumeName'],
      ),
    ),
    gridSecurity: obj({ enabled: bool(), mountPath: str({ pattern: '^/' }) }),
    podSecurityContext: obj({ runAsUser: int(0), runAsGroup: int(0), fsGroup: int(0), runAsNonRoot: bool() }),
    securityContext: obj({ privileged: bool(), allowPrivilegeEscalation: bool(), ...hardening }),
    sidecars: arr(container),
    prometheus: obj({ scrape: bool(), port: portOrNone, path: str({ pattern: '^(/.*)?$' }) }),
    podDisruptionBudget: obj({ enabled: bool(), minAvailable: intOrPercent, maxUnavailable: intOrPercent }),
    nodeSelector: map(str()),
    podLabels: map(str()),
    ingress: obj({
      enabled: bool(),
      className: str(),
      hosts: arr(str({ pattern: '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$' })),
      sourceRanges: arr(str()),
      paths: arr(str({ pattern: '^/' })),
    }),
    networkPolicy: obj({
      enabled: bool(),
      frontend: arr(podSelectorTarget),
      prometheus: podSelectorTarget,
      allowFrom: arr(podSelectorTarget),
    }),
    // Helm gives every dependency a key in the values: `<name>: { global: {} }` for the library.
    [names.library]: {
      description: `Set by helm for the ${names.library} dependency (a library has no values): leave unset.`,
      ...obj({ global: { type: 'object' } }),
    },
  };
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: `Values of a ${names.displayName} service chart generated by chartgen (docs/contracts.md)`,
    ...describe(obj(properties, ['image', 'ports']), ''),
  };
}

/** Adds the VALUE_DOCS descriptions to the properties they document. */
function describe(schema: Schema, prefix: string): Schema {
  const props = schema.properties as Record<string, Schema> | undefined;
  if (!props) return schema;
  const out: Record<string, Schema> = {};
  for (const [k, v] of Object.entries(props)) {
    const path = prefix + k;
    const doc = VALUE_DOCS[path];
    out[k] = describe(doc ? { description: doc, ...v } : v, `${path}.`);
  }
  return { ...schema, properties: out };
}

/**
 * values.schema.json text: one line per value key (each of `properties` holds one value's whole schema),
 * so a diff names the values whose rules changed. Helm resolves a `$ref` only within the file or to an
 * absolute URL (helm v4 compiles the schema as file:///values.schema.json), so every chart carries the
 * whole schema: it cannot point at a shared file in the library chart.
 */
export function formatValuesSchema(schema: Schema): string {
  const entries = (o: Record<string, unknown>, indent: string, expand: (key: string) => boolean): string =>
    Object.entries(o)
      .map(
        ([k, v]) =>
          `${indent}${JSON.stringify(k)}: ${expand(k) && isObject(v) ? `{\n${entries(v, `${indent}  `, () => false)}\n${indent}}` : JSON.stringify(v)}`,
      )
      .join(',\n');
  return `{\n${entries(schema, '  ', (k) => k === 'properties')}\n}\n`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// Valid resources of the core kinds, as a chart would render them. Tests copy and break them.
export function deployment(): Record<string, any> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'dbs', namespace: 'dbs', labels: { app: 'dbs' }, creationTimestamp: null },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'dbs' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } },
      template: {
        metadata: { labels: { app: 'dbs' } },
        spec: {
          containers: [
            {
              name: 'dbs',
              image: 'registry.cern.ch/cmsweb/dbs:v1.2.3',
              imagePullPolicy: 'IfNotPresent',
              ports: [{ containerPort: 8250, name: 'http', protocol: 'TCP' }],
              resources: { requests: { cpu: '500m', memory: '256Mi' }, limits: { cpu: 2, memory: '1Gi' } },
              livenessProbe: { httpGet: { path: '/healthz', port: 'http' }, initialDelaySeconds: 10 },
              readinessProbe: { tcpSocket: { port: 8250 } },
            },
          ],
          securityContext: { runAsNonRoot: true, fsGroup: 2000 },
        },
      },
    },
  };
}

export const CLEAN: Record<string, any>[] = [
  deployment(),
  {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'dbs' },
    spec: { type: 'ClusterIP', selector: { app: 'dbs' }, ports: [{ port: 8250, targetPort: 'http', protocol: 'TCP' }] },
  },
  { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' }, data: { 'config.json': '{}' } },
  {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 's' },
    type: 'Opaque',
    data: { password: 'c2VjcmV0' },
    stringData: { user: 'x' },
  },
  {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'dbs', labels: { 'pod-security.kubernetes.io/enforce': 'baseline' } },
  },
  { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'dbs' }, automountServiceAccountToken: false },
  {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: 'data' },
    spec: {
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: '10Gi' } },
      storageClassName: 'standard',
    },
  },
  {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'dbs' },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'dbs' },
      minReplicas: 1,
      maxReplicas: 5,
      metrics: [
        { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } },
        {
          type: 'Pods',
          pods: { metric: { name: 'http_requests' }, target: { type: 'AverageValue', averageValue: '100' } },
        },
      ],
    },
  },
  {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: 'dbs' },
    spec: { minAvailable: '50%', selector: { matchLabels: { app: 'dbs' } } },
  },
  {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'dbs' },
    spec: {
      podSelector: {},
      policyTypes: ['Ingress'],
      ingress: [
        { from: [{ namespaceSelector: { matchLabels: { a: 'b' } } }], ports: [{ port: 8250, protocol: 'TCP' }] },
      ],
    },
  },
  {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: 'dbs', annotations: { 'nginx.ingress.kubernetes.io/ssl-redirect': 'true' } },
    spec: {
      ingressClassName: 'nginx',
      rules: [
        {
          host: 'cmsweb.cern.ch',
          http: {
            paths: [
              { path: '/dbs', pathType: 'Prefix', backend: { service: { name: 'dbs', port: { number: 8250 } } } },
            ],
          },
        },
      ],
    },
  },
  {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'cleanup' },
    spec: {
      schedule: '0 3 * * *',
      concurrencyPolicy: 'Forbid',
      jobTemplate: {
        spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'c', image: 'busybox' }] } } },
      },
    },
  },
  {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'once' },
    spec: {
      backoffLimit: 2,
      template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox', command: ['true'] }] } },
    },
  },
  {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'db' },
    spec: {
      serviceName: 'db',
      selector: { matchLabels: { app: 'db' } },
      template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'db', image: 'couchdb' }] } },
      volumeClaimTemplates: [
        {
          metadata: { name: 'data' },
          spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
        },
      ],
    },
  },
  {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'agent' },
    spec: {
      selector: { matchLabels: { a: 'b' } },
      template: {
        metadata: { labels: { a: 'b' } },
        spec: {
          containers: [{ name: 'a', image: 'a' }],
          tolerations: [{ operator: 'Exists' }, { key: 'k', operator: '', value: 'v', effect: '' }],
        },
      },
    },
  },
  {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name: 'r' },
    rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] }],
  },
  {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: 'cr' },
    rules: [{ nonResourceURLs: ['/metrics'], verbs: ['get'] }],
  },
  {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: 'rb' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r' },
    subjects: [{ kind: 'ServiceAccount', name: 'dbs', namespace: 'dbs' }],
  },
  {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: 'crb' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cr' },
    subjects: [{ kind: 'Group', name: 'ops', apiGroup: 'rbac.authorization.k8s.io' }],
  },
];

/** A Flux HelmRelease of a chart in a GitRepository; `spec` fields added or replaced. */
export function helmRelease(spec: Record<string, unknown> = {}): Record<string, any> {
  return {
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    kind: 'HelmRelease',
    metadata: { name: 'dbs', namespace: 'dbs' },
    spec: {
      interval: '5m',
      chart: { spec: { chart: './charts/dbs', sourceRef: { kind: 'GitRepository', name: 'cmsweb' } } },
      ...spec,
    },
  };
}

/** A Flux GitRepository; `spec` fields added or replaced. */
export function gitRepository(spec: Record<string, unknown> = {}): Record<string, any> {
  return {
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'GitRepository',
    metadata: { name: 'cmsweb', namespace: 'flux-system' },
    spec: { url: 'https://example.org/repo.git', interval: '1m', ...spec },
  };
}

import type { CheckDefinition } from './check.js';

// The rules of @cmsweb/catalog (schema and cross-entry rules), as the validator reports them; declared as
// every other check of the registry (registry.ts), which lists them after the source checks.
export const CATALOG_CHECKS = [
  {
    id: 'catalog-schema',
    severity: 'error',
    scope: 'catalog',
    description: 'catalog files follow the catalog schema: types, formats, required keys',
    remediation: 'fix the value shown; README "Catalog reference" lists every key',
  },
  {
    id: 'catalog-unknown-key',
    severity: 'error',
    scope: 'catalog',
    description: 'catalog files use only known keys (every object is strict)',
    remediation: 'fix the typo; the message suggests the closest key',
  },
  {
    id: 'catalog-duplicate',
    severity: 'error',
    scope: 'catalog',
    description: 'service, namespace and environment names are unique',
    remediation: 'rename one of the two',
  },
  {
    id: 'catalog-file-name',
    severity: 'error',
    scope: 'catalog',
    description: 'a service lives in catalog/services/<name>.yaml',
    remediation: 'rename the file after the service',
  },
  {
    id: 'catalog-namespace',
    severity: 'error',
    scope: 'catalog',
    description: "a service's namespace is declared in catalog/cluster.yaml",
    remediation: 'declare the namespace or fix the name',
  },
  {
    id: 'catalog-url-prefix',
    severity: 'error',
    scope: 'catalog',
    description: 'each URL prefix is routed to one service',
    remediation: 'remove the prefix from one of the services',
  },
  {
    id: 'catalog-environment',
    severity: 'error',
    scope: 'catalog',
    description: 'per-environment settings name declared environments',
    remediation: 'use dev, preprod or prod (catalog/cluster.yaml environments)',
  },
  {
    id: 'catalog-vm-service',
    severity: 'error',
    scope: 'catalog',
    description: 'a VM-hosted service (vm:) sets no workload keys',
    remediation: 'remove image, ports, resources, ... from the VM service',
  },
  {
    id: 'catalog-ports',
    severity: 'error',
    scope: 'catalog',
    description: 'container ports of a pod differ; probe and metrics ports are ports of the pod',
    remediation: 'use distinct ports; point probes at a declared port',
  },
  {
    id: 'catalog-probe',
    severity: 'error',
    scope: 'catalog',
    description: 'a probe has exactly one of exec, httpGet, tcpSocket',
    remediation: 'keep one handler',
  },
  {
    id: 'catalog-env',
    severity: 'error',
    scope: 'catalog',
    description: 'an environment variable has exactly one source',
    remediation: 'keep one of value, secretKeyRef, configMapKeyRef, fieldRef',
  },
  {
    id: 'catalog-literal-secret',
    severity: 'error',
    scope: 'catalog',
    description: 'no secret value is written into the catalog',
    remediation: 'reference a Secret with secretKeyRef',
  },
  {
    id: 'catalog-metric-query',
    severity: 'error',
    scope: 'catalog',
    description: 'each custom autoscaling metric has a Prometheus Adapter query',
    remediation: 'add query: to the metric',
  },
  {
    id: 'catalog-allow-from',
    severity: 'error',
    scope: 'catalog',
    description:
      'allowFrom names a catalog service running in Kubernetes, or a declared namespace, and the service has ports',
    remediation: 'fix the name (the message suggests the closest) or remove the entry',
  },
  {
    id: 'catalog-metric-object',
    severity: 'error',
    scope: 'catalog',
    description:
      'Object metrics have a describedObject, Pods and External none; selector and namespaced only on External; Pods targets are AverageValue',
    remediation: 'add or remove describedObject',
  },
  {
    id: 'catalog-host-path',
    severity: 'error',
    scope: 'catalog',
    description: 'host paths a service mounts are allowed by catalog/cluster.yaml',
    remediation: 'add the path to allowedHostPaths (platform team) or drop the mount',
  },
  {
    id: 'catalog-workload',
    severity: 'error',
    scope: 'catalog',
    description:
      "a service's kind and its kind's settings agree (cronJob for CronJob, volumeClaimTemplates for StatefulSet, no replicas or autoscaling for DaemonSet/CronJob/Job, urlPrefixes need a port), volumes have one source",
    remediation: 'set kind: or move the setting to the kind it belongs to; the message names the rule',
  },
  {
    id: 'catalog-resources',
    severity: 'error',
    scope: 'catalog',
    description: 'limits are at least requests in every environment',
    remediation: 'raise the limit or lower the request',
  },
  {
    id: 'catalog-autoscaling',
    severity: 'error',
    scope: 'catalog',
    description: 'autoscaling minReplicas <= maxReplicas in every environment',
    remediation: 'fix the bounds',
  },
  {
    id: 'catalog-database-secret',
    severity: 'error',
    scope: 'catalog',
    description: 'non-prod environments do not use the prod database secret',
    remediation: 'give the environment its own databaseSecret',
  },
] as const satisfies readonly CheckDefinition[];

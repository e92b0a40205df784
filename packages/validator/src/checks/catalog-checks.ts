import type { CheckDefinition } from './check.js';

// The rules of @cmsweb/catalog (schema and cross-entry rules), as the validator reports them.
const c = <const I extends string>(id: I, description: string, remediation: string) =>
  ({ id, severity: 'error', scope: 'catalog', description, remediation }) as const satisfies CheckDefinition;

export const CATALOG_CHECKS = [
  c(
    'catalog-schema',
    'catalog files follow the catalog schema: types, formats, required keys',
    'fix the value shown; README "Catalog reference" lists every key',
  ),
  c(
    'catalog-unknown-key',
    'catalog files use only known keys (every object is strict)',
    'fix the typo; the message suggests the closest key',
  ),
  c('catalog-duplicate', 'service, namespace and environment names are unique', 'rename one of the two'),
  c('catalog-file-name', 'a service lives in catalog/services/<name>.yaml', 'rename the file after the service'),
  c(
    'catalog-namespace',
    "a service's namespace is declared in catalog/cluster.yaml",
    'declare the namespace or fix the name',
  ),
  c('catalog-url-prefix', 'each URL prefix is routed to one service', 'remove the prefix from one of the services'),
  c(
    'catalog-environment',
    'per-environment settings name declared environments',
    'use dev, preprod or prod (catalog/cluster.yaml environments)',
  ),
  c(
    'catalog-vm-service',
    'a VM-hosted service (vm:) sets no workload keys',
    'remove image, ports, resources, ... from the VM service',
  ),
  c(
    'catalog-ports',
    'container ports of a pod differ; probe and metrics ports are ports of the pod',
    'use distinct ports; point probes at a declared port',
  ),
  c('catalog-probe', 'a probe has exactly one of exec, httpGet, tcpSocket', 'keep one handler'),
  c(
    'catalog-env',
    'an environment variable has exactly one source',
    'keep one of value, secretKeyRef, configMapKeyRef, fieldRef',
  ),
  c('catalog-literal-secret', 'no secret value is written into the catalog', 'reference a Secret with secretKeyRef'),
  c(
    'catalog-metric-query',
    'each custom autoscaling metric has a Prometheus Adapter query',
    'add query: to the metric',
  ),
  c(
    'catalog-allow-from',
    'allowFrom names a catalog service running in Kubernetes, or a declared namespace, and the service has ports',
    'fix the name (the message suggests the closest) or remove the entry',
  ),
  c(
    'catalog-metric-object',
    'Object metrics have a describedObject, Pods and External none; selector and namespaced only on External; Pods targets are AverageValue',
    'add or remove describedObject',
  ),
  c(
    'catalog-host-path',
    'host paths a service mounts are allowed by catalog/cluster.yaml',
    'add the path to allowedHostPaths (platform team) or drop the mount',
  ),
  c(
    'catalog-workload',
    "a service's kind and its kind's settings agree (cronJob for CronJob, volumeClaimTemplates for StatefulSet, no replicas or autoscaling for DaemonSet/CronJob/Job, urlPrefixes need a port), volumes have one source",
    'set kind: or move the setting to the kind it belongs to; the message names the rule',
  ),
  c('catalog-resources', 'limits are at least requests in every environment', 'raise the limit or lower the request'),
  c('catalog-autoscaling', 'autoscaling minReplicas <= maxReplicas in every environment', 'fix the bounds'),
  c(
    'catalog-database-secret',
    'non-prod environments do not use the prod database secret',
    'give the environment its own databaseSecret',
  ),
] as const;

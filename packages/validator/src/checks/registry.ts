import type { CheckDefinition } from './check.js';
import { CATALOG_CHECKS } from './catalog-checks.js';
import { validateRegistry } from './registry-validation.js';
import { TEMPLATES } from './templates/index.js';

// Every check of the validator, declared as data: id, default severity, what it looks at, what it
// means and how to fix it. Policy checks name a template (src/checks/templates) and its parameters.
// `validator checks` and the README's check table are generated from this list; each entry has
// fixtures under test/fixtures/checks/<id>/ (one that fires, one that passes).

const ALL = [
  // Source checks: YAML files read as text.
  {
    id: 'yaml-syntax',
    severity: 'error',
    scope: 'source',
    description: 'YAML parses: quoting, brackets, indentation of siblings, keys on one line',
    remediation: 'fix the YAML at the position shown; siblings start in the same column',
  },
  {
    id: 'yaml-duplicate-key',
    severity: 'error',
    scope: 'source',
    description: 'no key appears twice in a mapping (most tools silently keep the last one)',
    remediation: 'delete or merge the duplicate key',
  },
  {
    id: 'yaml-tab-indent',
    severity: 'error',
    scope: 'source',
    description: 'indentation uses spaces only (YAML forbids tabs there)',
    remediation: 'replace the tabs with spaces',
  },
  {
    id: 'yaml-alias-bomb',
    severity: 'error',
    scope: 'source',
    description: 'aliases do not expand exponentially ("billion laughs")',
    remediation: 'write the values out instead of nesting aliases',
  },
  {
    id: 'yaml-depth',
    severity: 'error',
    scope: 'source',
    description: 'collections nest at most 128 levels deep (YAML_LIMITS of @cmsweb/yaml; real objects have under 30)',
    remediation: 'flatten the data, or split it into several values',
  },
  {
    id: 'manifest-shape',
    severity: 'error',
    scope: 'source',
    description: 'each document is a Kubernetes object: a mapping with apiVersion, kind and metadata.name',
    remediation: 'add the missing apiVersion, kind or metadata.name',
  },
  // Catalog checks: the rules of @cmsweb/catalog (catalog-checks.ts).
  ...CATALOG_CHECKS,
  // Chart checks: a Helm chart's files and its rendering.
  {
    id: 'yaml-helm-lenient',
    severity: 'warning',
    scope: 'chart',
    description:
      "a chart's values.yaml is valid YAML 1.2, not only accepted by helm's go-yaml (a flow sequence indented like its key, a duplicate key)",
    remediation: "indent the lines inside [ ] or { } past the key's column",
  },
  {
    id: 'chart-yaml',
    severity: 'error',
    scope: 'chart',
    description: 'Chart.yaml parses and has apiVersion v1 or v2, a name and a SemVer version',
    remediation: 'fix Chart.yaml: apiVersion: v2, name: <chart>, version: 1.2.3',
  },
  {
    id: 'chart-values-schema',
    severity: 'error',
    scope: 'chart',
    description: "values.schema.json is a valid JSON Schema and the chart's values.yaml satisfies it",
    remediation: 'fix the schema or the default value it points at',
  },
  {
    id: 'chart-template-parse',
    severity: 'error',
    scope: 'chart',
    description: 'every template parses as a Go template (balanced actions, known functions)',
    remediation: 'close the action or block at the position shown',
  },
  {
    id: 'chart-render',
    severity: 'error',
    scope: 'chart',
    description: 'the chart renders (helm template) with the values of each environment',
    remediation: 'fix the template or the values named in the message',
  },
  // Repository checks: environments, overlays, Argo CD and Flux objects against the catalog.
  {
    id: 'file-refused',
    severity: 'error',
    scope: 'repository',
    description:
      'every file read is a regular UTF-8 file inside the repository: no symlink leaving it, dangling or looping symlink, FIFO, device or directory where a file belongs (its content is never shown)',
    remediation: 'replace the path named with a regular file of the repository',
  },
  {
    id: 'environment-schema',
    severity: 'error',
    scope: 'repository',
    description: 'environments/<env>/environment.yaml follows its schema (name, cluster, promotion, secrets)',
    remediation: 'fix the key shown; see README "environment.yaml"',
  },
  {
    id: 'overlay-schema',
    severity: 'error',
    scope: 'repository',
    description:
      "each overlay environments/<env>/values/<service>.yaml satisfies the chart's values.schema.json (a typo key fails helm template)",
    remediation: 'fix or remove the key shown; allowed keys are listed in the message',
  },
  {
    id: 'overlay-missing',
    severity: 'error',
    scope: 'repository',
    description: 'every Kubernetes service of the catalog has an overlay in every environment',
    remediation: 'run `npx chartgen generate` (it creates missing overlays) and commit the result',
  },
  {
    id: 'overlay-unknown-service',
    severity: 'warning',
    scope: 'repository',
    description: 'every overlay belongs to a Kubernetes service of the catalog',
    remediation: 'delete the overlay of a removed service, or add the service to catalog/services/',
  },
  {
    id: 'app-missing',
    severity: 'error',
    scope: 'repository',
    description: 'every Kubernetes service has a generated Argo CD Application in every environment',
    remediation: 'run `npx chartgen generate` and commit environments/',
  },
  {
    id: 'app-source',
    severity: 'error',
    scope: 'repository',
    description:
      "the Argo CD Application's chart path, value files, release name and namespace exist and match the catalog",
    remediation: 'regenerate with `npx chartgen generate`; never hand-edit generated files',
  },
  {
    id: 'app-values',
    severity: 'error',
    scope: 'repository',
    description:
      "the values an Argo CD Application passes to helm itself (helm.parameters, fileParameters, values, valuesObject) satisfy the chart's values.schema.json",
    remediation: 'fix or remove the parameter or value shown (the message names the schema rule)',
  },
  {
    id: 'helmrelease-source',
    severity: 'error',
    scope: 'repository',
    description:
      "a Flux HelmRelease's chart path, values files and valuesFrom ConfigMaps/Secrets exist in the repository, resolved from the GitRepository root as helm-controller does",
    remediation:
      'regenerate with `npx chartgen generate`, or fix the path shown (values files are relative to the repository root)',
  },
  {
    id: 'argo-flux-parity',
    severity: 'error',
    scope: 'repository',
    description:
      "in each environment, a service's Flux HelmRelease renders the same objects as its Argo CD Application (compared object by object)",
    remediation:
      'make the HelmRelease and the Application pass the same values (regenerate with `npx chartgen generate`)',
  },
  {
    id: 'app-sync-policy',
    severity: 'error',
    scope: 'repository',
    description:
      "each service's Argo CD Application deploys by itself as its environment says (environment.yaml argocd.sync: automated = syncPolicy.automated with prune and selfHeal, manual = none), retries a failed sync, and carries the resources finalizer",
    remediation: 'regenerate with `npx chartgen generate`; set argocd.sync in environments/<env>/environment.yaml',
  },
  {
    id: 'tag-policy',
    severity: 'error',
    scope: 'repository',
    description:
      "each overlay's image.tag matches its environment's promotion.tagPolicy, unless pinned by image.digest where allowed",
    remediation: 'promote a tag that matches the policy (e.g. a -stable tag) or pin image.digest',
  },
  {
    id: 'overlay-image',
    severity: 'error',
    scope: 'repository',
    description:
      'every overlay names what runs: image.tag or image.digest (an emptied overlay silently runs the chart default)',
    remediation: 'set image.tag to the tag that runs in the environment (gitops-sync bump/promote writes it)',
  },
  {
    id: 'overlay-contradicts-catalog',
    severity: 'error',
    scope: 'repository',
    description:
      "an overlay does not override a value the catalog sets for its environment (charts/<service>/values-<env>.yaml): the overlay would win and the catalog's setting never apply",
    remediation: 'change environments.<env> in the catalog and delete the key from the overlay',
  },
  {
    id: 'overlay-replicas-autoscaled',
    severity: 'error',
    scope: 'repository',
    description:
      'an overlay sets no replicaCount while autoscaling is enabled (the HorizontalPodAutoscaler ignores it)',
    remediation: 'delete replicaCount from the overlay, or set autoscaling.minReplicas/maxReplicas in the catalog',
  },
  {
    id: 'environment-leftover',
    severity: 'error',
    scope: 'repository',
    description: 'every environments/<env>/ folder belongs to an environment of catalog/cluster.yaml',
    remediation:
      'delete the folder of a removed environment (chartgen removes its generated files), or declare the environment again',
  },
  {
    id: 'exclusive-secret',
    severity: 'error',
    scope: 'repository',
    description:
      "no environment references a secret exclusive to another one (prod's secrets.exclusive and database.secretName)",
    remediation: 'give the environment its own secret (e.g. <service>-<env>-db)',
  },
  // Object checks: Kubernetes objects, alone or together (schemas, then policy templates).
  {
    id: 'schema-unknown-field',
    severity: 'error',
    scope: 'object',
    description:
      'objects use only fields of the strict Kubernetes (or CRD) schema of the target version (unknown fields are typos or wrong indentation)',
    remediation: 'fix the field name or its indentation; the message suggests the closest field',
  },
  {
    id: 'schema-type',
    severity: 'error',
    scope: 'object',
    description: 'field values have the type the schema expects (string, integer, object, list)',
    remediation: 'write the value with the expected type (quote strings, unquote numbers)',
  },
  {
    id: 'schema-required',
    severity: 'error',
    scope: 'object',
    description: 'required fields are present (e.g. containers[].name, selector)',
    remediation: 'add the missing field',
  },
  {
    id: 'schema-enum',
    severity: 'error',
    scope: 'object',
    description: 'enumerated fields take one of their allowed values (e.g. imagePullPolicy, protocol)',
    remediation: 'use one of the values listed in the message',
  },
  {
    id: 'schema-format',
    severity: 'error',
    scope: 'object',
    description: 'formatted fields are well-formed (quantities such as 500m or 1Gi, int-or-string ports)',
    remediation: 'write the value in the format named in the message',
  },
  {
    id: 'schema-unknown-kind',
    severity: 'warning',
    scope: 'object',
    description: 'a schema is known for the apiVersion and kind (otherwise the object is not validated)',
    remediation: 'check the apiVersion/kind spelling, or pass --schema-location with the CRD schema',
  },
  {
    id: 'schema-unusable',
    severity: 'error',
    scope: 'object',
    description:
      'the schema found for the kind can be used: a --schema-location file that is not JSON, nests too deep or does not compile leaves its objects unvalidated',
    remediation: 'fix the schema file named in the message, or leave out its --schema-location',
  },
  {
    id: 'api-removed',
    severity: 'error',
    scope: 'object',
    description:
      'the apiVersion is served by the target Kubernetes version (e.g. autoscaling/v2beta2 was removed in 1.26)',
    remediation: 'move to the replacement API named in the message',
  },
  {
    id: 'api-deprecated',
    severity: 'warning',
    scope: 'object',
    description: 'the apiVersion is not deprecated in the target Kubernetes version',
    remediation: 'move to the replacement API named in the message before it is removed',
  },
  {
    id: 'duplicate-object',
    severity: 'error',
    scope: 'object',
    template: 'duplicate-object',
    description: 'each object (group, kind, namespace, name) is defined once',
    remediation: 'remove or rename one of the definitions',
  },
  {
    id: 'resources-set',
    severity: 'warning',
    scope: 'object',
    template: 'container-resources',
    params: { resources: ['cpu', 'memory'] },
    description: 'every container sets cpu and memory requests and limits',
    remediation: 'set resources.requests and resources.limits (catalog resources:)',
  },
  {
    id: 'limits-above-requests',
    severity: 'error',
    scope: 'object',
    template: 'limits-above-requests',
    description: 'container limits are at least the requests',
    remediation: 'raise the limit or lower the request',
  },
  {
    id: 'liveness-probe',
    severity: 'warning',
    scope: 'object',
    template: 'container-field-present',
    params: { field: 'livenessProbe', what: 'liveness probe (restarts a hung server)' },
    description: 'long-running containers have a liveness probe',
    remediation: 'add probes.liveness in the catalog',
  },
  {
    id: 'readiness-probe',
    severity: 'warning',
    scope: 'object',
    template: 'container-field-present',
    params: { field: 'readinessProbe', what: 'readiness probe (keeps traffic away until ready)', servingOnly: true },
    description: 'long-running containers that declare ports (receive traffic) have a readiness probe',
    remediation: 'add probes.readiness in the catalog',
  },
  {
    id: 'image-tag',
    severity: 'error',
    scope: 'object',
    template: 'image-tag',
    params: { forbiddenTags: ['latest'] },
    description: 'every image has a tag other than latest, or a digest',
    remediation: 'set image.tag (and image.digest) in the overlay',
  },
  {
    id: 'privileged-container',
    severity: 'error',
    scope: 'object',
    template: 'container-security',
    params: { property: 'privileged' },
    description: 'containers are privileged only where the catalog allows it (securityContext.privileged)',
    remediation: 'drop privileged, or set securityContext.privileged: true in the service catalog entry',
  },
  {
    id: 'run-as-root',
    severity: 'error',
    scope: 'object',
    template: 'container-security',
    params: { property: 'runAsRoot' },
    description: 'containers run as a non-root user unless the catalog allows root (securityContext.runAsUser: 0)',
    remediation: 'set runAsNonRoot: true or a non-zero runAsUser',
  },
  {
    id: 'container-hardening',
    severity: 'warning',
    scope: 'object',
    template: 'container-hardening',
    params: { require: ['seccomp', 'dropAll', 'readOnlyRoot'] },
    description:
      'every container runs with a seccomp profile (RuntimeDefault), all capabilities dropped and a read-only root filesystem',
    remediation:
      'set securityContext.seccompProfile {type: RuntimeDefault}, capabilities {drop: [ALL]} and readOnlyRootFilesystem: true in the catalog (writable paths as emptyDir volumes)',
  },
  {
    id: 'cronjob-schedule',
    severity: 'error',
    scope: 'object',
    template: 'cronjob-schedule',
    description:
      "a CronJob's schedule is a cron expression the API server accepts (5 fields or @daily, ..., no TZ= prefix) and its timeZone an IANA time zone",
    remediation: 'fix cronJob.schedule or cronJob.timeZone in the catalog (e.g. "*/10 * * * *", Europe/Zurich)',
  },
  {
    id: 'host-path',
    severity: 'error',
    scope: 'object',
    template: 'host-path-allowed',
    description: 'hostPath volumes mount only paths of catalog/cluster.yaml allowedHostPaths (/etc/grid-security)',
    remediation: 'use a PersistentVolumeClaim, Secret or ConfigMap instead of the host path',
  },
  {
    id: 'service-selector',
    severity: 'error',
    scope: 'object',
    template: 'selector-matches-pods',
    params: { kinds: ['Service'], selector: ['spec', 'selector'], plainMap: true },
    description: "a Service's selector matches pods of its namespace",
    remediation: 'align the selector with the pod template labels',
  },
  {
    id: 'service-target-port',
    severity: 'error',
    scope: 'object',
    template: 'service-target-port',
    description: "a Service's target ports are container ports (by number or name) of the pods it selects",
    remediation: 'set targetPort to a containerPort of the pods',
  },
  {
    id: 'hpa-target',
    severity: 'error',
    scope: 'object',
    template: 'scale-target-exists',
    description: "a HorizontalPodAutoscaler's scaleTargetRef exists in the same namespace",
    remediation: 'put the autoscaler in the namespace of its workload, or fix scaleTargetRef.name',
  },
  {
    id: 'pdb-target',
    severity: 'error',
    scope: 'object',
    template: 'selector-matches-pods',
    params: { kinds: ['PodDisruptionBudget'], selector: ['spec', 'selector'] },
    description: "a PodDisruptionBudget's selector matches pods of its namespace",
    remediation: 'align the selector with the pod template labels, or move the budget',
  },
  {
    id: 'networkpolicy-target',
    severity: 'error',
    scope: 'object',
    template: 'selector-matches-pods',
    params: { kinds: ['NetworkPolicy'], selector: ['spec', 'podSelector'] },
    description: "a NetworkPolicy's podSelector matches pods of its namespace",
    remediation: 'put the policy in the namespace of the pods it protects',
  },
  {
    id: 'hpa-custom-metric-adapter',
    severity: 'error',
    scope: 'object',
    template: 'hpa-metric-adapter',
    params: { dataKey: 'config\\.yaml$' },
    description:
      'every custom metric of an autoscaler is registered by the Prometheus Adapter for its object: simulates discovery (seriesQuery series → name.matches/as → resources mapped to the described object or the pods, and the namespace) over environments/<env>/cluster/prometheus-adapter.yaml',
    remediation:
      'declare the metric in the catalog (autoscaling.customMetrics[]: query, describedObject, objectLabel) and regenerate; by hand: a rule whose name.as yields the metric and whose resources.overrides map the labels',
  },
  {
    id: 'frontend-url-prefix-unique',
    severity: 'error',
    scope: 'object',
    template: 'frontend-rules-unique',
    params: { dataKey: '^backends-.*\\.txt$' },
    description: 'each URL prefix appears in one frontend rule only',
    remediation: 'route each prefix to one service (catalog urlPrefixes)',
  },
  {
    id: 'frontend-routes',
    severity: 'error',
    scope: 'object',
    template: 'frontend-routes',
    params: { dataKey: '^backends-.*\\.txt$' },
    description:
      "the frontend rules (backends-k8s-<env>.txt) parse as the frontend's cmshosts.pm reads them and route a URL of every catalog prefix (with its query conditions) to that service's hosts in the environment, and an unclaimed URL to the catch-all, first match wins",
    remediation:
      'regenerate (`npx chartgen generate`); fix catalog urlPrefixes, urlQuery, vm.hosts or cluster.yaml frontend.catchAll',
  },
  {
    id: 'networkpolicy-admits-frontend',
    severity: 'error',
    scope: 'object',
    template: 'networkpolicy-admits-frontend',
    description:
      "the NetworkPolicy of a service the frontend routes to admits each of the frontend's peers of its environment (cluster.yaml frontend.podLabels, frontend.peers)",
    remediation: 'add an ingress rule from the frontend namespace and pod labels',
  },
  {
    id: 'ingress-backend',
    severity: 'error',
    scope: 'object',
    template: 'ingress-backend',
    description:
      "an Ingress backend is a Service of the Ingress's namespace and one of its ports (else ingress-nginx answers 503)",
    remediation: 'name a Service of the namespace and one of its ports (catalog: urlPrefixes and ports of the service)',
  },
  {
    id: 'networkpolicy-peer-pods',
    severity: 'error',
    scope: 'object',
    template: 'networkpolicy-peer-pods',
    description:
      'a NetworkPolicy peer selecting pods of a namespace this environment renders selects pods some workload there runs',
    remediation:
      'select labels the intended pods carry (catalog cluster.yaml frontend.podLabels, a service podLabels, or allowFrom)',
  },
  {
    id: 'standard-labels',
    severity: 'warning',
    scope: 'object',
    template: 'required-labels',
    params: { labels: ['app.kubernetes.io/name', 'app.kubernetes.io/instance', 'app.kubernetes.io/managed-by'] },
    description: 'objects carry the standard labels app.kubernetes.io/name, instance and managed-by',
    remediation: 'add the labels (generated charts set them)',
  },
] as const satisfies readonly CheckDefinition[];

/** Every check id: a closed type, so a finding or a lookup cannot name a check that does not exist. */
export type CheckId = (typeof ALL)[number]['id'];

/** The registry, checked when this module loads: unique ids, known templates, valid template parameters. */
export const CHECKS: readonly CheckDefinition<CheckId>[] = validateRegistry(ALL, TEMPLATES);

export const CHECKS_BY_ID: ReadonlyMap<string, CheckDefinition<CheckId>> = new Map(CHECKS.map((c) => [c.id, c]));

export function isCheckId(id: string): id is CheckId {
  return CHECKS_BY_ID.has(id);
}

export function checkDefinition(id: CheckId): CheckDefinition<CheckId> {
  const c = CHECKS_BY_ID.get(id);
  if (!c) throw new Error(`internal: check "${id}" is not in the registry (src/checks/registry.ts)`);
  return c;
}

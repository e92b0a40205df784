import { describe, expect, it } from 'vitest';
import {
  annotationDomain,
  catchAllHosts,
  displayName,
  environmentSettings,
  frontendPeers,
  service as serviceSchema,
} from '../src/index.js';
import { CLUSTER, lines, load, service } from './fixtures.js';

// Every finding the loader can produce, with its exact text and position (file:line:column).
// `service(name, extra)` is five lines; `extra` starts on line 6.

const F = 'catalog/services/httpgo.yaml';
const TOP_KEYS = Object.keys(serviceSchema.shape).join(', ');
const ENV_KEYS = Object.keys(environmentSettings.shape).join(', ');
const BOMB =
  'description: &a [x, x, x, x, x, x, x, x, x]\nargs: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\ncommand: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nenv: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n';

interface Case {
  name: string;
  /** The text of catalog/services/httpgo.yaml, or several files by path. */
  text?: string;
  files?: Record<string, string>;
  cluster?: string;
  /** All findings, exactly. */
  expected: string[];
}

const schemaCases: Case[] = [
  {
    name: 'unknown top-level key, with "did you mean"',
    text: service('httpgo', 'replicaz: 2\n'),
    expected: [
      `${F}:6:1 catalog-unknown-key unknown key "replicaz" in the top level (did you mean "replicas"?); allowed keys: ${TOP_KEYS}`,
    ],
  },
  {
    name: 'unknown key inside an environment',
    text: service('httpgo', 'environments:\n  prod: { replicaz: 3 }\n'),
    expected: [
      `${F}:7:11 catalog-unknown-key unknown key "replicaz" in environments.prod (did you mean "replicas"?); allowed keys: ${ENV_KEYS}`,
    ],
  },
  {
    name: 'unknown key inside a list item',
    text: service('httpgo', 'sidecars:\n  - { name: exp, image: exporter, portz: [] }\n'),
    expected: [
      `${F}:7:35 catalog-unknown-key unknown key "portz" in sidecars[0] (did you mean "ports"?); allowed keys: name, image, imagePullPolicy, command, args, env, envFrom, ports, resources, volumeMounts, probes, securityContext, lifecycle`,
    ],
  },
  {
    name: 'wrong type',
    text: service('httpgo', 'replicas: two\n'),
    expected: [`${F}:6:1 catalog-schema replicas: expected number, got string "two"`],
  },
  {
    name: 'empty value where a number is expected',
    text: service('httpgo', 'replicas:\n'),
    expected: [`${F}:6:1 catalog-schema replicas: expected number, got null`],
  },
  {
    name: 'value outside an enum',
    text: service('httpgo').replace(
      'image: { repository: registry.cern.ch/cmsweb/httpgo }',
      'image: { repository: registry.cern.ch/cmsweb/httpgo, pullPolicy: always }',
    ),
    expected: [
      `${F}:4:54 catalog-schema image.pullPolicy: expected one of "Always", "IfNotPresent", "Never", got string "always"`,
    ],
  },
  {
    name: 'value matching no alternative of a union names each alternative',
    text: service('httpgo', 'probes:\n  liveness:\n    tcpSocket: { port: true }\n'),
    expected: [`${F}:8:18 catalog-schema probes.liveness.tcpSocket.port: expected number or string, got boolean true`],
  },
  {
    name: 'bad quantity',
    text: service('httpgo', 'resources:\n  requests: { cpu: 2 cores }\n'),
    expected: [
      `${F}:7:15 catalog-schema resources.requests.cpu: expected a Kubernetes quantity such as 500m, 256Mi or 2Gi, got string "2 cores"`,
    ],
  },
  {
    name: 'missing required key at the top level',
    text: service('httpgo').replace('name: httpgo\n', ''),
    expected: [`${F}:1:1 catalog-schema missing required key "name" in the top level: expected string`],
  },
  {
    name: 'missing required key in a nested mapping points at the mapping',
    text: service('httpgo').replace(
      'image: { repository: registry.cern.ch/cmsweb/httpgo }',
      'image: { initialTag: v1.2.3 }',
    ),
    expected: [`${F}:4:1 catalog-schema missing required key "repository" in image: expected string`],
  },
  {
    name: 'a Kubernetes service without image (ports are optional: a worker has none)',
    text: 'name: httpgo\nnamespace: http\n',
    expected: [
      `${F}:1:1 catalog-schema missing required key "image" (a Kubernetes service needs image.repository; set vm: for a VM-hosted one)`,
    ],
  },
  {
    name: 'service name that is no DNS label',
    files: { 'catalog/services/HttpGo.yaml': service('HttpGo') },
    expected: [
      'catalog/services/HttpGo.yaml:1:1 catalog-schema name: expected a lowercase DNS-1123 label (a-z, 0-9, "-"), got string "HttpGo"',
      'catalog/services/HttpGo.yaml:4:10 catalog-schema image.repository: expected an image repository without tag, lowercase, no spaces, such as registry.cern.ch/cmsweb/dbs, got string "registry.cern.ch/cmsweb/HttpGo"',
    ],
  },
  {
    name: 'service name longer than a Helm release name',
    files: { [`catalog/services/${'a'.repeat(54)}.yaml`]: service('a'.repeat(54)) },
    expected: [
      `catalog/services/${'a'.repeat(54)}.yaml:1:1 catalog-schema name: expected at most 53 characters (Helm release name limit), got string "${'a'.repeat(54)}"`,
    ],
  },
  {
    name: 'environment key that is no environment name',
    text: service('httpgo', 'environments:\n  Prod: { replicas: 2 }\n'),
    expected: [
      `${F}:7:3 catalog-schema environments: key "Prod" is not allowed: expected an environment name such as dev, preprod or prod`,
    ],
  },
  {
    name: 'empty file',
    text: '',
    expected: [`${F}:1:1 catalog-schema expected exactly one YAML document, found 0`],
  },
  {
    name: 'two documents in one file',
    text: `${service('httpgo')}---\n${service('httpgo')}`,
    expected: [`${F}:1:1 catalog-schema expected exactly one YAML document, found 2`],
  },
  {
    name: 'a list instead of a mapping',
    text: '- httpgo\n',
    expected: [`${F}:1:1 catalog-schema the top level: expected object, got a list`],
  },
];

const ruleCases: Case[] = [
  {
    name: 'unknown namespace',
    text: service('httpgo', '', { namespace: 'htp' }),
    expected: [
      `${F}:2:1 catalog-namespace namespace "htp" is not declared in catalog/cluster.yaml (declared: dbs, http)`,
    ],
  },
  {
    name: 'metrics port equal to the http port',
    text: service('httpgo').replace('ports: { http: 8888 }', 'ports: { http: 8888, metrics: 8888 }'),
    expected: [`${F}:5:22 catalog-ports port 8888 is already used by ports.http; container ports of a pod must differ`],
  },
  {
    name: 'sidecar port equal to the http port',
    text: service(
      'httpgo',
      'sidecars:\n  - name: exporter\n    image: exporter\n    ports: [{ name: mon, containerPort: 8888 }]\n',
    ),
    expected: [`${F}:9:26 catalog-ports port 8888 is already used by ports.http; container ports of a pod must differ`],
  },
  {
    name: 'probe port that is not a port of the pod',
    text: service('httpgo', 'probes:\n  liveness:\n    httpGet: { path: /healthz, port: 9999 }\n'),
    expected: [`${F}:8:32 catalog-ports liveness probe port 9999 is not a port of the pod (known: 8888)`],
  },
  {
    name: 'prometheus port that is not a port of the pod',
    text: service('httpgo', 'prometheus: { scrape: true, port: 18888 }\n'),
    expected: [`${F}:6:29 catalog-ports prometheus.port 18888 is not a port of the pod (known: 8888)`],
  },
  {
    name: 'probe with two handlers',
    text: service(
      'httpgo',
      'probes:\n  liveness:\n    httpGet: { path: /healthz, port: 8888 }\n    tcpSocket: { port: 8888 }\n',
    ),
    expected: [
      `${F}:7:3 catalog-probe liveness probe needs exactly one of exec, httpGet, tcpSocket (has httpGet, tcpSocket)`,
    ],
  },
  {
    name: 'HPA min > max, once for all environments',
    text: service('httpgo', 'autoscaling:\n  minReplicas: 5\n  maxReplicas: 3\n'),
    expected: [
      `${F}:7:3 catalog-autoscaling dev, preprod, prod: autoscaling minReplicas 5 is greater than maxReplicas 3; expected min <= max`,
    ],
  },
  {
    name: 'HPA min > max in one environment points at the override',
    text: service(
      'httpgo',
      'autoscaling: { minReplicas: 1, maxReplicas: 3 }\nenvironments:\n  prod: { autoscaling: { minReplicas: 5 } }\n',
    ),
    expected: [
      `${F}:8:26 catalog-autoscaling prod: autoscaling minReplicas 5 is greater than maxReplicas 3; expected min <= max`,
    ],
  },
  {
    name: 'limits below requests',
    text: service('httpgo', 'resources:\n  requests: { memory: 2Gi }\n  limits: { memory: 1Gi }\n'),
    expected: [
      `${F}:8:13 catalog-resources dev, preprod, prod: limits.memory 1Gi is below requests.memory 2Gi; limits must be >= requests`,
    ],
  },
  {
    name: 'an environment limit below the cluster default request',
    text: service('httpgo', 'environments:\n  prod:\n    resources:\n      limits: { cpu: 50m }\n'),
    expected: [
      `${F}:9:17 catalog-resources prod: limits.cpu 50m is below requests.cpu 100m; limits must be >= requests`,
    ],
  },
  {
    name: 'custom metric without adapter query',
    text: service(
      'httpgo',
      'autoscaling:\n  minReplicas: 1\n  maxReplicas: 3\n  customMetrics:\n    - { name: http_requests_per_second, type: Pods, target: 10 }\n',
    ),
    expected: [
      `${F}:10:9 catalog-metric-query custom metric "http_requests_per_second" has no adapter query; the Prometheus Adapter cannot serve it without query:`,
    ],
  },
  {
    name: 'custom metric without adapter query in an environment',
    text: service(
      'httpgo',
      'environments:\n  prod:\n    autoscaling:\n      customMetrics:\n        - { name: http_rps, type: Pods, target: "10" }\n',
    ),
    expected: [
      `${F}:10:13 catalog-metric-query custom metric "http_rps" has no adapter query; the Prometheus Adapter cannot serve it without query:`,
    ],
  },
  {
    name: 'Object metric without describedObject',
    text: service(
      'httpgo',
      'autoscaling:\n  minReplicas: 1\n  maxReplicas: 3\n  customMetrics:\n    - name: myapphttp_load1\n      type: Object\n      target: 250m\n      query: max(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)\n',
    ),
    expected: [
      `${F}:11:7 catalog-metric-object Object metric "myapphttp_load1" needs describedObject: {apiVersion, kind, name}`,
    ],
  },
  {
    name: 'literal secret value, by variable name',
    text: service('httpgo', 'env:\n  - { name: DB_PASSWORD, value: hunter2 }\n'),
    expected: [
      `${F}:7:26 catalog-literal-secret env DB_PASSWORD has a literal value that looks like a secret; secrets never enter the repository: use secretKeyRef: {name: <secret>, key: <key>}`,
    ],
  },
  {
    name: 'literal secret value, by its shape, in an environment',
    text: service(
      'httpgo',
      'environments:\n  prod:\n    env:\n      - { name: SETTINGS, value: "dGhpcyBpcyBub3QgYSByZWFsIHNlY3JldCBidXQgbG9va3MgbGlrZSBvbmU=" }\n',
    ),
    expected: [
      `${F}:9:27 catalog-literal-secret env SETTINGS has a literal value that looks like a secret; secrets never enter the repository: use secretKeyRef: {name: <secret>, key: <key>}`,
    ],
  },
  {
    name: 'env var with two sources',
    text: service('httpgo', 'env:\n  - { name: MY_POD_NAME, value: x, fieldRef: metadata.name }\n'),
    expected: [`${F}:7:5 catalog-env env MY_POD_NAME has value and fieldRef; expected exactly one source`],
  },
  {
    name: 'prod and preprod sharing a database secret',
    text: service(
      'httpgo',
      'environments:\n  preprod: { databaseSecret: httpgo-db }\n  prod: { databaseSecret: httpgo-db }\n',
    ),
    expected: [
      `${F}:7:14 catalog-database-secret preprod uses the database account secret "httpgo-db" of production environment prod; give preprod its own (environments.preprod.databaseSecret)`,
    ],
  },
  {
    name: 'one database secret for all environments',
    text: service('httpgo', 'databaseSecret: httpgo-db\n'),
    expected: [
      `${F}:6:1 catalog-database-secret dev uses the database account secret "httpgo-db" of production environment prod; give dev its own (environments.dev.databaseSecret)`,
      `${F}:6:1 catalog-database-secret preprod uses the database account secret "httpgo-db" of production environment prod; give preprod its own (environments.preprod.databaseSecret)`,
    ],
  },
  {
    name: 'production is a property: with four environments, live (production: true) owns its account, prod (a name only) does not',
    cluster: CLUSTER.replace(
      /environments:\n(  - .*\n)+/,
      'environments:\n  - { name: dev, cluster: c1 }\n  - { name: test, cluster: c2 }\n  - { name: prod, cluster: c3 }\n  - { name: live, cluster: c4, production: true }\n',
    ),
    text: service(
      'httpgo',
      'environments:\n  prod: { databaseSecret: httpgo-db }\n  live: { databaseSecret: httpgo-db }\n  test: { databaseSecret: httpgo-test-db }\n',
    ),
    expected: [
      `${F}:7:11 catalog-database-secret prod uses the database account secret "httpgo-db" of production environment live; give prod its own (environments.prod.databaseSecret)`,
    ],
  },
  {
    name: 'VM-hosted service with workload fields',
    files: {
      'catalog/services/couchdb.yaml':
        'name: couchdb\nnamespace: http\nvm: { hosts: [vocms0132.cern.ch], affinity: true }\nurlPrefixes: [/couchdb/wmstats]\nreplicas: 2\nimage: { repository: registry.cern.ch/cmsweb/couchdb }\n',
    },
    expected: [
      'catalog/services/couchdb.yaml:6:1 catalog-vm-service "image" has no meaning for a VM-hosted service (vm: is set): the service has no chart',
      'catalog/services/couchdb.yaml:5:1 catalog-vm-service "replicas" has no meaning for a VM-hosted service (vm: is set): the service has no chart',
    ],
  },
  {
    name: 'VM hosts per environment: every environment needs its hosts, only declared environments',
    files: {
      'catalog/services/couchdb.yaml':
        'name: couchdb\nnamespace: http\nvm:\n  hosts:\n    dev: [vocms0745.cern.ch]\n    prdo: [vocms0842.cern.ch]\nurlPrefixes: [/couchdb/wmstats]\n',
    },
    expected: [
      'catalog/services/couchdb.yaml:6:5 catalog-environment environment "prdo" is not declared in catalog/cluster.yaml (declared: dev, preprod, prod)',
      'catalog/services/couchdb.yaml:4:3 catalog-vm-service vm.hosts has no hosts for environment(s) preprod, prod: with hosts per environment every environment of catalog/cluster.yaml needs its list (or give one list for all)',
    ],
  },
  {
    name: 'query conditions: a prefix is claimed once per query; urlQuery needs urlPrefixes',
    files: {
      'catalog/services/ms-a.yaml': service('ms-a', '', { prefix: '/ms-unmerged' }),
      'catalog/services/ms-b.yaml': service('ms-b', 'urlQuery: { rse_type: t2t3 }\n', { prefix: '/ms-unmerged' }),
      'catalog/services/ms-c.yaml': service('ms-c', 'urlQuery: { rse_type: t2t3 }\n', { prefix: '/ms-unmerged' }),
      'catalog/services/ms-d.yaml': 'name: ms-d\nnamespace: http\nvm: { hosts: [h.example.org] }\nurlQuery: { a: b }\n',
    },
    expected: [
      'catalog/services/ms-c.yaml:3:15 catalog-url-prefix URL prefix "/ms-unmerged" with query rse_type=t2t3 is already routed to service "ms-b"; the frontend needs each prefix once (give one of them urlQuery to split it by query string)',
      'catalog/services/ms-d.yaml:4:1 catalog-url-prefix urlQuery applies to the urlPrefixes of the service, and it has none: add urlPrefixes or remove urlQuery',
    ],
  },
  {
    name: 'prefixes per environment: one owner per environment, only declared environments',
    files: {
      'catalog/services/dqm-vm.yaml':
        'name: dqm-vm\nnamespace: http\nvm: { hosts: [vocms0731.cern.ch] }\nurlPrefixes:\n- {path: /dqm/t, environments: [prod]}\n- {path: /dqm/u, environments: [prdo]}\n',
      'catalog/services/dqm-k8s.yaml':
        'name: dqm-k8s\nnamespace: http\nvm: { hosts: [h.example.org] }\nurlPrefixes:\n- {path: /dqm/t, environments: [preprod]}\n',
      'catalog/services/dqm-wide.yaml':
        'name: dqm-wide\nnamespace: http\nvm: { hosts: [h.example.org] }\nurlPrefixes: [/dqm/t]\n',
    },
    expected: [
      'catalog/services/dqm-vm.yaml:6:33 catalog-environment environment "prdo" is not declared in catalog/cluster.yaml (declared: dev, preprod, prod)',
      'catalog/services/dqm-wide.yaml:4:15 catalog-url-prefix URL prefix "/dqm/t" is already routed to service "dqm-k8s" in preprod; the frontend needs each prefix once per environment (give one of them urlQuery to split it by query string, or limit each to its environments: { path, environments: [...] })',
    ],
  },
  {
    name: 'environment not declared in the cluster file',
    text: service('httpgo', 'environments:\n  staging: { replicas: 2 }\n'),
    expected: [
      `${F}:7:3 catalog-environment environment "staging" is not declared in catalog/cluster.yaml (declared: dev, preprod, prod)`,
    ],
  },
  {
    name: 'file name not matching the service name',
    files: { 'catalog/services/httpgo-server.yaml': service('httpgo') },
    expected: [
      'catalog/services/httpgo-server.yaml:1:1 catalog-file-name service "httpgo" must live in a file named httpgo.yaml, one file per service',
    ],
  },
  {
    name: 'grid-security mount not allowed by the cluster',
    text: service('httpgo', 'gridSecurity: { mountPath: /etc/grid-security }\n'),
    cluster: CLUSTER.replace('allowedHostPaths: [/etc/grid-security]', 'allowedHostPaths: []'),
    expected: [`${F}:6:1 catalog-host-path /etc/grid-security is not in allowedHostPaths of catalog/cluster.yaml`],
  },
  {
    name: 'logging asked for where the cluster has no logging feature',
    text: service('httpgo', 'logging: { path: /data/logs }\n'),
    cluster: CLUSTER.replace(/^logging: .*\n/m, ''),
    expected: [
      `${F}:6:1 catalog-feature logging needs the cluster's logging feature (image, claimName), which catalog/cluster.yaml does not declare: add logging to catalog/cluster.yaml or remove logging here`,
    ],
  },
  {
    name: 'duplicate service names in two files',
    files: { 'catalog/services/httpgo.yaml': service('httpgo'), 'catalog/extra/httpgo.yaml': service('httpgo') },
    expected: [
      `${F}:1:1 catalog-duplicate service name "httpgo" is already used by catalog/extra/httpgo.yaml; service names must be unique`,
    ],
  },
  {
    name: 'duplicate URL prefixes (a trailing slash does not make a prefix different)',
    files: {
      'catalog/services/dbs-global-r.yaml': service('dbs-global-r', '', {
        prefix: '/dbs/prod/global/DBSReader/',
        namespace: 'dbs',
      }),
      'catalog/services/dbs2go-global-r.yaml': service('dbs2go-global-r', '', {
        prefix: '/dbs/prod/global/DBSReader',
        namespace: 'dbs',
      }),
    },
    expected: [
      'catalog/services/dbs2go-global-r.yaml:3:15 catalog-url-prefix URL prefix "/dbs/prod/global/DBSReader" is already routed to service "dbs-global-r"; the frontend needs each prefix once (give one of them urlQuery to split it by query string)',
    ],
  },
  {
    name: 'HPA behavior outside the limits of the API server',
    text: service(
      'httpgo',
      'autoscaling:\n  minReplicas: 1\n  maxReplicas: 3\n  behavior:\n    scaleDown:\n      stabilizationWindowSeconds: 7200\n      policies: [{ type: Pods, value: 0, periodSeconds: 3600 }]\n',
    ),
    expected: [
      `${F}:11:7 catalog-schema autoscaling.behavior.scaleDown.stabilizationWindowSeconds: expected a value <= 3600, got number 7200`,
      `${F}:12:32 catalog-schema autoscaling.behavior.scaleDown.policies[0].value: expected a value >= 1, got number 0`,
      `${F}:12:42 catalog-schema autoscaling.behavior.scaleDown.policies[0].periodSeconds: expected a value <= 1800, got number 3600`,
    ],
  },
  {
    name: 'HPA behavior with an empty policy list (the API server refuses it) and an unknown selectPolicy',
    text: service(
      'httpgo',
      'autoscaling:\n  minReplicas: 1\n  maxReplicas: 3\n  behavior:\n    scaleUp: { policies: [], selectPolicy: Maximum }\n',
    ),
    expected: [
      `${F}:10:30 catalog-schema autoscaling.behavior.scaleUp.selectPolicy: expected one of "Max", "Min", "Disabled", got string "Maximum"`,
      `${F}:10:16 catalog-schema autoscaling.behavior.scaleUp.policies: expected at least 1 item(s), got a list`,
    ],
  },
  {
    name: 'metric fields that belong to another metric type',
    text: service(
      'httpgo',
      'autoscaling:\n  minReplicas: 1\n  maxReplicas: 3\n  customMetrics:\n    - { name: q, type: External, target: 1, query: x, describedObject: { apiVersion: v1, kind: Service, name: q } }\n    - { name: p, type: Pods, target: 1, query: x, targetType: Value, selector: { a: b }, namespaced: false }\n',
    ),
    expected: [
      `${F}:10:55 catalog-metric-object External metric "q" takes no describedObject (only Object metrics do)`,
      `${F}:11:51 catalog-metric-object Pods metric "p" is always an AverageValue per pod (the API server refuses type Value): remove targetType`,
      `${F}:11:70 catalog-metric-object selector applies to External metrics only, and "p" is a Pods metric`,
      `${F}:11:90 catalog-metric-object namespaced applies to External metrics only, and "p" is a Pods metric`,
    ],
  },
  {
    name: 'allowFrom naming an unknown service, a VM service, an unknown namespace, or both',
    files: {
      [F]: service(
        'httpgo',
        'allowFrom:\n  - service: reqmgr\n  - { service: httpgo, namespace: http }\n  - namespace: monitorin\n  - { service: vmsvc, podLabels: { a: b } }\n',
      ),
      'catalog/services/reqmgr2.yaml': service('reqmgr2', '', { prefix: '/reqmgr2' }),
      'catalog/services/vmsvc.yaml':
        'name: vmsvc\nnamespace: http\nvm: { hosts: { prod: [a.example.org], preprod: [b.example.org], dev: [c.example.org] } }\nurlPrefixes: [/vm]\n',
    },
    expected: [
      `${F}:7:5 catalog-allow-from no service "reqmgr" in the catalog (did you mean "reqmgr2"?)`,
      `${F}:8:5 catalog-allow-from an allowFrom entry needs exactly one of service: <catalog service> or namespace: <namespace>`,
      `${F}:9:5 catalog-allow-from namespace "monitorin" is not declared in catalog/cluster.yaml (did you mean "http"?)`,
      `${F}:10:23 catalog-allow-from podLabels go with namespace:; a service entry selects that service's own pods`,
      `${F}:10:7 catalog-allow-from service "vmsvc" runs on VMs outside the cluster: a NetworkPolicy selects pods, so it cannot admit it`,
    ],
  },
  {
    name: 'pod labels the chart owns, and frontend peers of an undeclared environment',
    text: service('httpgo', 'podLabels: { app.kubernetes.io/name: web, app: httpgo }\n'),
    cluster: CLUSTER.replace(
      'rulePrefix: ^/auth/complete }',
      'rulePrefix: ^/auth/complete, peers: { production: [{ namespace: kube-system, podLabels: { app: ingress } }] } }',
    ),
    expected: [
      'catalog/cluster.yaml:12:98 catalog-environment environment "production" is not declared in environments (declared: dev, preprod, prod)',
      `${F}:6:14 catalog-workload pod label app.kubernetes.io/name is set by the chart (standard labels and the selector): choose a key of your own, e.g. app or <your-domain>/role`,
    ],
  },
  {
    name: 'cluster file errors',
    text: service('httpgo'),
    cluster: CLUSTER.replace('registry: registry.cern.ch/cmsweb', 'registyr: registry.cern.ch/cmsweb'),
    expected: [
      'catalog/cluster.yaml:1:1 catalog-schema missing required key "registry" in the top level: expected string',
      'catalog/cluster.yaml:3:1 catalog-unknown-key unknown key "registyr" in the top level (did you mean "registry"?); allowed keys: name, displayName, annotationDomain, kubernetesVersion, registry, git, environments, namespaces, frontend, prometheus, ingress, logging, allowedHostPaths, defaults',
    ],
  },
  {
    name: 'a VM-hosted service where the cluster has no frontend',
    text: 'name: httpgo\nnamespace: http\nurlPrefixes: [/httpgo]\nvm: { hosts: [vocms0132.cern.ch] }\n',
    cluster: CLUSTER.replace(/^frontend: .*\n/m, ''),
    expected: [
      `${F}:4:1 catalog-feature a VM-hosted service is reached only through the frontend, which catalog/cluster.yaml does not declare: add frontend to catalog/cluster.yaml or remove this service`,
    ],
  },
  {
    name: 'annotation domain that is not a DNS domain',
    text: service('httpgo'),
    cluster: `name: cmsweb\ndisplayName: Web Shop\nannotationDomain: Shop_Example.com\n${CLUSTER.slice('name: cmsweb\n'.length)}`,
    expected: [
      'catalog/cluster.yaml:3:1 catalog-schema annotationDomain: expected a DNS domain such as shop.example.com (lowercase, dots between labels), got string "Shop_Example.com"',
    ],
  },
  {
    name: 'namespace declared twice in the cluster file',
    text: service('httpgo'),
    cluster: CLUSTER.replace('  - { name: dbs, team: dbs }', '  - { name: http, team: dbs }'),
    expected: ['catalog/cluster.yaml:11:7 catalog-duplicate namespace "http" is declared twice'],
  },
];

function run(c: Case) {
  const r = load(c.files ?? { [F]: c.text ?? '' }, c.cluster);
  expect(lines(r.findings)).toEqual(c.expected);
  expect(r.catalog).toBeUndefined();
}

describe('catalog schema findings', () => {
  for (const c of schemaCases) it(c.name, () => run(c));
});

describe('catalog rule findings', () => {
  for (const c of ruleCases) it(c.name, () => run(c));
});

// frontend and logging are optional features: a cluster without them loads, and so do its services that do
// not ask for logging; the names default from the cluster's name.
describe('optional cluster features', () => {
  it('a cluster with no frontend and no logging loads, with default annotation domain and display name', () => {
    const bare = CLUSTER.replace(/^(frontend|logging): .*\n/gm, '').replace('name: cmsweb', 'name: webshop');
    expect(bare).not.toMatch(/^(frontend|logging):/m);
    const r = load({ [F]: service('httpgo') }, bare);
    expect(lines(r.findings)).toEqual([]);
    const cluster = r.catalog!.cluster;
    expect(cluster.frontend).toBeUndefined();
    expect(annotationDomain(cluster)).toBe('webshop.internal');
    expect(displayName(cluster)).toBe('webshop');
    expect(frontendPeers(cluster, 'prod')).toEqual([]);
    expect(catchAllHosts(cluster, 'prod')).toBeUndefined();
  });
  it('annotationDomain and displayName, when set, are used', () => {
    const named = `${CLUSTER}annotationDomain: shop.example.com\ndisplayName: Web Shop\n`;
    const cluster = load({ [F]: service('httpgo') }, named).catalog!.cluster;
    expect([annotationDomain(cluster), displayName(cluster)]).toEqual(['shop.example.com', 'Web Shop']);
  });
});

// YAML faults come from @cmsweb/yaml; the catalog must pass them on with the file's path and stop there.
describe('YAML faults in catalog files', () => {
  const yamlCases: Array<{ name: string; extra: string; expected: string }> = [
    {
      name: 'tab indentation',
      extra: 'resources:\n\trequests: {}\n',
      expected: `${F}:7:1 yaml-tab-indent tab character used for indentation (indent with spaces, YAML does not allow tabs)`,
    },
    {
      name: 'bad indentation',
      extra: 'resources:\n  requests:\n    cpu: 1\n   memory: 1Gi\n',
      expected: `${F}:9:4 yaml-syntax All mapping items must start at the same column (check the indentation: siblings must start in the same column)`,
    },
    {
      name: 'duplicate key',
      extra: 'replicas: 1\nreplicas: 2\n',
      expected: `${F}:7:1 yaml-duplicate-key duplicate key "replicas" (each key may appear once per mapping; a duplicate silently replaces the first value in most tools)`,
    },
    {
      name: 'unterminated string',
      extra: 'description: "DBS reader\n',
      expected: `${F}:6:14 yaml-syntax Missing closing "quote (a quote or bracket is not closed)`,
    },
    {
      name: 'alias bomb',
      extra: BOMB,
      expected: `${F}:7:11 yaml-alias-bomb aliases expand too often (a "billion laughs" document: an anchor used N times whose value holds M aliases counts N × M, and the limit is 100): write the values out instead of nesting aliases`,
    },
  ];
  for (const c of yamlCases) {
    it(c.name, () => {
      const r = load({ [F]: service('httpgo', c.extra) });
      expect(lines(r.findings)).toContain(c.expected);
      // A file that does not parse is not checked further: no schema findings on top of the YAML fault.
      expect(r.findings.every((f) => f.check.startsWith('yaml-'))).toBe(true);
      expect(r.catalog).toBeUndefined();
    });
  }
});

describe('several files', () => {
  it('reports every error in every file at once, in file order', () => {
    const r = load({
      'catalog/services/cmskv.yaml': service('cmskv', 'replicaz: 3\n'),
      'catalog/services/das-server.yaml': service('das-server', '', { namespace: 'das' }),
      'catalog/services/exitcodes.yaml': service('exitcodes', 'replicas: 1\nreplicas: 2\n'),
      'catalog/services/httpgo.yaml': service('httpgo'),
    });
    expect(lines(r.findings)).toEqual([
      `catalog/services/cmskv.yaml:6:1 catalog-unknown-key unknown key "replicaz" in the top level (did you mean "replicas"?); allowed keys: ${TOP_KEYS}`,
      'catalog/services/exitcodes.yaml:7:1 yaml-duplicate-key duplicate key "replicas" (each key may appear once per mapping; a duplicate silently replaces the first value in most tools)',
      'catalog/services/das-server.yaml:2:1 catalog-namespace namespace "das" is not declared in catalog/cluster.yaml (declared: dbs, http)',
    ]);
    expect(r.catalog).toBeUndefined();
  });

  it('returns the catalog, sorted by name, when nothing is wrong', () => {
    const r = load({
      'catalog/services/httpgo.yaml': service('httpgo'),
      'catalog/services/exitcodes.yaml': service('exitcodes', '', { port: 9201 }),
      'catalog/services/couchdb.yaml':
        'name: couchdb\nnamespace: http\nvm: { hosts: [vocms0132.cern.ch] }\nurlPrefixes: [/couchdb/wmstats]\n',
    });
    expect(r.findings).toEqual([]);
    expect(r.catalog?.services.map((s) => s.name)).toEqual(['couchdb', 'exitcodes', 'httpgo']);
    expect(r.catalog?.serviceFiles.exitcodes).toBe('catalog/services/exitcodes.yaml');
    expect(r.catalog?.clusterFile).toBe('catalog/cluster.yaml');
  });
});

describe('production is a property of an environment', () => {
  it('with no environment marked production: true, no database account is production-only', () => {
    const r = load(
      { [F]: service('httpgo', 'databaseSecret: httpgo-db\n') },
      CLUSTER.replace('production: true', 'production: false'),
    );
    expect(lines(r.findings)).toEqual([]);
    expect(r.catalog?.cluster.environments.map((e) => [e.name, e.production ?? false])).toEqual([
      ['dev', false],
      ['preprod', false],
      ['prod', false],
    ]);
  });
});

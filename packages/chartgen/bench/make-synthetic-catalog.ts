// Writes a synthetic catalog of N services (catalog/cluster.yaml + catalog/services/*.yaml) into a
// directory, for benchmarks: `npx tsx packages/chartgen/bench/make-synthetic-catalog.ts 1000 /tmp/cat`.
// The services mix the features real ones use (HPA with custom metrics, logging, sidecars, secrets,
// per-environment overrides, VM hosts) so that generation does representative work.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { stringifyYaml } from '@cmsweb/yaml';

const NAMESPACES = ['dbs', 'dmwm', 'crab', 'das', 'dqm', 'http', 'tzero', 'wma'];

export function syntheticCluster(): object {
  return {
    name: 'synthetic',
    kubernetesVersion: '1.33',
    registry: 'registry.cern.ch/cmsweb',
    git: { repoURL: 'https://github.com/dmwm/cmsweb-gitops.git', branch: 'main' },
    environments: [
      { name: 'dev', cluster: 'cmsweb-testbed' },
      { name: 'preprod', cluster: 'cmsweb-preprod' },
      { name: 'prod', cluster: 'cmsweb-prod' },
    ],
    namespaces: NAMESPACES.map((n) => ({ name: n, team: `${n}-team` })),
    frontend: { namespace: 'auth', podLabels: { app: 'frontend' }, rulePrefix: '^/auth/complete' },
    prometheus: { namespace: 'monitoring', podLabels: { app: 'prometheus' } },
    logging: { image: 'docker.elastic.co/beats/filebeat:7.12.0', claimName: 'logs-cephfs-claim-{env}-{namespace}' },
    allowedHostPaths: ['/etc/grid-security'],
    defaults: {
      replicas: 1,
      initialTag: 'v0.0.1-stable',
      resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '1000m', memory: '1Gi' } },
      securityContext: { runAsNonRoot: true, runAsUser: 1000, allowPrivilegeEscalation: false },
    },
  };
}

export function syntheticService(i: number): object {
  const name = `svc-${String(i).padStart(4, '0')}`;
  const namespace = NAMESPACES[i % NAMESPACES.length]!;
  if (i % 25 === 24)
    return {
      name,
      namespace,
      vm: { hosts: [`vm${i}a.cern.ch`, `vm${i}b.cern.ch`], affinity: true },
      urlPrefixes: [`/vm/${name}`],
    };
  const port = 8000 + (i % 1000);
  const s: Record<string, unknown> = {
    name,
    namespace,
    description: `Synthetic service ${i}`,
    urlPrefixes: [`/${namespace}/${name}`, `/${namespace}/${name}/api`],
    image: { repository: `registry.cern.ch/cmsweb/${name}`, initialTag: `1.${i}.0-stable` },
    ports: { http: port, metrics: port + 10000 },
    command: ['/bin/bash', '/opt/setup-certs-and-run/setup-certs-and-run.sh'],
    env: [
      { name: 'MY_POD_NAME', fieldRef: 'metadata.name' },
      { name: 'MODE', value: 'server' },
    ],
    resources: { requests: { cpu: '300m', memory: '512Mi' }, limits: { cpu: '2000m', memory: '3Gi' } },
    probes: { liveness: { httpGet: { path: `/${name}/healthz`, port }, initialDelaySeconds: 30, periodSeconds: 10 } },
    secrets: [
      { name: 'proxy-secrets', mountPath: '/etc/proxy' },
      { name: `${name}-secrets`, mountPath: '/etc/secrets' },
    ],
    configMaps: [{ name, mountPath: '/opt/setup-certs-and-run', volumeName: 'setup-certs-and-run' }],
    gridSecurity: { mountPath: '/host/etc/grid-security' },
    prometheus: { scrape: true, port: port + 10000 },
    environments: {
      dev: { databaseSecret: `${name}-dev-db` },
      preprod: { replicas: 2, databaseSecret: `${name}-preprod-db` },
      prod: { replicas: 3, databaseSecret: `${name}-prod-db` },
    },
  };
  if (i % 3 === 0) {
    s.autoscaling = {
      minReplicas: 1,
      maxReplicas: 4,
      cpuUtilization: 200,
      customMetrics: [
        {
          name: `${name.replace(/-/g, '_')}_rps`,
          type: 'Pods',
          target: 100,
          query: 'sum(rate(<<.Series>>{<<.LabelMatchers>>}[2m])) by (<<.GroupBy>>)',
        },
      ],
    };
  }
  if (i % 4 === 0) s.logging = { path: `/data/srv/logs/${name}` };
  if (i % 5 === 0)
    s.sidecars = [
      {
        name: 'exporter',
        image: 'registry.cern.ch/cmsweb/exporters:1.0',
        args: ['-port', String(port + 20000)],
        ports: [{ name: 'exporter', containerPort: port + 20000 }],
      },
    ];
  return s;
}

/** Writes the synthetic catalog of `count` services under `dir` and returns `dir`. */
export function writeSyntheticCatalog(count: number, dir: string): string {
  mkdirSync(join(dir, 'catalog', 'services'), { recursive: true });
  writeFileSync(join(dir, 'catalog', 'cluster.yaml'), stringifyYaml(syntheticCluster()));
  for (let i = 0; i < count; i++) {
    const s = syntheticService(i) as { name: string };
    writeFileSync(join(dir, 'catalog', 'services', `${s.name}.yaml`), stringifyYaml(s));
  }
  return dir;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const count = Number(process.argv[2] ?? 250);
  if (!Number.isInteger(count) || count < 1) {
    console.error('usage: make-synthetic-catalog.ts <services> [dir]');
    process.exit(2);
  }
  const dir = process.argv[3] ?? mkdtempSync(join(tmpdir(), `chartgen-synthetic-${count}-`));
  console.log(writeSyntheticCatalog(count, dir));
}

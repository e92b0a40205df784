import { loadCatalog, type LoadedCatalog } from '../src/index.js';
import type { SourceFinding } from '@cmsweb/yaml';

/** A small cluster file: three environments, namespaces dbs and http, grid-security allowed. */
export const CLUSTER = `name: cmsweb
kubernetesVersion: "1.33"
registry: registry.cern.ch/cmsweb
git: { repoURL: https://example.org/cmsweb-gitops.git, branch: main }
environments:
  - { name: dev, cluster: cmsweb-testbed }
  - { name: preprod, cluster: cmsweb-preprod }
  - { name: prod, cluster: cmsweb-prod, production: true }
namespaces:
  - { name: dbs, team: dbs }
  - { name: http, team: http-group }
frontend: { namespace: auth, podLabels: { app: frontend }, rulePrefix: ^/auth/complete }
prometheus: { namespace: monitoring, podLabels: { app: prometheus } }
logging: { image: "docker.elastic.co/beats/filebeat:7.12.0", claimName: "logs-cephfs-claim-{env}-{namespace}" }
allowedHostPaths: [/etc/grid-security]
defaults:
  replicas: 1
  initialTag: v0.0.1-stable
  resources:
    requests: { cpu: 100m, memory: 256Mi }
    limits: { cpu: 1000m, memory: 1Gi }
`;

/**
 * A valid Kubernetes service of five lines; `extra` starts on line 6, so positions in the tests
 * below are 5 + the line inside `extra`.
 */
export function service(
  name: string,
  extra = '',
  opts: { port?: number; prefix?: string; namespace?: string } = {},
): string {
  return `name: ${name}
namespace: ${opts.namespace ?? 'http'}
urlPrefixes: [${opts.prefix ?? `/${name}`}]
image: { repository: registry.cern.ch/cmsweb/${name} }
ports: { http: ${opts.port ?? 8888} }
${extra}`;
}

export function load(files: Record<string, string>, cluster = CLUSTER): LoadedCatalog {
  return loadCatalog(
    { path: 'catalog/cluster.yaml', text: cluster },
    Object.entries(files).map(([path, text]) => ({ path, text })),
  );
}

/** One line per finding, as the CLIs print them. */
export function lines(findings: SourceFinding[]): string[] {
  return findings.map((f) => `${f.file}:${f.line}:${f.column} ${f.check} ${f.message}`);
}

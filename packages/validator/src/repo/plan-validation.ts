import { posix } from 'node:path';
import { checkAppSyncPolicy } from './app-sync-policy.js';
import { locate } from '@cmsweb/yaml';
import type { Finding } from '../findings.js';
import { isRecord } from '../resources.js';
import type { RepoSnapshot, RepoYaml } from './repo-snapshot.js';

/** One render: a service in an environment, exactly as its Argo CD Application describes it. */
export interface RenderJob {
  env: string;
  service: string;
  /** Repository-relative chart directory (charts/<service>). */
  chartPath: string;
  /** Repository-relative value files, in order. */
  valueFiles: string[];
  releaseName: string;
  namespace: string;
  kubernetesVersion: string;
  appFile: string;
}

export interface ValidationPlan {
  jobs: RenderJob[];
  findings: Finding[];
  /** Environments (after --env) whose objects are validated. */
  environments: string[];
}

export interface PlanFilters {
  envs?: string[];
  services?: string[];
}

/** Pure: which service × environment renders, from the catalog and the generated Argo CD Applications. */
export function planValidation(repo: RepoSnapshot, filters: PlanFilters = {}): ValidationPlan {
  const findings: Finding[] = [];
  const jobs: RenderJob[] = [];
  const envs = repo.environments.filter((e) => !filters.envs?.length || filters.envs.includes(e.name));
  const k8sServices = repo.catalog.services.filter((s) => !s.vm);
  const services = k8sServices.filter((s) => !filters.services?.length || filters.services.includes(s.name));
  const known = new Set(k8sServices.map((s) => s.name));

  for (const env of envs) {
    const base = `environments/${env.name}`;
    for (const s of services) {
      const overlay = `${base}/values/${s.name}.yaml`;
      const ctx = { env: env.name, service: s.name };
      if (!repo.files.has(overlay)) {
        findings.push({ check: 'overlay-missing', severity: 'error', message: `service ${s.name} has no overlay in ${env.name}: expected ${overlay} (run \`npx chartgen generate\`, which creates missing overlays)`, file: repo.catalog.serviceFiles[s.name], line: 1, column: 1, ...ctx });
      }
      const appFile = `${base}/argocd/apps/${s.name}.yaml`;
      const app = repo.apps[appFile];
      if (!app) {
        findings.push({ check: 'app-missing', severity: 'error', message: `service ${s.name} has no Argo CD Application in ${env.name}: expected ${appFile} (run \`npx chartgen generate\`)`, file: repo.catalog.serviceFiles[s.name], line: 1, column: 1, ...ctx });
        continue;
      }
      if (app.value === undefined) continue; // its YAML findings are reported with the sources
      findings.push(...checkAppSyncPolicy(app, env, s.name));
      const job = jobFromApplication(app, { env: env.name, service: s.name, namespace: s.namespace, kubernetesVersion: env.kubernetesVersion }, repo.files, findings);
      if (job) jobs.push(job);
    }
    for (const f of repo.files) {
      const m = new RegExp(`^${base}/values/([^/]+)\\.ya?ml$`).exec(f);
      if (m && !known.has(m[1]!) && (!filters.services?.length || filters.services.includes(m[1]!))) {
        findings.push({ check: 'overlay-unknown-service', severity: 'warning', message: `overlay for "${m[1]}", which is not a Kubernetes service of the catalog: expected catalog/services/${m[1]}.yaml (or delete the overlay)`, file: f, line: 1, column: 1, env: env.name });
      }
    }
  }
  return { jobs, findings, environments: envs.map((e) => e.name) };
}

function jobFromApplication(
  app: RepoYaml,
  expected: { env: string; service: string; namespace: string; kubernetesVersion: string },
  files: ReadonlySet<string>,
  findings: Finding[],
): RenderJob | undefined {
  const bad = (path: Array<string | number>, message: string) =>
    findings.push({ check: 'app-source', severity: 'error', message, ...locate(app.parsed, 0, path), env: expected.env, service: expected.service });
  const spec = isRecord(app.value) && isRecord(app.value.spec) ? app.value.spec : {};
  const source = isRecord(spec.source) ? spec.source : undefined;
  if (!source || typeof source.path !== 'string') {
    bad(['spec'], 'the Application has no spec.source.path: expected path: charts/<service> (a single-source Helm application)');
    return undefined;
  }
  const chartPath = posix.normalize(source.path).replace(/\/+$/, '');
  const helm = isRecord(source.helm) ? source.helm : {};
  const valueFiles = (Array.isArray(helm.valueFiles) ? helm.valueFiles : []).map((v) => posix.normalize(posix.join(chartPath, String(v))));
  const destination = isRecord(spec.destination) ? spec.destination : {};
  const namespace = typeof destination.namespace === 'string' ? destination.namespace : '';
  const metaName = isRecord(app.value) && isRecord(app.value.metadata) ? String(app.value.metadata.name ?? '') : '';
  const releaseName = typeof helm.releaseName === 'string' && helm.releaseName ? helm.releaseName : metaName;

  let ok = true;
  if (!files.has(`${chartPath}/Chart.yaml`)) {
    bad(['spec', 'source', 'path'], `chart path ${chartPath} has no Chart.yaml: expected charts/${expected.service} (run \`npx chartgen generate\`)`);
    ok = false;
  }
  (Array.isArray(helm.valueFiles) ? helm.valueFiles : []).forEach((v, i) => {
    if (!files.has(valueFiles[i]!)) {
      bad(['spec', 'source', 'helm', 'valueFiles', i], `value file ${String(v)} resolves to ${valueFiles[i]}, which does not exist: Argo CD fails to render the application`);
      ok = false;
    }
  });
  if (namespace !== expected.namespace) {
    bad(['spec', 'destination', 'namespace'], `destination namespace ${JSON.stringify(namespace)} differs from the catalog's namespace ${expected.namespace}: regenerate with \`npx chartgen generate\``);
  }
  if (!ok) return undefined;
  return { env: expected.env, service: expected.service, chartPath, valueFiles, releaseName, namespace: namespace || expected.namespace, kubernetesVersion: expected.kubernetesVersion, appFile: app.file };
}

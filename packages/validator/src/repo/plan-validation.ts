import { checkAppSyncPolicy } from './app-sync-policy.js';
import type { Finding } from '../findings.js';
import { isRecord } from '../resources.js';
import { helmSourcePaths, readHelmSource, type HelmSource } from '../render/argocd-source.js';
import type { RepoSnapshot, RepoYaml } from './repo-snapshot.js';
import { applicationErrors } from './app-finding.js';

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
  /** Path of the source inside the Application (['spec', 'source'] or ['spec', 'sources', i]). */
  sourcePath: Array<string | number>;
  /** Everything else Argo CD passes to helm for this source. */
  helm: HelmSource;
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
        findings.push({
          check: 'overlay-missing',
          severity: 'error',
          message: `service ${s.name} has no overlay in ${env.name}: expected ${overlay} (run \`npx chartgen generate\`, which creates missing overlays)`,
          file: repo.catalog.serviceFiles[s.name],
          line: 1,
          column: 1,
          ...ctx,
        });
      }
      const appFile = `${base}/argocd/apps/${s.name}.yaml`;
      const app = repo.apps[appFile];
      if (!app) {
        findings.push({
          check: 'app-missing',
          severity: 'error',
          message: `service ${s.name} has no Argo CD Application in ${env.name}: expected ${appFile} (run \`npx chartgen generate\`)`,
          file: repo.catalog.serviceFiles[s.name],
          line: 1,
          column: 1,
          ...ctx,
        });
        continue;
      }
      if (app.value === undefined) continue; // its YAML findings are reported with the sources
      findings.push(...checkAppSyncPolicy(app, env, s.name));
      jobs.push(
        ...jobsFromApplication(
          app,
          { env: env.name, service: s.name, namespace: s.namespace, kubernetesVersion: env.kubernetesVersion },
          repo.files,
          findings,
        ),
      );
    }
    for (const f of repo.files) {
      const m = new RegExp(`^${base}/values/([^/]+)\\.ya?ml$`).exec(f);
      if (m && !known.has(m[1]!) && (!filters.services?.length || filters.services.includes(m[1]!))) {
        findings.push({
          check: 'overlay-unknown-service',
          severity: 'warning',
          message: `overlay for "${m[1]}", which is not a Kubernetes service of the catalog: expected catalog/services/${m[1]}.yaml (or delete the overlay)`,
          file: f,
          line: 1,
          column: 1,
          env: env.name,
        });
      }
    }
  }
  return { jobs, findings, environments: envs.map((e) => e.name) };
}

function jobsFromApplication(
  app: RepoYaml,
  expected: { env: string; service: string; namespace: string; kubernetesVersion: string },
  files: ReadonlySet<string>,
  findings: Finding[],
): RenderJob[] {
  const bad = applicationErrors(app, 'app-source', expected, findings);
  const { sourcePaths, refs } = helmSourcePaths(app.value);
  if (!sourcePaths.length) {
    bad(
      ['spec'],
      'the Application has no source with a path: expected spec.source.path: charts/<service> (a Helm chart of this repository)',
    );
    return [];
  }
  const spec = isRecord(app.value) && isRecord(app.value.spec) ? app.value.spec : {};
  const destination = isRecord(spec.destination) ? spec.destination : {};
  const namespace = typeof destination.namespace === 'string' ? destination.namespace : '';
  if (namespace !== expected.namespace) {
    bad(
      ['spec', 'destination', 'namespace'],
      `destination namespace ${JSON.stringify(namespace)} differs from the catalog's namespace ${expected.namespace}: regenerate with \`npx chartgen generate\``,
    );
  }
  const jobs: RenderJob[] = [];
  for (const sourcePath of sourcePaths) {
    const { source, problems } = readHelmSource({
      app: app.value,
      sourcePath,
      kubernetesVersion: expected.kubernetesVersion,
      files,
      refs,
    });
    for (const p of problems) bad(p.at, p.message);
    if (!source) continue;
    if (!files.has(`${source.chartPath}/Chart.yaml`)) {
      bad(
        [...sourcePath, 'path'],
        `chart path ${source.chartPath} has no Chart.yaml: expected charts/${expected.service} (run \`npx chartgen generate\`)`,
      );
      continue;
    }
    jobs.push({
      env: expected.env,
      service: expected.service,
      chartPath: source.chartPath,
      valueFiles: source.valueFiles,
      releaseName: source.releaseName,
      namespace: source.namespace || expected.namespace,
      kubernetesVersion: source.kubernetesVersion,
      appFile: app.file,
      sourcePath,
      helm: source,
    });
  }
  return jobs;
}

import { join } from 'node:path';
import type { Finding, ValidationResult } from '../findings.js';
import { buildResult, resourceLabel } from '../findings.js';
import { UsageError } from '../errors.js';
import { mapLimit } from '@cmsweb/toolkit';
import { applyConfig, isEnabled, type ValidatorConfig } from '../config/validator-config.js';
import { checkEnvironmentRules } from '../checks/env-rules.js';
import { checkOverlayRules } from '../checks/overlay-rules.js';
import { lintChart, type LintedChart } from '../chart/lint-chart.js';
import { readChart } from '../chart/read-chart.js';
import type { ChartFiles } from '../chart/chart-files.js';
import { renderErrorFinding } from '../chart/render-findings.js';
import { locate, parseYaml, toJs } from '@cmsweb/yaml';
import { compareRenders, showValue } from '../render/compare-renders.js';
import { readHelmRelease, type FluxProblem, type FluxRender } from '../render/flux-release.js';
import type { RenderResult } from '../render/renderer.js';
import type { RepoYaml } from './repo-snapshot.js';
import { renderFluxRelease } from './flux-render.js';
import { appValueLayers, appValuesFindings } from '../render/app-values.js';
import { parseRenderedManifests } from '../render/rendered-manifests.js';
import type { Renderer } from '../render/renderer.js';
import type { Resource } from '../resources.js';
import type { CreateKubeSchemaValidator } from '../schema/schema-validator.js';
import { checkValues } from '../sources/values-schema.js';
import { validateObjects } from '../validate-objects.js';
import { planValidation, type RenderJob } from './plan-validation.js';
import { policyContextFromCatalog } from './policy-context.js';
import { readRepo, readRepoText } from './read-repo.js';
import type { Scope } from './scope.js';

export interface RepoValidationOptions {
  root: string;
  envs?: string[];
  services?: string[];
  renderer: Renderer;
  createSchemas: CreateKubeSchemaValidator;
  schemaLocations?: string[];
  config: ValidatorConfig;
  /** Renders in flight at once (default: the machine's cores). */
  concurrency?: number;
  /** Called as each render finishes (`done` of `total`): the CLI's progress line. */
  onRendered?: (done: number, total: number) => void;
  /** repository (default) and cluster: everything; service: that service from its own files (scope.ts). */
  scope?: Scope;
}

/** Shell: validates the whole repository (or the environments and services selected). */
export async function validateRepo(opts: RepoValidationOptions): Promise<ValidationResult> {
  const enabled = (id: string) => isEnabled(opts.config, id);
  if (opts.scope?.kind === 'service') {
    if (opts.services?.length)
      throw new UsageError('--service and --scope service:<name> both choose services: give one of them');
    opts = { ...opts, services: [opts.scope.name] };
  }
  const serviceScope = opts.scope?.kind === 'service';
  const repo = await readRepo(opts.root, opts.envs, opts.scope);
  const findings: Finding[] = [...repo.findings];
  if (!repo.snapshot || !repo.catalog) return buildResult(applyConfig(findings, opts.config), 0);
  const catalog = repo.catalog;
  const unknown = (opts.services ?? []).filter((s) => !catalog.services.some((c) => c.name === s && !c.vm));
  if (unknown.length)
    throw new UsageError(
      `unknown service ${unknown.join(', ')}: expected a Kubernetes service of catalog/services/ (see \`ls catalog/services\`)`,
    );

  const plan = planValidation(repo.snapshot, { envs: opts.envs, services: opts.services });
  findings.push(...plan.findings);

  // Rendering starts first: helm runs in child processes while this thread lints charts and overlays.
  // An overlay that does not parse is reported with the sources; rendering it would only repeat that.
  const broken = new Set(
    Object.values(repo.overlays)
      .flatMap((m) => Object.values(m))
      .filter((o) => o.value === undefined)
      .map((o) => o.file),
  );
  // A chart holding a refused file is never given to helm; nor is any chart when the library chart they include holds one.
  const refusedChart = (chartPath: string) =>
    repo.refusedCharts.has(chartPath) || repo.refusedCharts.has('charts/_library');
  const jobs = plan.jobs.filter((j) => !j.valueFiles.some((f) => broken.has(f)) && !refusedChart(j.chartPath));
  let renders = 0;
  const rendering = mapLimit(
    jobs,
    async (job) => {
      const r = await opts.renderer.render({
        chartDir: join(opts.root, job.chartPath),
        releaseName: job.releaseName,
        namespace: job.namespace,
        valueFiles: job.valueFiles.map((f) => join(opts.root, f)),
        kubeVersion: job.kubernetesVersion,
        inlineValues: job.helm.inlineValues?.text,
        set: job.helm.set,
        setString: job.helm.setString,
        setFile: job.helm.setFile.map((s) => ({ name: s.name, value: join(opts.root, s.value) })),
        apiVersions: job.helm.apiVersions,
        skipCrds: job.helm.skipCrds,
        skipSchemaValidation: job.helm.skipSchemaValidation,
        skipTests: job.helm.skipTests,
      });
      // The same service through Flux (when its HelmRelease is in the repository), to compare.
      const hrFile = `environments/${job.env}/flux/helmreleases/${job.service}.yaml`;
      const hr = repo.snapshot!.helmReleases[hrFile];
      let flux: FluxOutcome | undefined;
      if (hr && hr.value !== undefined && job.sourcePath.length === 2) {
        const read = readHelmRelease({
          release: hr.value,
          files: repo.snapshot!.files,
          objects: repo.generated[job.env] ?? [],
        });
        flux = { hr, problems: read.problems, render: read.render };
        // A chart that did not finish for Argo CD would not for Flux either: no second wait.
        if (read.render && r.error?.kind !== 'timeout')
          flux.result = await renderFluxRelease(opts.root, read.render, job.kubernetesVersion, opts.renderer);
      }
      opts.onRendered?.(++renders, jobs.length);
      return { job, r, flux };
    },
    opts.concurrency,
  );
  rendering.catch(() => undefined); // a failure surfaces at the await below, not as an unhandled rejection meanwhile

  // Charts: lint each once (all of charts/ unless --service narrows it).
  const chartPaths = [
    ...new Set([...plan.jobs.map((j) => j.chartPath), ...chartDirsOf(repo.snapshot.files, opts.services)]),
  ]
    .filter((p) => !refusedChart(p))
    .sort();
  const charts = new Map<string, { files: ChartFiles; lint: LintedChart }>();
  for (const p of chartPaths) {
    const files = await readChart(join(opts.root, p), p);
    const lint = lintChart(files);
    charts.set(p, { files, lint });
    findings.push(...lint.findings);
    await new Promise((resolve) => setImmediate(resolve)); // let finished renders hand over, so helm stays busy
  }

  // Overlays against values.schema.json.
  const overlayErrors = new Set<RenderJob>();
  for (const job of plan.jobs) {
    const chart = charts.get(job.chartPath);
    if (!chart) continue; // a refused chart is neither linted nor rendered
    if (!chart.lint.validateValues || !enabled('overlay-schema')) continue;
    const overlays = job.valueFiles
      .map((f) => Object.values(repo.overlays[job.env] ?? {}).find((o) => o.file === f))
      .filter((o) => o !== undefined);
    const sources = [...(chart.lint.values ? [chart.lint.values] : []), ...overlays];
    const own = new Set(overlays.map((o) => o.file));
    const fs = checkValues(chart.lint.validateValues, sources, 'overlay-schema').filter((f) => own.has(f.file!));
    if (fs.length) overlayErrors.add(job);
    findings.push(...fs.map((f) => ({ ...f, env: job.env, service: job.service })));
  }

  // The values files of each render (and the catalog files chartgen made some of them from), so that a
  // finding on a value is reported where the value was set.
  const yamlByFile = new Map<string, RepoYaml>();
  for (const y of Object.values(repo.chartValues)) yamlByFile.set(y.file, y);
  for (const byService of [...Object.values(repo.environmentValues), ...Object.values(repo.overlays)])
    for (const y of Object.values(byService)) yamlByFile.set(y.file, y);
  const catalogFiles = new Map<string, RepoYaml | undefined>();
  const catalogFile = (file: string | undefined): RepoYaml | undefined => {
    if (file === undefined) return undefined;
    if (!catalogFiles.has(file)) {
      const read = readRepoText(opts.root, file);
      const parsed = read.text === undefined ? undefined : parseYaml(read.text, file);
      const ok = parsed && !parsed.findings.some((f) => f.severity === 'error');
      catalogFiles.set(file, ok ? { file, parsed, value: toJs(parsed)[0] } : undefined);
    }
    return catalogFiles.get(file);
  };
  const valuesOf = (job: RenderJob) => {
    // Values the Application passes to helm itself (inline values, parameters) come last, at its lines.
    const fromApp = appValueLayers(job.helm, repo.snapshot!.apps[job.appFile]!);
    if (!fromApp) return undefined;
    const files = [`${job.chartPath}/values.yaml`, ...job.valueFiles];
    const layers = files.map((f) => yamlByFile.get(f));
    if (layers.some((l) => l === undefined || l.value === undefined)) return undefined;
    const service = catalogFile(catalog.serviceFiles[job.service]);
    const envValues = `${job.chartPath}/values-${job.env}.yaml`;
    return {
      layers: [...(layers as RepoYaml[]), ...fromApp],
      ...(service
        ? {
            catalog: {
              service,
              cluster: catalogFile(catalog.clusterFile),
              env: job.env,
              chartValues: files[0]!,
              ...(job.valueFiles.includes(envValues) ? { envValues } : {}),
            },
          }
        : {}),
    };
  };

  const rendered = await rendering;
  const byEnv: Record<string, Resource[]> = {};
  for (const env of plan.environments) byEnv[env] = [];
  for (const { job, r, flux } of rendered) {
    if (flux)
      findings.push(
        ...flux.problems.map((p) => ({
          check: 'helmrelease-source' as const,
          severity: 'error' as const,
          message: p.message,
          ...locate(flux.hr.parsed, 0, p.at),
          env: job.env,
          service: job.service,
        })),
      );
    if (r.error) {
      let fromApp = false;
      if (r.error.kind === 'values-schema') {
        const app = repo.snapshot.apps[job.appFile]!;
        const av = appValuesFindings(r.error.message, job.helm, app, job);
        findings.push(...av.findings);
        fromApp = av.all;
      }
      if (!fromApp && !(r.error.kind === 'values-schema' && overlayErrors.has(job)))
        findings.push(renderErrorFinding(r.error, job.chartPath, job));
      continue;
    }
    const parsed = parseRenderedManifests({
      manifests: r.manifests,
      chartPath: job.chartPath,
      templates: charts.get(job.chartPath)!.files.templates,
      namespace: job.namespace,
      values: valuesOf(job),
    });
    findings.push(...parsed.findings.map((f) => ({ ...f, env: job.env, service: job.service })));
    if (flux?.render && flux.result && enabled('argo-flux-parity')) {
      const fluxParsed = flux.result.error
        ? undefined
        : parseRenderedManifests({
            manifests: flux.result.manifests,
            chartPath: flux.render.chartPath,
            templates: charts.get(flux.render.chartPath)?.files.templates ?? {},
            namespace: flux.render.namespace,
          });
      findings.push(
        ...parityFindings(job, repo.snapshot.apps[job.appFile]!, flux, parsed.resources, fluxParsed?.resources),
      );
    }
    byEnv[job.env]!.push(...parsed.resources.map((res) => ({ ...res, env: job.env, service: job.service })));
  }

  // Objects of each environment together: rendered charts plus the generated Argo CD, Flux and cluster objects.
  let count = 0;
  // A service scope holds one service's objects and a partial catalog: checks between objects, and the
  // frontend rules (routes of every service), are the cluster scope's.
  const context = serviceScope
    ? { ...policyContextFromCatalog(catalog, false), frontendRoutes: undefined }
    : policyContextFromCatalog(catalog, true);
  for (const env of plan.environments) {
    const all = [...byEnv[env]!, ...(repo.generated[env] ?? [])];
    count += opts.services?.length
      ? all.filter((r) => r.service && opts.services!.includes(r.service)).length
      : all.length;
    const version = repo.snapshot.environments.find((e) => e.name === env)!.kubernetesVersion;
    const schemas = await opts.createSchemas({ kubernetesVersion: version, schemaLocations: opts.schemaLocations });
    await schemas.prepare(all.map((r) => r.ref));
    const objectFindings = validateObjects(all, {
      schemas,
      kubernetesVersion: version,
      context,
      enabled,
      policyChecks: serviceScope ? 'single-object' : 'all',
    });
    // With --service, the environment's shared objects give context but are not reported on.
    findings.push(
      ...(opts.services?.length
        ? objectFindings.filter((f) => f.service && opts.services!.includes(f.service))
        : objectFindings),
    );
  }
  findings.push(
    ...checkEnvironmentRules(
      {
        environments: repo.snapshot.environments,
        selected: plan.environments,
        overlays: filterServices(repo.overlays, opts.services),
        resources: byEnv,
        ignoreAnnotation: context.ignoreAnnotation,
      },
      enabled,
    ),
  );
  findings.push(
    ...checkOverlayRules(
      {
        selected: plan.environments,
        overlays: filterServices(repo.overlays, opts.services),
        environmentValues: repo.environmentValues,
        chartValues: repo.chartValues,
        catalogFiles: catalog.serviceFiles,
        leftovers: repo.leftovers,
        declared: catalog.cluster.environments.map((e) => e.name),
        clusterFile: catalog.clusterFile,
      },
      enabled,
    ),
  );
  return buildResult(applyConfig(findings, opts.config), count);
}

interface FluxOutcome {
  hr: RepoYaml;
  problems: FluxProblem[];
  render?: FluxRender;
  result?: RenderResult;
}

/** Pure: an environment whose Argo CD and Flux renderings of a service differ, as one finding (the first difference). */
function parityFindings(
  job: RenderJob,
  app: RepoYaml,
  flux: FluxOutcome,
  argo: Resource[],
  fluxObjects: Resource[] | undefined,
): Finding[] {
  const at = { ...locate(flux.hr.parsed, 0, ['spec']), env: job.env, service: job.service };
  const related = [
    { ...locate(app.parsed, 0, job.sourcePath), message: 'the Argo CD Application of the same service' },
  ];
  const base = { check: 'argo-flux-parity' as const, severity: 'error' as const, ...at, related };
  if (!fluxObjects) {
    return [
      {
        ...base,
        message: `Flux cannot render ${job.service} although Argo CD can: ${flux.result?.error?.message ?? 'helm failed'}`,
      },
    ];
  }
  const diffs = compareRenders(
    argo.map((r) => ({ ref: r.ref, object: r.object })),
    job.namespace,
    fluxObjects.map((r) => ({ ref: r.ref, object: r.object })),
    flux.render!.namespace,
  );
  if (!diffs.length) return [];
  const d = diffs[0]!;
  const what =
    d.only === 'argo'
      ? 'only Argo CD renders it'
      : d.only === 'flux'
        ? 'only Flux renders it'
        : `${d.path} is ${showValue(d.argo)} with Argo CD, ${showValue(d.flux)} with Flux`;
  const more = diffs.length > 1 ? ` (${diffs.length - 1} more difference${diffs.length > 2 ? 's' : ''})` : '';
  return [
    {
      ...base,
      message: `Argo CD and Flux render ${job.service} differently in ${job.env}: ${resourceLabel(d.ref)}: ${what}${more}`,
      resource: d.ref,
      ...(d.path ? { path: d.path } : {}),
    },
  ];
}

function chartDirsOf(files: ReadonlySet<string>, services: string[] | undefined): string[] {
  const out: string[] = [];
  for (const f of files) {
    const m = /^(charts\/[^/]+)\/Chart\.yaml$/.exec(f);
    if (m && (!services?.length || services.includes(m[1]!.slice('charts/'.length)))) out.push(m[1]!);
  }
  return out;
}

function filterServices<T>(
  byEnv: Record<string, Record<string, T>>,
  services: string[] | undefined,
): Record<string, Record<string, T>> {
  if (!services?.length) return byEnv;
  return Object.fromEntries(
    Object.entries(byEnv).map(([env, m]) => [
      env,
      Object.fromEntries(Object.entries(m).filter(([s]) => services.includes(s))),
    ]),
  );
}

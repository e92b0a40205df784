import { join } from 'node:path';
import type { Finding, ValidationResult } from '../findings.js';
import { buildResult, resourceLabel } from '../findings.js';
import { UsageError } from '../errors.js';
import { mapLimit } from '@cmsweb/toolkit';
import { applyConfig, isEnabled, type ValidatorConfig } from '../config/validator-config.js';
import { checkEnvironmentRules } from '../checks/env-rules.js';
import { checkOverlayRules } from '../checks/overlay-rules.js';
import { lintChart, type LintedChart } from '../chart/lint-chart.js';
import { type DependencyReads, readChart } from '../chart/read-chart.js';
import type { ChartFiles } from '../chart/chart-files.js';
import { renderErrorFinding } from '../chart/render-findings.js';
import { locate, parseYaml, toJs } from '@cmsweb/yaml';
import { compareRenders, showValue } from '../render/compare-renders.js';
import { readHelmRelease, type FluxProblem, type FluxRender } from '../render/flux-release.js';
import type { RenderError, RenderResult } from '../render/renderer.js';
import type { RepoYaml } from './repo-snapshot.js';
import { renderFluxRelease } from './flux-render.js';
import { appValueLayers, appValuesFindings } from '../render/app-values.js';
import { parseRenderedManifests, type RenderedInput } from '../render/rendered-manifests.js';
import { crossObjectReads, projectorFor } from '../checks/object-facts.js';
import { policyIssues, type PolicyIssue } from '../checks/run-policy-checks.js';
import { ignoredChecks, objectFinding } from '../checks/object-findings.js';
import { retain, type StringTable } from '../manifests/retained.js';
import { SECRET_REF_READS } from '../checks/secret-refs.js';
import type { Renderer } from '../render/renderer.js';
import type { Resource, ResourceSource } from '../resources.js';
import type { CreateKubeSchemaValidator } from '../schema/schema-validator.js';
import { checkValues } from '../sources/values-schema.js';
import { parseHelmYaml } from '../sources/helm-yaml.js';
import { singleObjectFindings } from '../validate-objects.js';
import { leanRepoYaml } from '../sources/kept-tree.js';
import { planValidation, type RenderJob } from './plan-validation.js';
import { policyContextFromCatalog } from './policy-context.js';
import { readRepo, readRepoText, type ReadRepo } from './read-repo.js';
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
  // Everything a finished render needs is known before the first one finishes: each render is parsed and
  // its objects checked one at a time as soon as it is done, and only what the checks between objects read
  // is kept of them (a thousand services would otherwise hold every object and its syntax tree at once).
  const yamlByFile = valuesFilesOf(repo);
  const valuesOf = valueLayersOf(opts.root, repo, catalog, yamlByFile);
  const context = serviceScope
    ? { ...policyContextFromCatalog(catalog, false), frontendRoutes: undefined }
    : policyContextFromCatalog(catalog, true);
  const versionOf = (env: string) => repo.snapshot!.environments.find((e) => e.name === env)!.kubernetesVersion;
  const schemasByEnv = new Map<string, ReturnType<CreateKubeSchemaValidator>>();
  const schemasFor = (env: string) => {
    let s = schemasByEnv.get(env);
    if (!s) {
      s = opts.createSchemas({ kubernetesVersion: versionOf(env), schemaLocations: opts.schemaLocations });
      s.catch(() => undefined); // surfaces where it is awaited
      schemasByEnv.set(env, s);
    }
    return s;
  };
  // A service scope runs no check between objects: only what the environment rules read is kept.
  const crossReads = serviceScope ? [] : crossObjectReads(enabled);
  const facts = projectorFor(crossReads && [...crossReads, ...SECRET_REF_READS], context.ignoreAnnotation);
  // Charts: each read once, for linting and to map rendered lines back to templates (all of charts/ unless --service narrows it).
  const chartPaths = [
    ...new Set([...plan.jobs.map((j) => j.chartPath), ...chartDirsOf(repo.snapshot.files, opts.services)]),
  ]
    .filter((p) => !refusedChart(p))
    .sort();
  const chartFiles = new Map<string, Promise<ChartFiles>>();
  const texts = new Map<string, string>();
  const intern = (text: string) => {
    const known = texts.get(text);
    if (known !== undefined) return known;
    texts.set(text, text);
    return text;
  };
  const dependencyReads: DependencyReads = new Map();
  const chartFilesOf = (p: string) => {
    let f = chartFiles.get(p);
    if (!f) chartFiles.set(p, (f = readChart(join(opts.root, p), p, intern, dependencyReads)));
    return f;
  };
  const linted = new Set(chartPaths);
  const templatesOf = async (p: string) => (linted.has(p) ? (await chartFilesOf(p)).templates : {});
  /** One render's objects and findings, placed at the templates and values they came from (lazily). */
  const parseRender = async (job: RenderJob, manifests: string) =>
    parseRenderedManifests({
      manifests,
      chartPath: job.chartPath,
      templates: await templatesOf(job.chartPath),
      namespace: job.namespace,
      values: valuesOf(job),
      lean: true,
    });

  /** One finished render: its findings and its objects, checked one by one, cut down to their facts. */
  const checkRender = async (job: RenderJob, r: RenderResult, flux: FluxOutcome | undefined): Promise<JobOutcome> => {
    const out: Finding[] = [];
    if (flux)
      out.push(
        ...flux.problems.map((p) => ({
          check: 'helmrelease-source' as const,
          severity: 'error' as const,
          message: p.message,
          ...locate(flux.hr.parsed, 0, p.at),
          env: job.env,
          service: job.service,
        })),
      );
    if (r.error) return { job, error: r.error, findings: out, resources: [] };
    const parsed = await parseRender(job, r.manifests);
    out.push(...parsed.findings.map((f) => ({ ...f, env: job.env, service: job.service })));
    if (flux?.render && flux.result && enabled('argo-flux-parity')) {
      const fluxParsed = flux.result.error
        ? undefined
        : parseRenderedManifests({
            manifests: flux.result.manifests,
            chartPath: flux.render.chartPath,
            templates: await templatesOf(flux.render.chartPath),
            namespace: flux.render.namespace,
            lean: true,
          });
      out.push(
        ...parityFindings(job, repo.snapshot!.apps[job.appFile]!, flux, parsed.resources, fluxParsed?.resources),
      );
    }
    const resources = parsed.resources.map((res) => ({ ...res, env: job.env, service: job.service }));
    out.push(
      ...(await singleObjectFindings(resources, {
        schemas: await schemasFor(job.env),
        kubernetesVersion: versionOf(job.env),
        context,
        enabled,
      })),
    );
    return { job, findings: out, resources: resources.map((res, index) => keptResource(res, job, index)) };
  };

  // What is kept of a rendered object until the checks between objects have run: its facts and identity, as
  // flat copies (a string sliced from the rendered text would keep that text alive), and no position: the
  // source says which render and which of its objects it is, and a finding between objects that needs a
  // position renders that service again (renders are pure) to find it (placeIssues).
  const strings: StringTable = new Map();
  const renderedAt = new WeakMap<ResourceSource, { job: RenderJob; index: number; ref: Resource['ref'] }>();
  /** While `placed` runs its check the first time: the kept sources it asked a position of. */
  let asking: Set<ResourceSource> | undefined;
  const keptResource = (res: Resource, job: RenderJob, index: number): Resource => {
    const ref = retain(res.ref, strings);
    const source: ResourceSource = {
      file: retain(res.source.file, strings),
      locate: () => {
        if (!asking) return unplaced();
        asking.add(source);
        return { line: 1, column: 1 };
      },
    };
    renderedAt.set(source, { job, index, ref });
    return {
      object: retain(facts(res.object), strings),
      ref,
      source,
      env: job.env,
      service: job.service,
    };
  };
  /** The objects of one render again, with their positions (undefined when it does not render as the first time). */
  const renderedAgain = async (job: RenderJob): Promise<Resource[] | undefined> => {
    const r = await renderJob(job);
    if (r.error) return undefined;
    return (await parseRender(job, r.manifests)).resources;
  };
  /**
   * Where each kept rendered object is: its service rendered again (renders are pure) and the object found at
   * its index. A render that no longer gives the same object places it at its file, line 1 (fail closed).
   */
  const placeKept = async (kept: Iterable<ResourceSource>): Promise<Map<ResourceSource, ResourceSource>> => {
    const sources = [...kept].filter((s) => renderedAt.has(s));
    const jobs = new Set(sources.map((s) => renderedAt.get(s)!.job));
    const again = new Map(
      await mapLimit([...jobs], async (job) => [job, await renderedAgain(job)] as const, opts.concurrency),
    );
    const out = new Map<ResourceSource, ResourceSource>();
    for (const s of sources) {
      const at = renderedAt.get(s)!;
      const found = again.get(at.job)?.[at.index];
      out.set(s, found && sameRef(found.ref, at.ref) ? found.source : atFileTop(s.file));
    }
    return out;
  };
  /**
   * The findings of a pure check over kept objects that may place findings on them itself (the environment
   * rules): run once to learn which kept objects it asks a position of, those given their positions back
   * (placeKept), then run again.
   */
  const placed = async (run: () => Finding[]): Promise<Finding[]> => {
    const asked = new Set<ResourceSource>();
    asking = asked;
    let first: Finding[];
    try {
      first = run();
    } finally {
      asking = undefined;
    }
    if (!asked.size) return first;
    for (const [s, where] of await placeKept(asked)) {
      s.locate = where.locate;
      if (where.origin) s.origin = where.origin;
    }
    return run();
  };
  /** The findings of issues between objects, each placed as objectFinding places it (rendered objects: rendered again). */
  const placeIssues = async (issues: readonly PolicyIssue[]): Promise<Finding[]> => {
    // Only the objects of findings that will be reported (not opted out by annotation) are rendered again.
    const reported = issues.filter(({ check, issue }) => {
      const ignored = ignoredChecks(issue.resource, context.ignoreAnnotation);
      return !ignored.has(check) && !ignored.has('*');
    });
    const where = await placeKept(reported.map(({ issue }) => issue.resource.source));
    const out: Finding[] = [];
    for (const { check, severity, issue } of issues) {
      const kept = issue.resource.source;
      const source = renderedAt.has(kept) ? (where.get(kept) ?? atFileTop(kept.file)) : kept;
      const f = objectFinding(
        check,
        severity,
        { ...issue.resource, source },
        issue.path,
        issue.message,
        context.ignoreAnnotation,
      );
      if (f) out.push(f);
    }
    return out;
  };

  const renderJob = (job: RenderJob) =>
    opts.renderer.render({
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

  let renders = 0;
  // Renders go chart by chart (a chart's environments one after another), not environment by environment:
  // what one render of a chart parsed (the engine's caches in the render thread, bounded; the values files'
  // trees here, kept while recent) is still there for the next, which with thousands of charts it was not.
  // Outcomes are put back in the plan's order, so the report does not depend on it.
  const order = jobs
    .map((job, i) => ({ job, i }))
    .sort((a, b) => (a.job.chartPath < b.job.chartPath ? -1 : a.job.chartPath > b.job.chartPath ? 1 : a.i - b.i));
  const inPlanOrder = (outcomes: JobOutcome[]) => {
    const out = new Array<JobOutcome>(outcomes.length);
    order.forEach(({ i }, k) => {
      out[i] = outcomes[k]!;
    });
    return out;
  };
  const rendering = mapLimit(
    order.map(({ job }) => job),
    async (job) => {
      const r = await renderJob(job);
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
          flux.result = await renderFluxRelease(
            opts.root,
            read.render,
            job.kubernetesVersion,
            opts.renderer,
            (f) => yamlByFile.get(f)?.value,
          );
      }
      opts.onRendered?.(++renders, jobs.length);
      return checkRender(job, r, flux);
    },
    opts.concurrency,
  ).then(inPlanOrder);
  rendering.catch(() => undefined); // a failure surfaces at the await below, not as an unhandled rejection meanwhile

  // Charts: lint each once.
  const charts = new Map<string, Pick<LintedChart, 'validateValues' | 'values'>>();
  for (const p of chartPaths) {
    const files = await chartFilesOf(p);
    const lint = lintChart(files);
    findings.push(...lint.findings);
    // Kept for the overlays' schema check: values.yaml's tree only while memory allows.
    const values =
      lint.values && files.valuesYaml !== undefined
        ? leanRepoYaml(
            `${p}/values.yaml`,
            files.valuesYaml,
            lint.values.parsed,
            lint.values.value,
            (t, f) => parseHelmYaml(t, f).parsed,
          )
        : lint.values;
    charts.set(p, { validateValues: lint.validateValues, ...(values ? { values } : {}) });
    await new Promise((resolve) => setImmediate(resolve)); // let finished renders hand over, so helm stays busy
  }

  // Overlays against values.schema.json.
  const overlayErrors = new Set<RenderJob>();
  const overlayByFile = new Map(
    Object.values(repo.overlays).flatMap((byService) => Object.values(byService).map((o) => [o.file, o] as const)),
  );
  for (const job of plan.jobs) {
    const chart = charts.get(job.chartPath);
    if (!chart) continue; // a refused chart is neither linted nor rendered
    if (!chart.validateValues || !enabled('overlay-schema')) continue;
    const overlays = job.valueFiles.map((f) => overlayByFile.get(f)).filter((o) => o !== undefined);
    const sources = [...(chart.values ? [chart.values] : []), ...overlays];
    const own = new Set(overlays.map((o) => o.file));
    const fs = checkValues(chart.validateValues, sources, 'overlay-schema').filter((f) => own.has(f.file!));
    if (fs.length) overlayErrors.add(job);
    findings.push(...fs.map((f) => ({ ...f, env: job.env, service: job.service })));
  }

  const rendered = await rendering;
  const byEnv: Record<string, Resource[]> = {};
  for (const env of plan.environments) byEnv[env] = [];
  for (const { job, error, findings: own, resources } of rendered) {
    findings.push(...own);
    if (error) {
      let fromApp = false;
      if (error.kind === 'values-schema') {
        const app = repo.snapshot.apps[job.appFile]!;
        const av = appValuesFindings(error.message, job.helm, app, job);
        findings.push(...av.findings);
        fromApp = av.all;
      }
      if (!fromApp && !(error.kind === 'values-schema' && overlayErrors.has(job)))
        findings.push(renderErrorFinding(error, job.chartPath, job));
      continue;
    }
    byEnv[job.env]!.push(...resources);
  }

  // Objects of each environment together: rendered charts plus the generated Argo CD, Flux and cluster objects.
  let count = 0;
  for (const env of plan.environments) {
    const generated = repo.generated[env] ?? [];
    const all = [...byEnv[env]!, ...generated];
    count += opts.services?.length
      ? all.filter((r) => r.service && opts.services!.includes(r.service)).length
      : all.length;
    // The generated objects' own checks (the rendered ones had theirs), then the checks between objects; a
    // service scope holds one service's objects and a partial catalog: checks between objects, and the
    // frontend rules (routes of every service), are the cluster scope's.
    const objectFindings = [
      ...(await singleObjectFindings(generated, {
        schemas: await schemasFor(env),
        kubernetesVersion: versionOf(env),
        context,
        enabled,
      })),
      ...(serviceScope ? [] : await placeIssues(policyIssues(all, context, enabled, 'cross-object'))),
    ];
    // With --service, the environment's shared objects give context but are not reported on.
    findings.push(
      ...(opts.services?.length
        ? objectFindings.filter((f) => f.service && opts.services!.includes(f.service))
        : objectFindings),
    );
  }
  findings.push(
    ...(await placed(() =>
      checkEnvironmentRules(
        {
          environments: repo.snapshot!.environments,
          selected: plan.environments,
          overlays: filterServices(repo.overlays, opts.services),
          resources: byEnv,
          ignoreAnnotation: context.ignoreAnnotation,
        },
        enabled,
      ),
    )),
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

interface JobOutcome {
  job: RenderJob;
  error?: RenderError;
  findings: Finding[];
  /** The render's objects, cut down to what the checks between objects and the environment rules read. */
  resources: Resource[];
}

/** The values files the repository reader parsed (charts' values, generated values, overlays), by path. */
function valuesFilesOf(repo: ReadRepo): Map<string, RepoYaml> {
  const yamlByFile = new Map<string, RepoYaml>();
  for (const y of Object.values(repo.chartValues)) yamlByFile.set(y.file, y);
  for (const byService of [...Object.values(repo.environmentValues), ...Object.values(repo.overlays)])
    for (const y of Object.values(byService)) yamlByFile.set(y.file, y);
  return yamlByFile;
}

/**
 * The values files of each render (and the catalog files chartgen made some of them from), so that a
 * finding on a value is reported where the value was set. Catalog files are read when first asked for.
 */
function valueLayersOf(
  root: string,
  repo: ReadRepo,
  catalog: NonNullable<ReadRepo['catalog']>,
  yamlByFile: ReadonlyMap<string, RepoYaml>,
) {
  const catalogFiles = new Map<string, RepoYaml | undefined>();
  const catalogFile = (file: string | undefined): RepoYaml | undefined => {
    if (file === undefined) return undefined;
    if (!catalogFiles.has(file)) {
      const read = readRepoText(root, file);
      const parsed = read.text === undefined ? undefined : parseYaml(read.text, file);
      const ok = parsed && !parsed.findings.some((f) => f.severity === 'error');
      catalogFiles.set(file, ok ? leanRepoYaml(file, read.text!, parsed, toJs(parsed)[0]) : undefined);
    }
    return catalogFiles.get(file);
  };
  return (job: RenderJob): RenderedInput['values'] => {
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
  // Positions only for a finding: the two files' trees are parsed again for them (kept-tree.ts), which cost
  // a third of the parity check when done for every render that agrees.
  const base = () => ({
    check: 'argo-flux-parity' as const,
    severity: 'error' as const,
    ...locate(flux.hr.parsed, 0, ['spec']),
    env: job.env,
    service: job.service,
    related: [{ ...locate(app.parsed, 0, job.sourcePath), message: 'the Argo CD Application of the same service' }],
  });
  if (!fluxObjects) {
    return [
      {
        ...base(),
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
      ...base(),
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

/** A kept rendered object's position before placeIssues found it: asking for it is a bug. */
function unplaced(): never {
  throw new Error('internal: a rendered object was located before it was rendered again (see placeIssues, placed)');
}

/** A source that places everything at the top of `file` (a kept object that could not be found again). */
function atFileTop(file: string): ResourceSource {
  return { file, locate: () => ({ line: 1, column: 1 }) };
}

function sameRef(a: Resource['ref'], b: Resource['ref']): boolean {
  return a.apiVersion === b.apiVersion && a.kind === b.kind && a.name === b.name && a.namespace === b.namespace;
}

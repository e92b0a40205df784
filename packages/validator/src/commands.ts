import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { kubernetesVersionProblem } from '@cmsweb/catalog/rules';
import type { ValidationResult } from './findings.js';
import { UsageError } from './errors.js';
import { CHECKS } from './checks/registry.js';
import { catalogOnce, type LoadedCatalog, readPolicyContext, readValidatorConfig } from './config/read-config.js';
import { readInputs } from './manifests/read-inputs.js';
import { validateManifestInputs } from './manifests/validate-manifests.js';
import type { Renderer, RenderRequest } from './render/renderer.js';
import { REPORTERS } from './report/reporters.js';
import type { ReportTool } from './report/reporter.js';
import { formatCheckList } from './report/check-list.js';
import { createKubeSchemaValidator, crdLocation, schemaOptionsProblem } from './schema/kube-schemas-adapter.js';
import { renderTimeoutProblem, type ValidatorConfig } from './config/validator-config.js';

// What each command does, as data for cli.ts to print: output text and exit code. No printing, no exit here.

export const DEFAULT_KUBERNETES_VERSION = '1.33';

export interface CommandOutput {
  stdout: string;
  /** What goes to standard error (render's failure), if anything. */
  stderr?: string;
  exitCode: number;
}

export interface CommonOptions {
  root: string;
  output: string;
  schemaLocation: string[];
  /** Folders or files of CRD manifests (--crd), relative to the current directory. */
  crd?: string[];
  color: boolean;
}

/**
 * The schema locations of a run: --schema-location values, then validator.yaml `crds:` (relative to the
 * root) and --crd paths as CRD locations. Refuses (bad input) a missing or broken CRD and a Kubernetes
 * version without shipped schemas, before any work starts.
 */
function schemaLocations(
  opts: CommonOptions,
  config: ValidatorConfig,
  root: string,
  kubernetesVersion?: string,
): string[] | undefined {
  const crdPaths = [...(config.crds ?? []).map((p) => resolve(root, p)), ...(opts.crd ?? []).map((p) => resolve(p))];
  const problem = schemaOptionsProblem(kubernetesVersion, crdPaths, opts.schemaLocation);
  if (problem) throw new UsageError(problem);
  const all = [...opts.schemaLocation, ...crdPaths.map(crdLocation)];
  return all.length ? all : undefined;
}

async function report(result: ValidationResult, opts: CommonOptions): Promise<CommandOutput> {
  const reporter = REPORTERS[opts.output];
  if (!reporter)
    throw new UsageError(
      `unknown output format "${opts.output}": expected one of ${Object.keys(REPORTERS).join(', ')}`,
    );
  const tool = opts.output === 'sarif' ? await reportTool(resolve(opts.root)) : undefined;
  return {
    stdout: reporter.format(result, { color: opts.color, ...(tool ? { tool } : {}) }),
    exitCode: result.summary.errors > 0 ? 1 : 0,
  };
}

/** The tool as the repository's catalog names it (SARIF): no organisation's name is built in. */
async function reportTool(root: string): Promise<ReportTool> {
  const cluster = (await catalogOnce(root)())?.catalog?.cluster;
  if (!cluster) return { name: 'validator' };
  const { displayName } = await import('@cmsweb/catalog');
  const url = cluster.git.repoURL;
  return {
    name: `${cluster.name}-validator`,
    fullName: `${displayName(cluster)} validator`,
    ...(url.startsWith('https://') ? { informationUri: url.replace(/\.git$/, '') } : {}),
  };
}

function checkOutput(opts: CommonOptions): void {
  if (!REPORTERS[opts.output])
    throw new UsageError(
      `unknown output format "${opts.output}": expected one of ${Object.keys(REPORTERS).join(', ')}`,
    );
}

/**
 * The renderer named by --renderer, given the render timeout of --render-timeout, else validator.yaml's
 * renderTimeout, else the renderer's default.
 */
async function renderer(name: string, timeoutOption: string | undefined, config: ValidatorConfig): Promise<Renderer> {
  const [{ RENDERERS }, { poolSettings }] = await Promise.all([
    import('./render/renderers.js'),
    import('./render/native-pool.js'),
  ]);
  const r = RENDERERS[name];
  if (!r) throw new UsageError(`unknown renderer "${name}": expected one of ${Object.keys(RENDERERS).join(', ')}`);
  const pool = name === 'native' ? poolSettings(process.env) : {};
  if ('problem' in pool) throw new UsageError(pool.problem);
  let timeoutSeconds = config.renderTimeout;
  if (timeoutOption !== undefined) {
    const value = /^\s*\d+(\.\d+)?\s*$/.test(timeoutOption) ? Number(timeoutOption) : timeoutOption;
    const problem = renderTimeoutProblem(value);
    if (problem) throw new UsageError(`--render-timeout: ${problem}`);
    timeoutSeconds = value as number;
  }
  return timeoutSeconds === undefined ? r : { ...r, render: (req) => r.render({ timeoutSeconds, ...req }) };
}

/**
 * Renders in flight at once: for the native pool, four per thread, so that a free thread finds a render of a
 * chart it has already seen (chart affinity, native-pool.ts); otherwise validateRepo's default (the cores).
 */
async function renderConcurrency(name: string): Promise<number | undefined> {
  if (name !== 'native') return undefined;
  const { DEFAULT_RENDER_THREADS, poolSettings } = await import('./render/native-pool.js');
  const pool = poolSettings(process.env);
  return 4 * ('threads' in pool && pool.threads ? pool.threads : DEFAULT_RENDER_THREADS);
}

function kubeVersion(v: string | undefined, fallback: string): string {
  const version = v ?? fallback;
  if (!/^v?\d+\.\d+(\.\d+)?$/.test(version))
    throw new UsageError(
      `--kube-version ${JSON.stringify(version)} is not a Kubernetes version: expected MAJOR.MINOR such as 1.33`,
    );
  const minor = version.replace(/^v/, '').split('.').slice(0, 2).join('.');
  const problem = kubernetesVersionProblem(minor);
  if (problem) throw new UsageError(`--kube-version ${JSON.stringify(version)} ${problem}`);
  return minor;
}

/**
 * --kube-version when given (the catalog is then not read for it), else the repository's Kubernetes version
 * when `root` holds a catalog, else the default.
 */
async function commandKubeVersion(
  option: string | undefined,
  catalog: () => Promise<LoadedCatalog | undefined>,
): Promise<string> {
  if (option !== undefined) return kubeVersion(option, DEFAULT_KUBERNETES_VERSION);
  return kubeVersion(undefined, (await catalog())?.catalog?.cluster.kubernetesVersion ?? DEFAULT_KUBERNETES_VERSION);
}

export async function runRepoCommand(
  opts: CommonOptions & {
    env: string[];
    service: string[];
    /** --scope: service:<name>, cluster or repository (repo/scope.ts). */
    scope?: string;
    /** --report-file: the JSON report is also written there (the cached output of the nx validate targets). */
    reportFile?: string;
    /** --render-store: helm's output kept and found again by content (render/render-store.ts). */
    renderStore?: string;
    renderer: string;
    renderTimeout?: string;
    concurrency?: number;
    onRendered?: (done: number, total: number) => void;
  },
): Promise<CommandOutput> {
  checkOutput(opts);
  const [{ parseScope }, { validateRepo }, { storedRenderer }] = await Promise.all([
    import('./repo/scope.js'),
    import('./repo/validate-repo.js'),
    import('./render/render-store.js'),
  ]);
  const scope = parseScope(opts.scope);
  // One service's validation renders (nx runs it when something it reads changed): its render thread loads the
  // engine now, on the other core, while the repository is read and checked, not when the first render waits
  // (~0.4 s of the run at 5,000 services). Not for the cluster: its renders mostly come from the render store.
  if (scope.kind === 'service' && opts.renderer === 'native')
    (await import('./render/native-pool.js')).pooledNativeRenderer.prestart();
  const root = resolve(opts.root);
  const config = await readValidatorConfig(root);
  const result = await validateRepo({
    scope,
    root,
    envs: opts.env,
    services: opts.service,
    renderer: opts.renderStore
      ? storedRenderer(await renderer(opts.renderer, opts.renderTimeout, config), resolve(opts.renderStore), root)
      : await renderer(opts.renderer, opts.renderTimeout, config),
    createSchemas: createKubeSchemaValidator,
    schemaLocations: schemaLocations(opts, config, root),
    config,
    concurrency: opts.concurrency ?? (await renderConcurrency(opts.renderer)),
    onRendered: opts.onRendered,
  });
  if (opts.reportFile) {
    const file = resolve(opts.reportFile);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, REPORTERS.json!.format(result, { color: false }));
  }
  return report(result, opts);
}

export async function runChartCommand(
  dir: string,
  opts: CommonOptions & {
    values: string[];
    namespace: string;
    kubeVersion?: string;
    release?: string;
    renderer: string;
    renderTimeout?: string;
  },
): Promise<CommandOutput> {
  checkOutput(opts);
  const root = resolve(opts.root);
  const config = await readValidatorConfig(root);
  const catalog = catalogOnce(root);
  const kubernetesVersion = await commandKubeVersion(opts.kubeVersion, catalog);
  const { validateChart } = await import('./chart/validate-chart.js');
  const result = await validateChart({
    dir,
    valueFiles: opts.values,
    namespace: opts.namespace,
    releaseName: opts.release,
    kubernetesVersion,
    renderer: await renderer(opts.renderer, opts.renderTimeout, config),
    createSchemas: createKubeSchemaValidator,
    schemaLocations: schemaLocations(opts, config, root, kubernetesVersion),
    config,
    context: await readPolicyContext(catalog, true),
  });
  return report(result, opts);
}

/** `name=value` of --set/--set-string/--set-file; the value keeps any further `=` and `,` (helm splits those). */
function assignments(option: string, items: readonly string[], resolvePath = false) {
  return items.map((item) => {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new UsageError(`${option} ${JSON.stringify(item)}: expected NAME=VALUE, e.g. image.tag=1.2.3`);
    const value = item.slice(eq + 1);
    return { name: item.slice(0, eq), value: resolvePath ? resolve(value) : value };
  });
}

/**
 * `validator render`: what `helm template` prints for a chart, by the renderer chosen (the same request the
 * repository run makes, so the two can be compared). A chart that does not render is refused (exit 1) with
 * the chart file and line; a missing chart is bad input.
 */
export async function runRenderCommand(
  dir: string,
  opts: {
    root: string;
    values: string[];
    set: string[];
    setString: string[];
    setFile: string[];
    release: string;
    namespace: string;
    kubeVersion?: string;
    includeCrds?: boolean;
    renderer: string;
    renderTimeout?: string;
  },
): Promise<CommandOutput> {
  const chartDir = resolve(dir);
  if (!existsSync(join(chartDir, 'Chart.yaml')))
    throw new UsageError(`render: ${dir} is not a chart directory (no Chart.yaml in it)`);
  for (const f of opts.values) if (!existsSync(f)) throw new UsageError(`render: values file ${f} does not exist`);
  const root = resolve(opts.root);
  const config = await readValidatorConfig(root);
  const request: RenderRequest = {
    chartDir,
    releaseName: opts.release,
    namespace: opts.namespace,
    valueFiles: opts.values.map((f) => resolve(f)),
    kubeVersion: await commandKubeVersion(opts.kubeVersion, catalogOnce(root)),
    set: assignments('--set', opts.set),
    setString: assignments('--set-string', opts.setString),
    setFile: assignments('--set-file', opts.setFile, true),
    skipCrds: !opts.includeCrds,
  };
  const result = await (await renderer(opts.renderer, opts.renderTimeout, config)).render(request);
  if (!result.error) return { stdout: result.manifests, exitCode: 0 };
  const e = result.error;
  const where = e.file
    ? `${dir.replace(/\/+$/, '')}/${e.file}${e.line ? `:${e.line}${e.column ? `:${e.column}` : ''}` : ''}: `
    : '';
  return { stdout: '', stderr: `validator: render: ${where}${e.message}\n`, exitCode: 1 };
}

export async function runManifestsCommand(
  paths: string[],
  opts: CommonOptions & { kubeVersion?: string },
  stdin?: NodeJS.ReadableStream,
): Promise<CommandOutput> {
  checkOutput(opts);
  const root = resolve(opts.root);
  const catalog = catalogOnce(root);
  const kubernetesVersion = await commandKubeVersion(opts.kubeVersion, catalog);
  const config = await readValidatorConfig(root);
  const locations = schemaLocations(opts, config, root, kubernetesVersion);
  // The inputs are not kept in a variable: their text (as large as the input) is garbage once validated,
  // before the report is written.
  const result = await validateManifestInputs(await readInputs(paths, stdin), {
    kubernetesVersion,
    schemaLocations: locations,
    config,
    context: await readPolicyContext(catalog, false),
  });
  return report(result, opts);
}

export function runChecksCommand(output: string): CommandOutput {
  if (output !== 'text' && output !== 'json' && output !== 'markdown')
    throw new UsageError(`unknown output format "${output}" for checks: expected text, json or markdown`);
  return { stdout: formatCheckList(CHECKS, output), exitCode: 0 };
}

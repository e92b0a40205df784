import { cp, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, isAbsolute, join, posix, resolve } from 'node:path';
import semver from 'semver';
import { parseYaml, toJs } from '@cmsweb/yaml';
import { isRecord } from '../resources.js';

// A chart in git whose Chart.yaml names `file://` dependencies (the service charts and their library,
// charts/_library) renders only once those are in its charts/ directory. The consumers resolve them in
// their own checkout: Argo CD's repo server runs `helm dependency build` when `helm template` reports a
// missing dependency; Flux's source-controller loads each file:// chart from its directory (relative to
// the chart, inside the source) and adds it to the chart unpackaged. The validator does Flux's step in
// a temp copy (the repository is never written) and keeps Argo CD's trigger: only after helm says a
// dependency is missing, or where helm is sure to say so (no charts/ at all: dependenciesSurelyMissing), in
// which case a failed render is asked of helm again on the chart itself, so that a refusal is the one Argo CD
// would see. chartgen's tests prove both ways render the same bytes.

/** helm's refusal of a chart whose dependency is not in charts/ (the text Argo CD matches too). */
export function isMissingDependency(stderr: string): boolean {
  return (
    stderr.includes('found in Chart.yaml, but missing in charts/ directory') ||
    stderr.includes('found in requirements.yaml, but missing in charts')
  );
}

/**
 * Shell: true when helm's own check is sure to refuse the chart for a missing dependency: Chart.yaml lists
 * dependencies and the chart has no charts/ directory, or an empty one (the generated service charts in git).
 * Rendering such a chart first would only make helm print the refusal the renderer then acts on (one helm
 * process spent per render for nothing); false whenever helm could find something, so helm decides.
 */
export async function dependenciesSurelyMissing(chartDir: string): Promise<boolean> {
  let entries: string[];
  try {
    entries = await readdir(join(chartDir, 'charts'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') return false;
    entries = [];
  }
  if (entries.length > 0) return false;
  const meta = await readChartYaml(chartDir);
  return !('error' in meta) && Array.isArray(meta.value.dependencies) && meta.value.dependencies.some(isRecord);
}

export type LocalChart = { dir: string; remove(): Promise<void> } | { error: string };

/** Shell: a temp copy of `chartDir` with each `file://` dependency copied to charts/<alias or name>. */
export async function withLocalDependencies(chartDir: string): Promise<LocalChart> {
  const meta = await readChartYaml(chartDir);
  if ('error' in meta) return meta;
  const deps = Array.isArray(meta.value.dependencies) ? meta.value.dependencies.filter(isRecord) : [];
  const copies: Array<{ from: string; to: string }> = [];
  for (const dep of deps) {
    const name = String(dep.name ?? '');
    const repository = String(dep.repository ?? '');
    const where = `${join(chartDir, 'Chart.yaml')}: dependency "${name}"`;
    if (!repository.startsWith('file://'))
      return {
        error: `${where} from "${repository}" is not in charts/: expected charts/${name}-<version>.tgz (run helm dependency build; the validator renders offline) or a file:// repository`,
      };
    const path = repository.slice('file://'.length);
    if (isAbsolute(path))
      return {
        error: `${where} has the absolute path ${repository}: expected a path relative to the chart (file://../<dir>) inside the repository, which Argo CD and Flux resolve in their checkout`,
      };
    const depDir = resolve(chartDir, path);
    const depMeta = await readChartYaml(depDir);
    if ('error' in depMeta) return { error: `${where}: ${depMeta.error}` };
    if (depMeta.value.name !== name)
      return {
        error: `${where} points at ${repository}, whose Chart.yaml names the chart "${String(depMeta.value.name)}": expected "${name}"`,
      };
    const version = String(depMeta.value.version ?? '');
    const wanted = String(dep.version ?? '*');
    if (!semver.satisfies(version, wanted))
      return {
        error: `${where} wants version ${wanted}; ${repository} has ${version}: expected a matching version (regenerate with npx chartgen generate)`,
      };
    copies.push({ from: depDir, to: String(dep.alias ?? name) });
  }
  const tmp = await mkdtemp(join(tmpdir(), 'validator-chart-'));
  const dir = join(tmp, basename(chartDir));
  try {
    await cp(chartDir, dir, { recursive: true });
    for (const c of copies) await cp(c.from, join(dir, 'charts', c.to), { recursive: true });
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
  return { dir, remove: () => rm(tmp, { recursive: true, force: true }) };
}

/**
 * Shell: the directories (relative to the chart, `/`-separated) of the chart's `file://` dependencies
 * that are not vendored in its charts/, for reading their templates; [] when Chart.yaml does not parse.
 */
export async function fileDependencyDirs(chartDir: string, vendored: string[]): Promise<string[]> {
  const meta = await readChartYaml(chartDir);
  if ('error' in meta || !Array.isArray(meta.value.dependencies)) return [];
  return meta.value.dependencies
    .filter(isRecord)
    .filter(
      (d) =>
        typeof d.repository === 'string' && d.repository.startsWith('file://') && !isAbsolute(d.repository.slice(7)),
    )
    .filter((d) => !vendored.some((v) => v === d.name || v === d.alias || String(v).startsWith(`${String(d.name)}-`)))
    .map((d) => posix.normalize(String(d.repository).slice('file://'.length)));
}

async function readChartYaml(dir: string): Promise<{ value: Record<string, unknown> } | { error: string }> {
  const file = join(dir, 'Chart.yaml');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { error: `${file} does not exist: expected a chart directory` };
    throw e;
  }
  const parsed = parseYaml(text, file);
  const value = parsed.findings.some((f) => f.severity === 'error') ? undefined : toJs(parsed)[0];
  return isRecord(value) ? { value } : { error: `${file} is not a YAML mapping: expected apiVersion, name, version` };
}

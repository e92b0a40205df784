import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseYaml, toJs } from '@cmsweb/yaml';
import { GENERATED_MARKER } from './chart-files.js';
import { isUnder } from './diff-tree.js';

// Synchronous on purpose: a batch tool reading thousands of small files is several times faster with
// readFileSync than with one promise per file, and nothing else runs meanwhile.

/** Shell: which of `paths` (repository-relative) exist under `root` as files. */
export function existingPaths(root: string, paths: string[]): Set<string> {
  return new Set(paths.filter((p) => statSync(join(root, p), { throwIfNoEntry: false })?.isFile()));
}

/**
 * Shell: the directories under charts/ whose Chart.yaml carries chartgen's marker annotation, apart
 * from `known` ones (charts of catalog services, owned anyway: no need to read them).
 */
export function readGeneratedChartDirs(root: string, known: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const name of listDir(root, 'charts')) {
    const dir = `charts/${name}`;
    if (known.has(dir)) continue;
    const text = readIfFile(root, `${dir}/Chart.yaml`);
    if (text !== undefined && isGeneratedChart(text)) out.push(dir);
  }
  return out.sort();
}

/**
 * Shell: the generated directories (argocd/, flux/, cluster/) of environments/<env>/ folders whose
 * environment `envs` (catalog/cluster.yaml) no longer declares. Only those go: the overlays,
 * environment.yaml and holds.yaml there belong to people (the validator reports the leftover folder).
 */
export function readRemovedEnvironmentDirs(root: string, envs: readonly string[], generatedDirs: readonly string[]): string[] {
  return listDir(root, 'environments')
    .filter((name) => !envs.includes(name))
    .flatMap((name) => generatedDirs.map((d) => `environments/${name}/${d}`))
    .sort();
}

function isGeneratedChart(chartYaml: string): boolean {
  if (!chartYaml.includes(GENERATED_MARKER.key)) return false;
  const parsed = parseYaml(chartYaml, 'Chart.yaml');
  if (parsed.findings.some((f) => f.severity === 'error')) return false;
  const doc = toJs(parsed)[0] as { annotations?: Record<string, unknown> } | null;
  return doc?.annotations?.[GENERATED_MARKER.key] === GENERATED_MARKER.value;
}

/**
 * Shell: the current text of every file under `dirs` (recursively, symlinks not followed) and of the
 * `paths` that exist, by repository-relative path.
 */
export function readTree(root: string, dirs: readonly string[], paths: Iterable<string>): Map<string, string> {
  const out = new Map<string, string>();
  const dirSet = new Set(dirs);
  for (const d of dirs) {
    for (const f of listFiles(root, d)) {
      const text = readIfFile(root, f);
      if (text !== undefined) out.set(f, text);
    }
  }
  for (const p of paths) {
    if (out.has(p) || isUnder(p, dirSet)) continue;
    const text = readIfFile(root, p);
    if (text !== undefined) out.set(p, text);
  }
  return out;
}

function listFiles(root: string, dir: string): string[] {
  const out: string[] = [];
  for (const e of listEntries(root, dir)) {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) out.push(...listFiles(root, rel));
    else if (e.isFile() || e.isSymbolicLink()) out.push(rel);
  }
  return out;
}

function listEntries(root: string, dir: string) {
  try {
    return readdirSync(join(root, dir), { withFileTypes: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return [];
    throw e;
  }
}

function listDir(root: string, dir: string): string[] {
  return listEntries(root, dir).filter((e) => e.isDirectory()).map((e) => e.name);
}

function readIfFile(root: string, path: string): string | undefined {
  try {
    return readFileSync(join(root, path), 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR') return undefined;
    throw e;
  }
}

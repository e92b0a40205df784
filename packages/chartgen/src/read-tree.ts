import { lstatSync } from 'node:fs';
import { join } from 'node:path';
import { listSafeDir, listSafeTree, parseYaml, readSafeFile, RefusedFileError, toJs } from '@cmsweb/yaml';
import { atomicWriteTemp } from '@cmsweb/toolkit';
import { GENERATED_BY } from './chart-files.js';
import { isUnder } from './diff-tree.js';

// Synchronous on purpose: a batch tool reading thousands of small files is several times faster with
// readFileSync than with one promise per file, and nothing else runs meanwhile. Every read goes through
// the safe reader of @cmsweb/yaml: a symlink leaving the repository, a FIFO or a device is never read.

/** Stands for the content of a file that was refused (a symlink, FIFO, ...): equal to no planned text. */
export const REFUSED_CONTENT = '\u0000refused';

/** Shell: which of `paths` (repository-relative) exist under `root` in any form (never overwritten then). */
export function existingPaths(root: string, paths: string[]): Set<string> {
  return new Set(paths.filter((p) => lstatSync(join(root, p), { throwIfNoEntry: false }) !== undefined));
}

/**
 * Shell: the directories under charts/ whose Chart.yaml carries chartgen's marker annotation, apart
 * from `known` ones (charts of catalog services, owned anyway: no need to read them). The marker is
 * `markerKey` (the cluster's annotation domain); a chart marked under another domain (generated before
 * cluster.yaml changed annotationDomain) counts only when the manifest of generated files (`listed`,
 * charts/.generated) names its Chart.yaml: a marker alone in a foreign domain proves nothing.
 */
export function readGeneratedChartDirs(
  root: string,
  known: ReadonlySet<string>,
  markerKey: string,
  listed: ReadonlySet<string>,
): string[] {
  const out: string[] = [];
  for (const e of listSafeDir('charts', { root }) ?? []) {
    const dir = `charts/${e.name}`;
    if (e.kind !== 'dir' || known.has(dir)) continue;
    const text = readOrRefused(root, `${dir}/Chart.yaml`);
    if (text === undefined || text === REFUSED_CONTENT) continue;
    const keys = generatedMarkerKeys(text);
    if (keys.includes(markerKey) || (keys.length > 0 && listed.has(`${dir}/Chart.yaml`))) out.push(dir);
  }
  return out.sort();
}

/**
 * Shell: the generated directories (argocd/, flux/, cluster/) of environments/<env>/ folders whose
 * environment `envs` (catalog/cluster.yaml) no longer declares. Only those go: the overlays,
 * environment.yaml and holds.yaml there belong to people (the validator reports the leftover folder).
 */
export function readRemovedEnvironmentDirs(
  root: string,
  envs: readonly string[],
  generatedDirs: readonly string[],
): string[] {
  return (listSafeDir('environments', { root }) ?? [])
    .filter((e) => e.kind === 'dir' && !envs.includes(e.name))
    .map((e) => e.name)
    .flatMap((name) => generatedDirs.map((d) => `environments/${name}/${d}`))
    .sort();
}

/** The annotation keys `<domain>/generated-by` whose value is chartgen's in a Chart.yaml (none if it does not parse). */
function generatedMarkerKeys(chartYaml: string): string[] {
  if (!chartYaml.includes('/generated-by')) return [];
  const parsed = parseYaml(chartYaml, 'Chart.yaml');
  if (parsed.findings.some((f) => f.severity === 'error')) return [];
  const doc = toJs(parsed)[0] as { annotations?: Record<string, unknown> } | null;
  return Object.entries(doc?.annotations ?? {})
    .filter(([k, v]) => k.endsWith('/generated-by') && v === GENERATED_BY)
    .map(([k]) => k);
}

/**
 * Shell: the current text of every file under `dirs` (recursively, symlinked directories not entered)
 * and of the `paths` that exist, by repository-relative path; a refused file's text is REFUSED_CONTENT.
 * Throws RefusedFileError when an owned directory is a file or a symlink.
 */
export function readTree(root: string, dirs: readonly string[], paths: Iterable<string>): Map<string, string> {
  const out = new Map<string, string>();
  const dirSet = new Set(dirs);
  for (const d of dirs) {
    for (const f of listSafeTree(root, d)) {
      const text = readOrRefused(root, f);
      if (text !== undefined) out.set(f, text);
    }
  }
  for (const p of paths) {
    if (out.has(p) || isUnder(p, dirSet)) continue;
    const text = readOrRefused(root, p);
    if (text !== undefined) out.set(p, text);
  }
  return out;
}

/**
 * Shell: the leftover temporary files of atomic writes (writeFileAtomic's `.name.<pid>.<random>.tmp`) of
 * `paths` in directories outside `dirs`, which readTree does not list: `charts/.generated`, written last, is
 * the one a kill most often interrupts. Whether one may go is decided by the caller (its writer is dead).
 */
export function atomicTempsBeside(root: string, dirs: readonly string[], paths: Iterable<string>): string[] {
  const wanted = new Set(paths);
  const dirSet = new Set(dirs);
  const parents = new Set(
    [...wanted].filter((p) => !isUnder(p, dirSet)).map((p) => (p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '')),
  );
  const out: string[] = [];
  for (const parent of [...parents].sort()) {
    let entries: ReturnType<typeof listSafeDir>;
    try {
      entries = listSafeDir(parent || '.', { root });
    } catch (e) {
      if (e instanceof RefusedFileError) continue; // readTree reports a refused directory where it matters
      throw e;
    }
    for (const e of entries ?? []) {
      const path = parent ? `${parent}/${e.name}` : e.name;
      const temp = e.kind === 'file' ? atomicWriteTemp(path) : undefined;
      if (temp && wanted.has(temp.target)) out.push(path);
    }
  }
  return out;
}

function readOrRefused(root: string, path: string): string | undefined {
  try {
    return readSafeFile(path, { root });
  } catch (e) {
    if (e instanceof RefusedFileError) return REFUSED_CONTENT;
    throw e;
  }
}

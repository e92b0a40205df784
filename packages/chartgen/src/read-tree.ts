import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseYaml, toJs } from '@cmsweb/yaml';
import { GENERATED_MARKER } from './chart-files.js';

/** Shell: which of `paths` (repository-relative) exist under `root`. */
export async function existingPaths(root: string, paths: string[]): Promise<Set<string>> {
  const found = await Promise.all(paths.map(async (p) => ((await isFile(join(root, p))) ? p : undefined)));
  return new Set(found.filter((p): p is string => p !== undefined));
}

/** Shell: the directories under charts/ whose Chart.yaml carries chartgen's marker annotation. */
export async function readGeneratedChartDirs(root: string): Promise<string[]> {
  const entries = await readdir(join(root, 'charts'), { withFileTypes: true }).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return [];
    throw e;
  });
  const out: string[] = [];
  for (const e of entries) {
    if (!e.isDirectory()) continue;
    const text = await readFile(join(root, 'charts', e.name, 'Chart.yaml'), 'utf8').catch(() => undefined);
    if (text !== undefined && isGeneratedChart(text)) out.push(`charts/${e.name}`);
  }
  return out.sort();
}

function isGeneratedChart(chartYaml: string): boolean {
  const parsed = parseYaml(chartYaml, 'Chart.yaml');
  if (parsed.findings.some((f) => f.severity === 'error')) return false;
  const doc = toJs(parsed)[0] as { annotations?: Record<string, unknown> } | null;
  return doc?.annotations?.[GENERATED_MARKER.key] === GENERATED_MARKER.value;
}

/**
 * Shell: the current text of every file under `dirs` (recursively, symlinks not followed) and of the
 * `paths` that exist, by repository-relative path.
 */
export async function readTree(root: string, dirs: readonly string[], paths: Iterable<string>): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const wanted = new Set<string>(paths);
  for (const d of dirs) for (const f of await listFiles(root, d)) wanted.add(f);
  await Promise.all([...wanted].map(async (p) => {
    const text = await readFile(join(root, p), 'utf8').catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT' || e.code === 'EISDIR' || e.code === 'ENOTDIR') return undefined;
      throw e;
    });
    if (text !== undefined) out.set(p, text);
  }));
  return out;
}

async function listFiles(root: string, dir: string): Promise<string[]> {
  const entries = await readdir(join(root, dir), { withFileTypes: true }).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT' || e.code === 'ENOTDIR') return [];
    throw e;
  });
  const out: string[] = [];
  for (const e of entries) {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) out.push(...(await listFiles(root, rel)));
    else if (e.isFile() || e.isSymbolicLink()) out.push(rel);
  }
  return out;
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then((s) => s.isFile(), () => false);
}

import { resolve } from 'node:path';
import { listSafeDir, readSafeFile, RefusedFileError } from '@cmsweb/yaml';
import { fileDependencyDirs } from '../render/local-dependencies.js';
import type { ChartFiles } from './chart-files.js';

/**
 * What readChart read of a file:// dependency (the shared library chart), by its directory: in repository mode
 * every chart depends on the same one, which was read again for each of thousands of charts.
 */
export type DependencyReads = Map<string, { templates: Array<[string, string]>; refused: RefusedFileError[] }>;

/**
 * Shell: reads what the validator needs of a chart directory (and its subcharts' templates) through the
 * safe reader, with the chart directory as root: a file that is a symlink leaving the chart, a FIFO, a
 * device or not UTF-8 is listed in `refused` (such a chart must not be given to helm, which follows links
 * and quotes files in its errors).
 */
export async function readChart(
  dir: string,
  displayPath: string,
  /** Stores each distinct text once (repository mode: every chart holds the same library templates and schema). */
  intern: (text: string) => string = (text) => text,
  /** Dependencies read for other charts of the same run (their templates, and what was refused in them). */
  dependencyReads?: DependencyReads,
): Promise<ChartFiles> {
  const refused: RefusedFileError[] = [];
  const guard = refusalGuard(
    refused,
    (e) => new RefusedFileError(`${displayPath}/${e.path}`, e.reason, e.line, e.column),
  );
  const read = (rel: string) => {
    const text = guard(() => readSafeFile(rel, { root: dir }));
    return text === undefined ? undefined : intern(text);
  };
  const list = (rel: string) => guard(() => listSafeDir(rel, { root: dir })) ?? [];
  const files = (rel: string, out: string[]): string[] => {
    for (const e of list(rel)) {
      if (e.kind === 'dir') files(`${rel}/${e.name}`, out);
      else out.push(`${rel}/${e.name}`);
    }
    return out;
  };
  const subcharts = list('charts').map((e) => e.name);
  const templateFiles = files('templates', []);
  for (const s of subcharts) files(`charts/${s}/templates`, templateFiles);
  // A file:// dependency's templates (the library chart), by their path from this chart: ../_library/templates/x,
  // each read with the dependency's own directory as the root it may not leave.
  const dependencyTemplates: Record<string, string> = {};
  for (const d of await fileDependencyDirs(dir, subcharts)) {
    const depRoot = resolve(dir, d);
    const key = `${depRoot}\n${d}`;
    let dep = dependencyReads?.get(key);
    if (!dep) {
      dep = readDependency(depRoot, d, intern);
      dependencyReads?.set(key, dep);
    }
    for (const e of dep.refused)
      refused.push(new RefusedFileError(`${displayPath}/${e.path}`, e.reason, e.line, e.column));
    for (const [f, text] of dep.templates) dependencyTemplates[f] = text;
  }
  const templates: Record<string, string> = { ...dependencyTemplates };
  for (const f of templateFiles) {
    const text = read(f);
    if (text !== undefined) templates[f] = text;
  }
  // Every other file helm loads (.helmignore, README.md, files read with .Files.Get) must be safe too; the
  // three the validator reads are taken from there when they were read whole (not read a second time).
  const kept = new Map<string, string>();
  for (const f of files('.', []).map((p) => p.slice(2)))
    if (!f.startsWith('templates/') && !f.startsWith('charts/')) {
      const text = guard(() => readSafeFile(f, { root: dir, maxBytes: 64 * 1024 * 1024 }));
      if (text !== undefined && OWN_FILES.has(f)) kept.set(f, intern(text));
    }
  const own = (f: string) => kept.get(f) ?? read(f);
  return {
    path: displayPath,
    chartYaml: own('Chart.yaml'),
    valuesYaml: own('values.yaml'),
    valuesSchema: own('values.schema.json'),
    templates,
    subcharts,
    refused: [...new Map(refused.map((r) => [r.path, r])).values()],
  };
}

/** Runs a read, turning a refused file into undefined and noting the refusal (as `note` words it) in `refused`. */
function refusalGuard(refused: RefusedFileError[], note: (e: RefusedFileError) => RefusedFileError = (e) => e) {
  return <T>(f: () => T): T | undefined => {
    try {
      return f();
    } catch (e) {
      if (!(e instanceof RefusedFileError)) throw e;
      refused.push(note(e));
      return undefined;
    }
  };
}

const OWN_FILES = new Set(['Chart.yaml', 'values.yaml', 'values.schema.json']);

/** The templates of a file:// dependency at `depRoot` (shown as `d`, relative to the chart), each read inside it. */
function readDependency(
  depRoot: string,
  d: string,
  intern: (text: string) => string,
): { templates: Array<[string, string]>; refused: RefusedFileError[] } {
  const refused: RefusedFileError[] = [];
  const guard = refusalGuard(refused);
  const depFiles = (rel: string, out: string[]): string[] => {
    for (const e of guard(() => listSafeDir(rel, { root: depRoot, display: `${d}/${rel}` })) ?? []) {
      if (e.kind === 'dir') depFiles(`${rel}/${e.name}`, out);
      else out.push(`${rel}/${e.name}`);
    }
    return out;
  };
  const templates: Array<[string, string]> = [];
  for (const f of depFiles('templates', [])) {
    const text = guard(() => readSafeFile(f, { root: depRoot, display: `${d}/${f}` }));
    if (text !== undefined) templates.push([`${d}/${f}`, intern(text)]);
  }
  return { templates, refused };
}

import { resolve } from 'node:path';
import { listSafeDir, readSafeFile, RefusedFileError } from '@cmsweb/yaml';
import { fileDependencyDirs } from '../render/local-dependencies.js';
import type { ChartFiles } from './chart-files.js';

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
): Promise<ChartFiles> {
  const refused: RefusedFileError[] = [];
  const guard = <T>(f: () => T): T | undefined => {
    try {
      return f();
    } catch (e) {
      if (!(e instanceof RefusedFileError)) throw e;
      refused.push(new RefusedFileError(`${displayPath}/${e.path}`, e.reason, e.line, e.column));
      return undefined;
    }
  };
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
    const depFiles = (rel: string, out: string[]): string[] => {
      for (const e of guard(() => listSafeDir(rel, { root: depRoot, display: `${d}/${rel}` })) ?? []) {
        if (e.kind === 'dir') depFiles(`${rel}/${e.name}`, out);
        else out.push(`${rel}/${e.name}`);
      }
      return out;
    };
    for (const f of depFiles('templates', [])) {
      const text = guard(() => readSafeFile(f, { root: depRoot, display: `${d}/${f}` }));
      if (text !== undefined) dependencyTemplates[`${d}/${f}`] = intern(text);
    }
  }
  const templates: Record<string, string> = { ...dependencyTemplates };
  for (const f of templateFiles) {
    const text = read(f);
    if (text !== undefined) templates[f] = text;
  }
  // Every other file helm loads (.helmignore, README.md, files read with .Files.Get) must be safe too.
  for (const f of files('.', []).map((p) => p.slice(2)))
    if (!f.startsWith('templates/') && !f.startsWith('charts/'))
      guard(() => readSafeFile(f, { root: dir, maxBytes: 64 * 1024 * 1024 }));
  return {
    path: displayPath,
    chartYaml: read('Chart.yaml'),
    valuesYaml: read('values.yaml'),
    valuesSchema: read('values.schema.json'),
    templates,
    subcharts,
    refused: [...new Map(refused.map((r) => [r.path, r])).values()],
  };
}

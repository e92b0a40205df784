import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileDependencyDirs } from '../render/local-dependencies.js';
import type { ChartFiles } from './chart-files.js';

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

async function listFiles(dir: string, rel: string, out: string[]): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return;
    throw e;
  }
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (e.isDirectory()) await listFiles(join(dir, e.name), `${rel}/${e.name}`, out);
    else if (e.isFile()) out.push(`${rel}/${e.name}`);
  }
}

/** Shell: reads what the validator needs of a chart directory (and its subcharts' templates). */
export async function readChart(dir: string, displayPath: string): Promise<ChartFiles> {
  const subcharts = (await readdir(join(dir, 'charts')).catch(() => [] as string[])).sort();
  const templateFiles: string[] = [];
  await listFiles(join(dir, 'templates'), 'templates', templateFiles);
  for (const s of subcharts) await listFiles(join(dir, 'charts', s, 'templates'), `charts/${s}/templates`, templateFiles);
  // A file:// dependency's templates (the library chart), by their path from this chart: ../_library/templates/x.
  for (const d of await fileDependencyDirs(dir, subcharts)) await listFiles(join(dir, d, 'templates'), `${d}/templates`, templateFiles);
  const templates: Record<string, string> = {};
  for (const f of templateFiles) templates[f] = await readFile(join(dir, f), 'utf8');
  return {
    path: displayPath,
    chartYaml: await readIfExists(join(dir, 'Chart.yaml')),
    valuesYaml: await readIfExists(join(dir, 'values.yaml')),
    valuesSchema: await readIfExists(join(dir, 'values.schema.json')),
    templates,
    subcharts,
  };
}

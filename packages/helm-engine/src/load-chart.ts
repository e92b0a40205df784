// Shell: reads a chart directory (with charts/ subcharts and Chart.yaml file:// dependencies, as
// `helm dependency build` would place them) into the file map renderChart takes.
import { type Dirent, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readChartArchive } from './chart-archive.js';
import { parseGoYamlShared } from './goyaml.js';
import { isMap } from './template/values.js';
import type { ChartSource } from './chart.js';

function ignoreRules(dir: string): RegExp[] {
  return readFileSync(join(dir, '.helmignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#') && !l.startsWith('!'))
    .map((l) => {
      const dirOnly = l.endsWith('/');
      const pat = l.replace(/\/$/, '');
      const body = pat
        .split('')
        .map((c) => (c === '*' ? '[^/]*' : c === '?' ? '[^/]' : c.replace(/[.+^$()|\\{}]/g, '\\$&')))
        .join('');
      // A pattern without a slash matches a base name anywhere; with one, the path from the chart root.
      return pat.includes('/')
        ? new RegExp(`^${body.replace(/^\//, '')}${dirOnly ? '(/|$)' : '(/|$)'}`)
        : new RegExp(`(^|/)${body}(/|$)`);
    });
}

/** A packaged subchart: `charts/<file>.tgz` of a chart (at any depth of subcharts). */
const ARCHIVE = /(^|\/)charts\/[^/]+\.tgz$/;

/** The files of the archive at `path` (a key of `out`), as a subchart directory named after its top directory. */
function addArchive(bytes: Uint8Array, path: string, out: Map<string, string>) {
  const { top, files } = readChartArchive(bytes, path);
  const base = `${path.slice(0, path.lastIndexOf('/') + 1)}${top}/`;
  for (const [name, data] of files) {
    if (ARCHIVE.test(name)) addArchive(data, base + name, out);
    else out.set(base + name, data.toString('utf8'));
  }
}

/** `rel` is `dir` relative to the chart root ('' for the root), `/`-separated. */
function walk(
  dir: string,
  rel: string,
  rules: RegExp[],
  out: Map<string, string>,
  prefix: string,
  listed: Dirent[] = readdirSync(dir, { withFileTypes: true }),
) {
  // One readdir with types: no stat per entry but for symbolic links (followed, as helm's loader does).
  const entries = listed.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const name = e.name;
    const full = `${dir}/${name}`;
    const r = rel === '' ? name : `${rel}/${name}`;
    if (rules.length > 0 && rules.some((x) => x.test(r))) continue;
    const isDir = e.isDirectory() || (e.isSymbolicLink() && statSync(full).isDirectory());
    if (isDir) {
      // Hidden files under templates/ are skipped by helm's default rules.
      walk(full, r, rules, out, prefix);
    } else if (ARCHIVE.test(r)) {
      addArchive(readFileSync(full), prefix + r, out);
    } else if (!(r.startsWith('templates/') && name.startsWith('.'))) {
      out.set(prefix + r, readFileSync(full, 'utf8'));
    }
  }
}

/** Reads `dir` into a ChartSource; file:// dependencies missing from charts/ are added from their path. */
export function readChartDir(dir: string): ChartSource {
  const files = new Map<string, string>();
  addChart(resolve(dir), files, '');
  return { files };
}

function addChart(dir: string, files: Map<string, string>, prefix: string) {
  const entries = readdirSync(dir, { withFileTypes: true });
  const rules = entries.some((e) => e.name === '.helmignore') ? ignoreRules(dir) : [];
  walk(dir, '', rules, files, prefix, entries);
  const chartYaml = files.get(`${prefix}Chart.yaml`);
  if (chartYaml === undefined) return;
  let meta: unknown;
  try {
    meta = parseGoYamlShared(chartYaml);
  } catch {
    return;
  }
  if (!isMap(meta) || !Array.isArray(meta.dependencies)) return;
  for (const dep of meta.dependencies) {
    if (!isMap(dep)) continue;
    const repo = String(dep.repository ?? '');
    const name = String(dep.name ?? '');
    if (!repo.startsWith('file://')) continue;
    const vendored = [...files.keys()].some(
      (k) => k.startsWith(`${prefix}charts/`) && k.endsWith('/Chart.yaml') && files.get(k)!.includes(name),
    );
    if (vendored && [...files.keys()].some((k) => k === `${prefix}charts/${name}/Chart.yaml`)) continue;
    addChart(resolve(dir, repo.slice('file://'.length)), files, `${prefix}charts/${name}/`);
  }
}

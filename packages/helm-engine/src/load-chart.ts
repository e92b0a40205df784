// Shell: reads a chart directory (with charts/ subcharts and Chart.yaml file:// dependencies, as
// `helm dependency build` would place them) into the file map renderChart takes.
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { parseGoYaml } from './goyaml.js';
import { isMap } from './template/values.js';
import type { ChartSource } from './chart.js';

function ignoreRules(dir: string): RegExp[] {
  const f = join(dir, '.helmignore');
  if (!existsSync(f)) return [];
  return readFileSync(f, 'utf8')
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

function walk(dir: string, root: string, rules: RegExp[], out: Map<string, string>, prefix: string) {
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    const rel = relative(root, full).split(sep).join('/');
    if (rules.some((r) => r.test(rel))) continue;
    const st = statSync(full);
    if (st.isDirectory()) {
      // Hidden files under templates/ are skipped by helm's default rules.
      walk(full, root, rules, out, prefix);
    } else if (!(rel.startsWith('templates/') && name.startsWith('.'))) {
      out.set(prefix + rel, readFileSync(full, 'utf8'));
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
  walk(dir, dir, ignoreRules(dir), files, prefix);
  const chartYaml = files.get(`${prefix}Chart.yaml`);
  if (chartYaml === undefined) return;
  let meta: unknown;
  try {
    meta = parseGoYaml(chartYaml);
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

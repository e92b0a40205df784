import { readFile, readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join, relative, sep } from 'node:path';
import type { TemplateSources } from './templates.js';

/** The package's templates directory (packages/chartgen/templates). */
export const TEMPLATES_DIR = fileURLToPath(new URL('../templates/', import.meta.url));

/** Shell: reads every `*.hbs` under `dir`, keyed by path without the extension (`chart/deployment.yaml`). */
export async function readTemplateSources(dir: string = TEMPLATES_DIR): Promise<TemplateSources> {
  const out: TemplateSources = {};
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  for (const e of entries) {
    if (!e.isFile() || !e.name.endsWith('.hbs')) continue;
    const full = join(e.parentPath, e.name);
    out[
      relative(dir, full)
        .split(sep)
        .join('/')
        .replace(/\.hbs$/, '')
    ] = await readFile(full, 'utf8');
  }
  return out;
}

import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { loadCatalog, type LoadedCatalog, type SourceFile } from './load-catalog.js';

/** Shell: reads catalog/cluster.yaml and catalog/services/*.yaml under `root` and loads them. */
export async function readCatalog(root: string): Promise<LoadedCatalog> {
  const read = async (rel: string): Promise<SourceFile> => ({ path: rel, text: await readFile(join(root, rel), 'utf8') });
  const names = (await readdir(join(root, 'catalog', 'services')).catch(() => [] as string[]))
    .filter((n) => n.endsWith('.yaml') || n.endsWith('.yml'))
    .sort();
  const cluster = await read('catalog/cluster.yaml').catch(() => ({ path: 'catalog/cluster.yaml', text: '' }));
  const services = await Promise.all(names.map((n) => read(`catalog/services/${n}`)));
  return loadCatalog(cluster, services);
}

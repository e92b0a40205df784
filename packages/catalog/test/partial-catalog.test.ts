import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCatalog, readCatalog } from '../src/index.js';
import { CLUSTER, lines, service } from './fixtures.js';

// A partial catalog (validator --scope service:<name>, whose nx inputs are that service's file and
// catalog/cluster.yaml): the service's own rules still apply; rules between services are the whole catalog's.

const F = 'catalog/services/httpgo.yaml';
const httpgo = service('httpgo', 'allowFrom:\n  - service: reqmgr2\n  - namespace: monitorin\n', { prefix: '/shared' });
const reqmgr2 = service('reqmgr2', '', { prefix: '/shared' });
const cluster = { path: 'catalog/cluster.yaml', text: CLUSTER };

describe('partial catalog', () => {
  it('keeps the rules of the service itself and leaves allowFrom services and URL prefix owners to the whole catalog', () => {
    const partial = loadCatalog(cluster, [{ path: F, text: httpgo }], { partial: true });
    expect(lines(partial.findings)).toEqual([
      `${F}:8:5 catalog-allow-from namespace "monitorin" is not declared in catalog/cluster.yaml (did you mean "http"?)`,
    ]);
    // The same file alone, as a whole catalog: reqmgr2 is unknown.
    const alone = loadCatalog(cluster, [{ path: F, text: httpgo }]);
    expect(lines(alone.findings).some((l) => l.includes('no service "reqmgr2" in the catalog'))).toBe(true);
    // With reqmgr2, the whole catalog sees the prefix claimed twice; a partial load of either cannot.
    const whole = loadCatalog(cluster, [
      { path: F, text: httpgo },
      { path: 'catalog/services/reqmgr2.yaml', text: reqmgr2 },
    ]);
    expect(lines(whole.findings).some((l) => l.includes('catalog-url-prefix'))).toBe(true);
    expect(lines(whole.findings).some((l) => l.includes('no service "reqmgr2"'))).toBe(false);
  });

  const root = mkdtempSync(join(tmpdir(), 'catalog-partial-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('readCatalog with services reads only those files: another broken service file does not matter', async () => {
    mkdirSync(join(root, 'catalog', 'services'), { recursive: true });
    writeFileSync(join(root, 'catalog', 'cluster.yaml'), CLUSTER);
    writeFileSync(join(root, 'catalog', 'services', 'reqmgr2.yaml'), reqmgr2);
    writeFileSync(join(root, 'catalog', 'services', 'broken.yaml'), 'name: [\n');
    const one = await readCatalog(root, { services: ['reqmgr2'] });
    expect(one.findings).toEqual([]);
    expect(one.catalog?.services.map((s) => s.name)).toEqual(['reqmgr2']);
    const all = await readCatalog(root);
    expect(all.catalog).toBeUndefined();
    expect(all.findings.some((f) => f.file === 'catalog/services/broken.yaml')).toBe(true);
    const missing = await readCatalog(root, { services: ['nosuch'] });
    expect(missing.catalog).toBeUndefined();
    expect(lines(missing.findings)).toEqual([
      'catalog/services/nosuch.yaml:1:1 file-refused catalog/services/nosuch.yaml does not exist',
    ]);
  });
});

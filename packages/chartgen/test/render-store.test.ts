import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generate } from '../src/index.js';
import { copyRepo, fixtureRepo, removeTempDirs } from './helpers.js';
import { HELM_RENDER_STORE_ENV, helmTemplate, serviceChartDirs, vendorLibraryDirectory } from './render.js';

// The opt-in render store of render.ts (off unless CHARTGEN_TEST_HELM_RENDERS names a directory): a render is
// given from the store only when every byte helm would read is the same, and what it gives is what helm printed.

afterAll(removeTempDirs);

describe('the opt-in helm render store', () => {
  it('reuses a render only for the same bytes; stores no failure, no chart naming an impure function, no symbolic link', async () => {
    const store = mkdtempSync(join(tmpdir(), 'chartgen-render-store-'));
    const root = copyRepo(fixtureRepo);
    expect((await generate({ root, check: false })).status).toBe('ok');
    vendorLibraryDirectory(root, serviceChartDirs(root));
    const overlay = join(root, 'environments', 'dev', 'values', 'alpha.yaml');
    const render = () =>
      helmTemplate(root, 'alpha', 'web', [join(root, 'charts/alpha/values-dev.yaml'), overlay], false);
    const before = process.env[HELM_RENDER_STORE_ENV];
    process.env[HELM_RENDER_STORE_ENV] = store;
    try {
      const first = await render();
      expect(first.code, first.stderr).toBe(0);
      const stored = readdirSync(store);
      expect(stored).toHaveLength(1);
      expect(readFileSync(join(store, stored[0]!), 'utf8')).toBe(first.stdout);
      // Read from the store: a marker written into the stored render comes back (helm would not print it).
      writeFileSync(join(store, stored[0]!), `${first.stdout}# from the store\n`);
      expect((await render()).stdout).toBe(`${first.stdout}# from the store\n`);

      // One byte more in a values file: another key, so the real helm renders (no marker) and it is stored too.
      appendFileSync(overlay, '# a comment\n');
      const changed = await render();
      expect(changed.stdout).toBe(first.stdout);
      expect(readdirSync(store)).toHaveLength(2);

      // A failing render is not stored.
      appendFileSync(overlay, 'replicaz: 3\n');
      expect((await render()).code).not.toBe(0);
      expect(readdirSync(store)).toHaveLength(2);

      // A chart with a template calling `now` renders with helm every time and is not stored.
      writeFileSync(overlay, readFileSync(overlay, 'utf8').replace('replicaz: 3\n', ''));
      writeFileSync(join(root, 'charts/alpha/templates/clock.yaml'), '# rendered at {{ now }}\n');
      expect((await render()).code).toBe(0);
      expect(readdirSync(store)).toHaveLength(2);

      // Nor a chart holding a symbolic link: helm follows it (here to a template outside the chart, which the
      // digest of the chart's files cannot see), so the stored render of the same files would be wrong.
      rmSync(join(root, 'charts/alpha/templates/clock.yaml'));
      writeFileSync(join(root, 'linked.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: linked-marker\n');
      symlinkSync(join(root, 'linked.yaml'), join(root, 'charts/alpha/templates/linked.yaml'));
      const linked = await render();
      expect(linked.code, linked.stderr).toBe(0);
      expect(linked.stdout).toContain('name: linked-marker');
      expect(readdirSync(store)).toHaveLength(2);
    } finally {
      if (before === undefined) delete process.env[HELM_RENDER_STORE_ENV];
      else process.env[HELM_RENDER_STORE_ENV] = before;
      rmSync(store, { recursive: true, force: true });
    }
  });
});

import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixtureRepo, goldenDir, planFrom, readDirTree } from './helpers.js';

// The fixture catalog's complete output against test/golden/. Regenerate deliberately with
// UPDATE_GOLDEN=1 npx vitest run --root packages/chartgen, then review the diff.

describe('golden output of the fixture catalog', { timeout: 60_000 }, async () => {
  const planned = await planFrom(fixtureRepo);

  if (process.env.UPDATE_GOLDEN === '1') {
    rmSync(goldenDir, { recursive: true, force: true });
    for (const [path, text] of planned) {
      mkdirSync(dirname(join(goldenDir, path)), { recursive: true });
      writeFileSync(join(goldenDir, path), text);
    }
  }
  const golden = readDirTree(goldenDir);

  it('produces exactly the golden file set', () => {
    expect([...planned.keys()]).toEqual([...golden.keys()]);
  });

  for (const [path, text] of planned) {
    it(`matches golden ${path}`, () => {
      expect(text).toBe(golden.get(path));
    });
  }

  it('is deterministic: a second plan is byte-identical', async () => {
    const again = await planFrom(fixtureRepo);
    expect([...again.entries()]).toEqual([...planned.entries()]);
  });

  it('covers the features the fixture is for', () => {
    expect(planned.has('charts/gamma/Chart.yaml')).toBe(false); // VM service: no chart
    expect(golden.get('charts/alpha/values.yaml')).toContain('alpha_open_fds');
    expect(golden.get('charts/beta/values.yaml')).toContain('name: exporter');
    expect(golden.get('charts/alpha/values-prod.yaml')).toContain('enabled: true');
    expect(golden.get('environments/prod/values/alpha.yaml')).not.toContain('replicaCount');
  });
});

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generate } from '../src/index.js';
import { copyRepo, fixtureRepo, removeTempDirs } from './helpers.js';
import { find, helmTemplate, serviceChartDirs, vendorLibraryDirectory } from './render.js';

// Issue 7 item 5 on a generated chart: catalog strings that YAML 1.1 reads as other types (`no`, `on`,
// `1.10`, `0x1F`, `~`) reach the container as those strings through values.yaml and the real helm.

afterAll(removeTempDirs);

describe('catalog strings survive helm', { timeout: 120_000 }, () => {
  it('args [--appendonly, "no", "on", "1.10", "0x1F", "~"] are rendered as strings', async () => {
    const root = copyRepo(fixtureRepo);
    const file = join(root, 'catalog/services/beta.yaml');
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace(
        'args: [--config, /etc/beta/config.yaml]',
        'args: [--appendonly, "no", "on", "1.10", "0x1F", "~"]',
      ),
    );
    const r = await generate({ root, check: false });
    expect(r.status).toBe('ok');
    expect(readFileSync(join(root, 'charts/beta/values.yaml'), 'utf8')).toContain(
      'args:\n  - --appendonly\n  - "no"\n  - "on"\n  - "1.10"\n  - "0x1F"\n  - "~"\n',
    );
    vendorLibraryDirectory(root, serviceChartDirs(root)); // the library chart, resolved as Flux does
    const out = await helmTemplate(root, 'beta', 'web', [
      join(root, 'charts/beta/values-dev.yaml'),
      join(root, 'environments/dev/values/beta.yaml'),
    ]);
    expect(out.stderr).toBe('');
    const container = find(out.objects, 'Deployment', 'beta')!.spec.template.spec.containers.find(
      (c: { name: string }) => c.name === 'beta',
    );
    expect(container.args).toEqual(['--appendonly', 'no', 'on', '1.10', '0x1F', '~']);
  });
});

import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { catalogOnce, readPolicyContext } from '../src/config/read-config.js';
import { REPO_ROOT } from './helpers.js';

// Chart and manifests mode take the Kubernetes version and the policy context from the repository's catalog:
// read once per command, and not at all outside a repository.
const tmp = mkdtempSync(join(tmpdir(), 'validator-read-config-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('the catalog a command reads', () => {
  it('is read once however often it is asked for, and gives the policy context', async () => {
    const root = join(tmp, 'repo');
    cpSync(join(REPO_ROOT, 'catalog'), join(root, 'catalog'), { recursive: true });
    const catalog = catalogOnce(root);
    const first = catalog();
    expect(catalog()).toBe(first);
    const loaded = await first;
    expect(loaded?.catalog?.cluster.kubernetesVersion).toMatch(/^1\.\d+$/);
    // Removing the catalog after the first read changes nothing for this command: it is not read again.
    rmSync(join(root, 'catalog'), { recursive: true });
    expect(await catalog()).toBe(loaded);
    const context = await readPolicyContext(catalog, true);
    expect(context.complete).toBe(true);
    expect(context).not.toEqual(await readPolicyContext(catalogOnce(root), true));
  });

  it('is none outside a repository (no catalog/cluster.yaml): an empty policy context', async () => {
    const catalog = catalogOnce(tmp);
    expect(await catalog()).toBeUndefined();
    const context = await readPolicyContext(catalog, false);
    expect(context.complete).toBe(false);
  });
});

import { execFileSync } from 'node:child_process';
import { mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { copyRepo, fixtureRepo, readDirTree, removeTempDirs, runCli, runMain } from './helpers.js';

// chartgen never deletes from an incomplete catalog, never writes through a symlink, never reads a file
// outside the repository, and deletes only files it can prove it generated. The cases run chartgen's main()
// in this process; the FIFO case runs the real CLI (a read that blocked would hang the process, not fail a test).

/** Directories a case moved out of its temporary repository. */
const outsideDirs: string[] = [];
afterAll(() => {
  removeTempDirs();
  for (const d of outsideDirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function generated(): Promise<string> {
  const root = copyRepo(fixtureRepo);
  expect((await runMain(['generate', '--root', root])).code).toBe(0);
  return root;
}

/** Every entry under root with its type and content (symlinks as their target): what "nothing changed" means. */
function snapshot(root: string): string {
  return execFileSync('sh', ['-c', 'find . -printf "%p %y %l\\n" | sort && find . -type f -exec sha1sum {} + | sort'], {
    cwd: root,
    encoding: 'utf8',
  });
}

describe('chartgen deletion and reading safety', { timeout: 120_000 }, () => {
  it.each([
    [
      'missing',
      (root: string) => rmSync(join(root, 'catalog/services'), { recursive: true }),
      /catalog\/services\/ is missing/,
    ],
    [
      'a regular file',
      (root: string) => (
        rmSync(join(root, 'catalog/services'), { recursive: true }),
        writeFileSync(join(root, 'catalog/services'), 'x\n')
      ),
      /catalog\/services: is a file where a directory belongs/,
    ],
    [
      'a symlink out of the repository',
      (root: string) => {
        // Beside the temporary repository, so removed by this file's afterAll, not by removeTempDirs.
        const outside = join(root, '..', `${root.split('/').pop()}-services`);
        outsideDirs.push(outside);
        renameSync(join(root, 'catalog/services'), outside);
        symlinkSync(outside, join(root, 'catalog/services'));
      },
      /catalog\/services: is a symlink where a directory belongs/,
    ],
  ])('catalog/services %s: exit 2, nothing written or deleted', async (_name, breakIt, message) => {
    const root = await generated();
    breakIt(root);
    const before = snapshot(root);
    const r = await runMain(['generate', '--root', root]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(/nothing written\n$/);
    expect(snapshot(root)).toBe(before);
  });

  it('a service file that is a symlink to a file outside: refused by name, its content never printed, nothing written', async () => {
    const root = await generated();
    const secret = join(root, '..', `${root.split('/').pop()}-secret.yaml`);
    writeFileSync(secret, 'name: TOP-SECRET-VALUE\n');
    rmSync(join(root, 'catalog/services/beta.yaml'));
    symlinkSync(secret, join(root, 'catalog/services/beta.yaml'));
    const before = snapshot(root);
    const r = await runMain(['generate', '--root', root]);
    rmSync(secret);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^catalog\/services\/beta\.yaml:1:1: refused: catalog\/services\/beta\.yaml: is a symlink leading outside the repository root/m,
    );
    expect(r.stdout + r.stderr).not.toContain('TOP-SECRET');
    expect(snapshot(root)).toBe(before);
  });

  it.each([
    ['a FIFO', (p: string) => execFileSync('mkfifo', [p]), /FIFO/],
    ['a dangling symlink', (p: string) => symlinkSync('nowhere.yaml', p), /dangling symlink/],
    ['a symlink loop', (p: string) => symlinkSync(p, p), /symlink loop/],
    ['a directory', (p: string) => mkdirSync(p), /directory where a file belongs/],
  ])('a catalog file that is %s: exit 2 naming it, no hang, no internal error', async (_name, make, reason) => {
    const root = copyRepo(fixtureRepo);
    make(join(root, 'catalog/services/zeta.yaml'));
    const r = await (_name === 'a FIFO' ? runCli : runMain)(['generate', '--root', root]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      new RegExp(`^catalog/services/zeta\\.yaml:1:1: refused: catalog/services/zeta\\.yaml: .*${reason.source}`, 'm'),
    );
  });

  it('a generated chart directory that is a symlink: exit 2, nothing written through it', async () => {
    const root = await generated();
    const outside = join(root, '..', `${root.split('/').pop()}-alpha`);
    renameSync(join(root, 'charts/alpha'), outside);
    symlinkSync(outside, join(root, 'charts/alpha'));
    const before = snapshot(outside);
    const r = await runMain(['generate', '--root', root]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/charts\/alpha: is a symlink where a directory belongs/);
    expect(snapshot(outside)).toBe(before);
    rmSync(outside, { recursive: true });
  });

  it('writes the manifest of generated files and removes a stale file it lists even without a header', async () => {
    const root = await generated();
    const manifest = readDirTree(root).get('charts/.generated')!;
    expect(manifest).toMatch(/^charts\/alpha\/values\.yaml$/m);
    expect(manifest).toMatch(/^environments\/dev\/cluster\/backends-k8s-dev\.txt$/m);
    expect(manifest).not.toMatch(/values\/alpha\.yaml|environment\.yaml/);
    writeFileSync(join(root, 'charts/alpha/templates/listed.yaml'), 'kind: Secret\n');
    writeFileSync(join(root, 'charts/.generated'), `${manifest}charts/alpha/templates/listed.yaml\n`);
    const r = await runMain(['generate', '--root', root]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ {2}removed charts\/alpha\/templates\/listed\.yaml$/m);
  });

  // cluster.yaml's annotationDomain may change (the fixture's is fixture.internal): a chart marked
  // generated under another domain is chartgen's only when charts/.generated lists it.
  it.each([
    [false, 'left in place'],
    [true, 'removed'],
  ])('a chart marked generated under an earlier domain, listed in charts/.generated: %s → %s', async (listed) => {
    const root = await generated();
    mkdirSync(join(root, 'charts/gone'));
    const chart = 'apiVersion: v2\nname: gone\nversion: 1.0.0\nannotations:\n  cmsweb.cern.ch/generated-by: chartgen\n';
    writeFileSync(join(root, 'charts/gone/Chart.yaml'), chart);
    writeFileSync(join(root, 'charts/gone/values.yaml'), 'replicaCount: 1\n');
    if (listed) {
      const manifest = readDirTree(root).get('charts/.generated')!;
      writeFileSync(join(root, 'charts/.generated'), `${manifest}charts/gone/Chart.yaml\ncharts/gone/values.yaml\n`);
    }
    const r = await runMain(['generate', '--root', root]);
    expect(r.code).toBe(0);
    const tree = readDirTree(root);
    if (listed) {
      expect(r.stdout).toMatch(/^ {2}removed charts\/gone\/Chart\.yaml$/m);
      expect(r.stdout).toMatch(/^ {2}removed charts\/gone\/values\.yaml$/m);
      expect([...tree.keys()].filter((p) => p.startsWith('charts/gone/'))).toEqual([]);
    } else {
      expect(r.stdout).not.toMatch(/charts\/gone/);
      expect(tree.get('charts/gone/Chart.yaml')).toBe(chart);
      expect(tree.get('charts/gone/values.yaml')).toBe('replicaCount: 1\n');
    }
  });

  it("a chart marked generated in the cluster's own domain is chartgen's without being listed", async () => {
    const root = await generated();
    mkdirSync(join(root, 'charts/gone'));
    writeFileSync(
      join(root, 'charts/gone/Chart.yaml'),
      'apiVersion: v2\nname: gone\nversion: 1.0.0\nannotations:\n  fixture.internal/generated-by: chartgen\n',
    );
    const r = await runMain(['generate', '--root', root]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ {2}removed charts\/gone\/Chart\.yaml$/m);
  });
});

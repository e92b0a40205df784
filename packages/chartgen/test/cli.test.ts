import { existsSync, mkdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { copyRepo, fixtureRepo, inodes, readDirTree, removeTempDirs, runCli } from './helpers.js';

// The CLI as users run it: a child process against temp copies of the fixture repository.

afterAll(removeTempDirs);

async function generated(): Promise<string> {
  const root = copyRepo(fixtureRepo);
  const r = await runCli(['generate', '--root', root]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return root;
}

// Each test spawns several node processes; on a loaded CI machine that takes far longer than vitest's 5 s default.
describe('chartgen generate', { timeout: 120_000 }, () => {
  it('writes charts and environments, then --check finds nothing to do', async () => {
    const root = copyRepo(fixtureRepo);
    const first = await runCli(['generate', '--root', root]);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^chartgen: 81 added, 0 changed, 0 removed, 0 unchanged$/m);
    expect(existsSync(join(root, 'charts/alpha/templates/deployment.yaml'))).toBe(true);
    expect(existsSync(join(root, 'charts/gamma'))).toBe(false);
    const check = await runCli(['generate', '--check', '--root', root]);
    expect(check.code).toBe(0);
    expect(check.stdout).toBe('chartgen: up to date (73 files)\n');
  });

  it('writes only changed files: a second run rewrites nothing', async () => {
    const root = await generated();
    const before = inodes(root);
    const again = await runCli(['generate', '--root', root]);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe('chartgen: 0 added, 0 changed, 0 removed, 73 unchanged\n');
    expect(inodes(root)).toEqual(before);
  });

  it('--check exits 1 listing a hand-edited file and a stray one, writes nothing, and generate repairs both', async () => {
    const root = await generated();
    const values = join(root, 'charts/alpha/values.yaml');
    writeFileSync(values, readFileSync(values, 'utf8').replace('replicaCount: 1', 'replicaCount: 7'));
    writeFileSync(join(root, 'charts/alpha/templates/extra.yaml'), 'kind: ConfigMap\n');
    rmSync(join(root, 'environments/dev/argocd/apps/beta.yaml'));
    const tree = readDirTree(root);

    const check = await runCli(['generate', '--check', '--root', root]);
    expect(check.code).toBe(1);
    expect(check.stdout.split('\n').filter((l) => l.startsWith('  '))).toEqual([
      '  removed charts/alpha/templates/extra.yaml',
      '  changed charts/alpha/values.yaml',
      '  added   environments/dev/argocd/apps/beta.yaml',
    ]);
    expect(readDirTree(root)).toEqual(tree);

    const fix = await runCli(['generate', '--root', root]);
    expect(fix.code).toBe(0);
    expect(fix.stdout).toContain('1 added, 1 changed, 1 removed');
    expect((await runCli(['generate', '--check', '--root', root])).code).toBe(0);
  });

  it('exits 2 on a bad catalog, printing every finding as file:line:column, and writes nothing', async () => {
    const root = copyRepo(fixtureRepo);
    writeFileSync(join(root, 'catalog/services/delta.yaml'), 'name: delta\nnamespace: tools\nimage:\n  repository: r/delta\nports:\n  http: 8000\nreplicaz: 2\n');
    writeFileSync(join(root, 'catalog/services/beta.yaml'), readFileSync(join(root, 'catalog/services/beta.yaml'), 'utf8').replace('namespace: web', 'namespace: nowhere'));
    const before = readDirTree(root);
    const r = await runCli(['generate', '--root', root]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^catalog\/services\/beta\.yaml:3:1: namespace "nowhere" is not declared in catalog\/cluster\.yaml/m);
    expect(r.stderr).toMatch(/^catalog\/services\/delta\.yaml:7:1: unknown key "replicaz" .*did you mean "replicas"/m);
    expect(r.stderr).toMatch(/nothing written\n$/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(readDirTree(root)).toEqual(before);
  });

  it('exits 2 on a generation rule (a reserved service name) with its location', async () => {
    const root = copyRepo(fixtureRepo);
    writeFileSync(join(root, 'catalog/services/cluster.yaml'), 'name: cluster\nnamespace: tools\nimage:\n  repository: r/c\nports:\n  http: 8000\n');
    const r = await runCli(['generate', '--root', root]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^catalog\/services\/cluster\.yaml:1:1: service name "cluster" is reserved/m);
    expect(existsSync(join(root, 'charts'))).toBe(false);
  });

  it('never overwrites an overlay or environment.yaml; recreates an overlay only when it is missing', async () => {
    const root = copyRepo(fixtureRepo);
    mkdirSync(join(root, 'environments/prod'), { recursive: true });
    const envFile = '# hand-written\nname: prod\ncluster: fixture-prod\npromotesFrom: dev\n';
    writeFileSync(join(root, 'environments/prod/environment.yaml'), envFile);
    expect((await runCli(['generate', '--root', root])).code).toBe(0);
    expect(readFileSync(join(root, 'environments/prod/environment.yaml'), 'utf8')).toBe(envFile);
    expect(readFileSync(join(root, 'environments/dev/environment.yaml'), 'utf8')).toContain('promotesFrom: null');

    const overlay = join(root, 'environments/prod/values/alpha.yaml');
    const edited = readFileSync(overlay, 'utf8').replace('tag: 1.4.0-stable', 'tag: 1.5.0-stable');
    writeFileSync(overlay, edited);
    const r = await runCli(['generate', '--root', root]);
    expect(r.stdout).toContain('0 added, 0 changed, 0 removed');
    expect(readFileSync(overlay, 'utf8')).toBe(edited);
    expect((await runCli(['generate', '--check', '--root', root])).code).toBe(0);

    unlinkSync(overlay);
    const check = await runCli(['generate', '--check', '--root', root]);
    expect(check.code).toBe(1);
    expect(check.stdout).toContain('  added   environments/prod/values/alpha.yaml');
    await runCli(['generate', '--root', root]);
    expect(readFileSync(overlay, 'utf8')).toContain('tag: 1.4.0-stable');
  });

  it('deletes the chart and Argo CD/Flux objects of a removed service, keeping its overlays and hand-made charts', async () => {
    const root = await generated();
    mkdirSync(join(root, 'charts/handmade'));
    writeFileSync(join(root, 'charts/handmade/Chart.yaml'), 'apiVersion: v2\nname: handmade\nversion: 0.1.0\n');
    unlinkSync(join(root, 'catalog/services/beta.yaml'));
    const r = await runCli(['generate', '--root', root]);
    expect(r.code).toBe(0);
    expect(existsSync(join(root, 'charts/beta'))).toBe(false);
    for (const env of ['dev', 'prod']) {
      expect(existsSync(join(root, `environments/${env}/argocd/apps/beta.yaml`))).toBe(false);
      expect(existsSync(join(root, `environments/${env}/flux/helmreleases/beta.yaml`))).toBe(false);
      expect(existsSync(join(root, `environments/${env}/values/beta.yaml`))).toBe(true);
      expect(readFileSync(join(root, `environments/${env}/cluster/backends-k8s-${env}.txt`), 'utf8')).not.toContain('beta');
    }
    expect(existsSync(join(root, 'charts/handmade/Chart.yaml'))).toBe(true);
    expect(r.stdout).toMatch(/^ {2}removed charts\/beta\/Chart\.yaml$/m);
  });

  it('exits 3 with one line on an internal error, the stack only with DEBUG=1', async () => {
    const root = copyRepo(fixtureRepo);
    writeFileSync(join(root, 'charts'), 'not a directory\n');
    const r = await runCli(['generate', '--root', root]);
    expect(r.code).toBe(3);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^chartgen: internal error: .*(ENOTDIR|EEXIST).*\(DEBUG=1 shows the stack\)\n$/);
    const debug = await runCli(['generate', '--root', root], { DEBUG: '1' });
    expect(debug.code).toBe(3);
    expect(debug.stderr).toMatch(/\n\s+at /);
  });

  it('exits 2 on usage errors', async () => {
    expect((await runCli(['generate', '--bogus'])).code).toBe(2);
    expect((await runCli(['frobnicate'])).code).toBe(2);
    expect((await runCli([])).code).toBe(2);
    const missing = await runCli(['generate', '--root', join(fixtureRepo, 'does-not-exist')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/is not a directory/);
    const noCatalog = await runCli(['generate', '--root', join(fixtureRepo, 'catalog')]);
    expect(noCatalog.code).toBe(2);
    expect(noCatalog.stderr).toMatch(/catalog\/cluster\.yaml does not exist; --root must be a repository/);
  });

  it('four environments, one value file chain each; removing one deletes only what chartgen generated for it', async () => {
    const root = copyRepo(fixtureRepo);
    const cluster = join(root, 'catalog/cluster.yaml');
    const four = readFileSync(cluster, 'utf8').replace('  - name: prod\n', '  - name: test\n    cluster: fixture-test\n  - name: staging\n    cluster: fixture-staging\n  - name: prod\n');
    writeFileSync(cluster, four);
    expect((await runCli(['generate', '--root', root])).code).toBe(0);
    for (const env of ['dev', 'test', 'staging', 'prod']) {
      const app = readFileSync(join(root, `environments/${env}/argocd/apps/alpha.yaml`), 'utf8');
      expect(app).toContain(`      valueFiles:\n        - values-${env}.yaml\n        - ../../environments/${env}/values/alpha.yaml\n`);
      const hr = readFileSync(join(root, `environments/${env}/flux/helmreleases/alpha.yaml`), 'utf8');
      expect(hr).toContain(`      valuesFiles:\n        - charts/alpha/values.yaml\n        - charts/alpha/values-${env}.yaml\n        - environments/${env}/values/alpha.yaml\n`);
      expect(readFileSync(join(root, `charts/alpha/values-${env}.yaml`), 'utf8')).toContain(`environment: ${env}\n`);
      expect(readFileSync(join(root, `environments/${env}/values/alpha.yaml`), 'utf8')).not.toMatch(/^(environment|replicaCount|resources|autoscaling):/m);
    }
    writeFileSync(cluster, four.replace('  - name: staging\n    cluster: fixture-staging\n', ''));
    const r = await runCli(['generate', '--root', root]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('  removed environments/staging/argocd/apps/alpha.yaml\n');
    expect(r.stdout).toContain('  removed charts/alpha/values-staging.yaml\n');
    expect(existsSync(join(root, 'environments/staging/argocd'))).toBe(false);
    expect(existsSync(join(root, 'environments/staging/flux'))).toBe(false);
    expect(existsSync(join(root, 'environments/staging/cluster'))).toBe(false);
    expect(existsSync(join(root, 'charts/alpha/values-staging.yaml'))).toBe(false);
    // What people own stays, for the validator to report as a leftover (environment-leftover).
    expect(existsSync(join(root, 'environments/staging/values/alpha.yaml'))).toBe(true);
    expect(existsSync(join(root, 'environments/staging/environment.yaml'))).toBe(true);
    expect((await runCli(['generate', '--check', '--root', root])).code).toBe(0);
  });
});

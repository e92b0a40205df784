import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runRepoCommand } from '../src/commands.js';
import { nxTaskRun, parseScope, serviceEnters, serviceReads } from '../src/repo/scope.js';
import { listServiceFiles } from '../src/repo/read-repo.js';
import { listTree } from '../src/sources/read-tree.js';
import { type JsonReport, REPO_ROOT, runCli, tempRepo } from './helpers.js';

// validator --scope (src/repo/scope.ts) on the fixture repository with the real helm: a service scope
// reports the service's own defects at the same place as the whole run, and nothing a file outside its
// inputs says, so that nx may replay its result while those inputs are unchanged.

const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

function repoWith(edits: Record<string, (text: string) => string>): string {
  const repo = tempRepo();
  cleanups.push(repo.cleanup);
  for (const [file, edit] of Object.entries(edits)) {
    const p = join(repo.dir, file);
    let text = '';
    try {
      text = readFileSync(p, 'utf8');
    } catch {
      // a new file
    }
    writeFileSync(p, edit(text));
  }
  return repo.dir;
}

async function run(root: string, scope?: string): Promise<{ code: number; report: JsonReport }> {
  const out = await runRepoCommand({
    root,
    output: 'json',
    env: [],
    service: [],
    scope,
    renderer: 'helm',
    schemaLocation: [],
    color: false,
  });
  return { code: out.exitCode, report: JSON.parse(out.stdout) as JsonReport };
}

const brief = (r: JsonReport) => r.findings.map((f) => `${f.file}:${f.line} ${f.check}`);

describe('validator --nx-task (the command of every validate target of tools/nx-plugin)', () => {
  it('takes the scope, environment and report file from the nx task; refuses a project that is not one of the plugin’s', () => {
    expect(nxTaskRun({ NX_TASK_TARGET_PROJECT: 'svc-dbs', NX_TASK_TARGET_CONFIGURATION: 'prod' })).toEqual({
      scope: 'service:dbs',
      env: ['prod'],
      reportFile: '.nx-results/svc-dbs/validate-prod.json',
      renderStore: '.nx-results/renders',
    });
    // nx sets an empty configuration when the task has none: every environment, report validate.json.
    expect(nxTaskRun({ NX_TASK_TARGET_PROJECT: 'cluster', NX_TASK_TARGET_CONFIGURATION: '' })).toEqual({
      scope: 'cluster',
      env: [],
      reportFile: '.nx-results/cluster/validate.json',
      renderStore: '.nx-results/renders',
    });
    for (const project of [undefined, 'validator', 'svc-', 'svc-../x', 'svc-A'])
      expect(() => nxTaskRun({ NX_TASK_TARGET_PROJECT: project }), String(project)).toThrow(
        /NX_TASK_TARGET_PROJECT=.*: expected svc-<service> or cluster/,
      );
    expect(() => nxTaskRun({ NX_TASK_TARGET_PROJECT: 'svc-dbs', NX_TASK_TARGET_CONFIGURATION: '../x' })).toThrow(
      /NX_TASK_TARGET_CONFIGURATION="\.\.\/x": expected an environment/,
    );
  });

  it('the CLI refuses it beside the options it sets, and outside an nx task, with exit code 2', () => {
    const beside = runCli(['--nx-task', '--env', 'dev', '--report-file', 'x.json'], {
      env: { NX_TASK_TARGET_PROJECT: 'svc-demo' },
    });
    expect([beside.code, beside.stderr.trim()]).toEqual([
      2,
      'validator: --nx-task sets --scope, --env, --report-file and --render-store from the nx task: drop --report-file, --env',
    ]);
    const outside = runCli(['--nx-task'], { env: { NX_TASK_TARGET_PROJECT: '' } });
    expect(outside.code).toBe(2);
    expect(outside.stderr).toMatch(/NX_TASK_TARGET_PROJECT="": expected svc-<service> or cluster/);
  });
});

describe('parseScope', () => {
  it('reads service:<name>, cluster and repository; refuses anything else with what is expected', () => {
    expect(parseScope(undefined)).toEqual({ kind: 'repository' });
    expect(parseScope('repository')).toEqual({ kind: 'repository' });
    expect(parseScope('cluster')).toEqual({ kind: 'cluster' });
    expect(parseScope('service:dbs-global-r')).toEqual({ kind: 'service', name: 'dbs-global-r' });
    for (const bad of ['service:', 'service:../x', 'svc:dbs', 'Service:dbs', 'service:a/b'])
      expect(() => parseScope(bad), bad).toThrow(
        /expected service:<name> \(a service of catalog\/services\/\), cluster or repository/,
      );
  });

  it('serviceReads: own files and environment-level ones, never another service’s or cluster/', () => {
    const reads = (p: string) => serviceReads('demo', p);
    for (const p of [
      'catalog/cluster.yaml',
      'catalog/services/demo.yaml',
      'catalog/services/demo.yml',
      'charts/demo/templates/deployment.yaml',
      'charts/_library/templates/_pod.tpl',
      'environments/dev/values/demo.yaml',
      'environments/prod/argocd/apps/demo.yaml',
      'environments/prod/flux/helmreleases/demo.yml',
      'environments/prod/environment.yaml',
      'environments/prod/argocd/root.yaml',
      'environments/prod/flux/gitrepository.yaml',
    ])
      expect(reads(p), p).toBe(true);
    for (const p of [
      'catalog/services/demo2.yaml',
      'charts/demo2/Chart.yaml',
      'environments/dev/values/demo2.yaml',
      'environments/dev/argocd/apps/demo-x.yaml',
      'environments/dev/cluster/namespaces.yaml',
      'environments/dev/values/sub/demo.yaml',
      'README.md',
    ])
      expect(reads(p), p).toBe(false);
  });
});

describe('a service scope lists only the directories that can hold what it reads', () => {
  it('on this repository, for every service: the pruned listing is the full listing filtered by serviceReads', async () => {
    const services = readdirSync(join(REPO_ROOT, 'catalog', 'services')).map((f) => f.replace(/\.ya?ml$/, ''));
    expect(services.length).toBeGreaterThan(40);
    for (const dir of ['charts', 'environments']) {
      const full = await listTree(REPO_ROOT, dir);
      for (const service of services) {
        const pruned = await listServiceFiles(REPO_ROOT, dir, service);
        expect(pruned, `${service} ${dir}`).toEqual(full.filter((f) => serviceReads(service, f)));
      }
    }
  });

  it('the overlay names looked up are the ones the full listing holds: .yml, symlinks, a symlinked folder', async () => {
    const repo = tempRepo();
    cleanups.push(repo.cleanup);
    const at = (p: string) => join(repo.dir, p);
    mkdirSync(at('environments/dev/values'), { recursive: true });
    mkdirSync(at('environments/dev/argocd/apps'), { recursive: true });
    mkdirSync(at('environments/qa'), { recursive: true });
    writeFileSync(at('environments/dev/values/solo.yml'), 'a: 1\n');
    writeFileSync(at('environments/dev/values/solo-x.yaml'), 'a: 1\n');
    symlinkSync('/etc/hostname', at('environments/dev/argocd/apps/solo.yaml'));
    symlinkSync(at('environments/dev/values'), at('environments/qa/values'));
    const full = (await listTree(repo.dir, 'environments')).filter((f) => serviceReads('solo', f));
    expect(full).toContain('environments/dev/values/solo.yml');
    expect(full).toContain('environments/dev/argocd/apps/solo.yaml');
    expect(await listServiceFiles(repo.dir, 'environments', 'solo')).toEqual(full);
  });

  it('the charts looked up are what the full listing holds: a chart named before _library, a symlinked chart, none', async () => {
    const repo = tempRepo();
    cleanups.push(repo.cleanup);
    const at = (p: string) => join(repo.dir, p);
    // '0first' sorts before '_library' (listTree's order is by name); 'linked' is a symlink to a real chart.
    mkdirSync(at('charts/0first/templates'), { recursive: true });
    writeFileSync(at('charts/0first/Chart.yaml'), 'name: 0first\n');
    writeFileSync(at('charts/0first/templates/a.yaml'), 'kind: A\n');
    symlinkSync(at('charts/0first'), at('charts/linked'));
    mkdirSync(at('charts/_library'), { recursive: true });
    writeFileSync(at('charts/_library/Chart.yaml'), 'name: _library\n');
    for (const service of ['0first', 'linked', 'demo', 'absent']) {
      const full = (await listTree(repo.dir, 'charts')).filter((f) => serviceReads(service, f));
      expect(await listServiceFiles(repo.dir, 'charts', service), service).toEqual(full);
    }
    const first = await listServiceFiles(repo.dir, 'charts', '0first');
    expect(first.slice(0, 2)).toEqual(['charts/0first/Chart.yaml', 'charts/0first/templates/a.yaml']);
    expect(first.slice(2)).toEqual(['charts/_library/Chart.yaml']);
  });

  it('another service’s chart is not even listed (a symlink there is refused by the whole run, not by the service’s)', async () => {
    const repo = tempRepo();
    cleanups.push(repo.cleanup);
    mkdirSync(join(repo.dir, 'charts', 'other', 'templates'), { recursive: true });
    symlinkSync('/etc', join(repo.dir, 'charts', 'other', 'templates', 'outside'));
    expect(await listTree(repo.dir, 'charts')).toContain('charts/other/templates/outside');
    const svc = await listTree(repo.dir, 'charts', (d) => serviceEnters('demo', d));
    expect(svc.some((f) => f.startsWith('charts/demo/'))).toBe(true);
    expect(svc.some((f) => f.startsWith('charts/other/'))).toBe(false);
  });
});

describe('validator --scope on the fixture repository', { timeout: 300_000 }, () => {
  it('a service scope is clean where the whole run is, and reports fewer objects (its own)', async () => {
    const root = repoWith({});
    const whole = await run(root);
    const svc = await run(root, 'service:demo');
    expect(whole.report.findings).toEqual([]);
    expect(svc.report.findings).toEqual([]);
    expect(svc.code).toBe(0);
    expect(svc.report.summary.resources).toBeGreaterThan(0);
    expect(svc.report.summary.resources).toBeLessThan(whole.report.summary.resources);
  });

  it('its own defect is reported where the whole run reports it; files outside its inputs are not read', async () => {
    const root = repoWith({
      'environments/dev/values/demo.yaml': (t) => `${t}replicaz: 2\n`,
      // Outside svc-demo's inputs: a broken catalog file of another service, an unknown overlay, cluster/.
      'catalog/services/other.yaml': () => 'name: [\n',
      'environments/dev/values/ghost.yaml': () => 'image: { tag: x }\n',
      'environments/dev/cluster/namespaces.yaml': (t) => `${t}\n---\nkind: [\n`,
    });
    const whole = await run(root);
    const svc = await run(root, 'service:demo');
    const own = 'environments/dev/values/demo.yaml:7 overlay-schema';
    expect(brief(svc.report)).toEqual([own]);
    expect(svc.code).toBe(1);
    // The whole run cannot plan with a broken catalog: it reports the catalog file (and never the overlay).
    expect(brief(whole.report).some((l) => l.startsWith('catalog/services/other.yaml'))).toBe(true);
    expect(whole.code).toBe(1);
    // Without the files outside the service, the whole run reports the same finding, whole.
    const clean = repoWith({ 'environments/dev/values/demo.yaml': (t) => `${t}replicaz: 2\n` });
    const wholeClean = await run(clean);
    expect(brief(wholeClean.report)).toEqual([own]);
    expect(wholeClean.report.findings[0]).toEqual(svc.report.findings[0]);
  });

  it('a VM-hosted or unknown service is refused with exit 2 (no chart to validate)', () => {
    const root = repoWith({
      'catalog/services/vmsvc.yaml': () =>
        'name: vmsvc\nnamespace: demo\nvm: { hosts: [a.example.org] }\nurlPrefixes: [/vm]\n',
    });
    for (const name of ['nosuch', 'vmsvc']) {
      const r = runCli(['--root', root, '--scope', `service:${name}`]);
      expect(r.stderr).toBe(
        `validator: unknown service ${name}: expected a Kubernetes service of catalog/services/ (see \`ls catalog/services\`)\n`,
      );
      expect(r.code).toBe(2);
    }
  });
});

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { innerNxEnv, runInnerNx, scaffoldNxWorkspace, startCacheServer } from '@cmsweb/toolchain';
import { serviceReads } from '../src/repo/scope.js';
import { copyRepo, FIXTURES, FIXTURE_REPO, REPO_ROOT } from './helpers.js';

// The nx projects of tools/nx-plugin on real git repositories, through the real nx of the workspace: a copy
// of this repository's catalog, charts and environments (and of the fixture repository where a whole
// validation must run), with nx.json and the plugin verbatim. packages/, node_modules/ and tools/bin/ are
// symlinked (git-ignored), so the targets run the validator and helm of this workspace.

const require = createRequire(import.meta.url);
const plugin = require('../../../tools/nx-plugin/index.cjs') as {
  serviceInputs: (name: string) => string[];
  SHARED_INPUT: string;
  SHARED_INPUTS: Array<string | object>;
};
const { Minimatch } = require('minimatch') as {
  Minimatch: new (glob: string, options: { dot: boolean }) => { match: (path: string) => boolean };
};
/** nx's own glob engine, the one its task hasher selects a target's {workspaceRoot} input files with. */
const { matchGlobPaths } = require('nx/src/native') as {
  matchGlobPaths: (globs: string[], paths: string[]) => boolean[];
};
const nxJson = JSON.parse(readFileSync(join(REPO_ROOT, 'nx.json'), 'utf8')) as {
  namedInputs: Record<string, Array<string | object>>;
};

/** The file globs of svc-<name>:validate as nx reads them: the named input expanded, {projectRoot} = charts/<name>. */
function serviceGlobs(name: string): string[] {
  return plugin
    .serviceInputs(name)
    .flatMap((i) => (i === plugin.SHARED_INPUT ? nxJson.namedInputs[i]! : [i]))
    .filter((i): i is string => typeof i === 'string')
    .map((i) => i.replace('{projectRoot}/', `{workspaceRoot}/charts/${name}/`))
    .map((i) => {
      expect(i, 'every file input is a {workspaceRoot} or {projectRoot} glob').toMatch(/^\{workspaceRoot\}\//);
      return i.slice('{workspaceRoot}/'.length);
    });
}

const base = mkdtempSync(join(tmpdir(), 'validator-nx-projects-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

const git = (ws: string, ...args: string[]) => {
  const r = spawnSync('git', args, { cwd: ws, encoding: 'utf8' });
  expect(r.status, `git ${args.join(' ')}: ${r.stderr}`).toBe(0);
  return r.stdout;
};

/**
 * A git repository holding `source`'s catalog, charts and environments plus nx.json and the plugin, committed.
 * With `keep`, only those services' own files are copied (catalog entry, chart, overlays, Argo CD and Flux
 * objects) beside every shared file: nx builds the project graph of a few services instead of ~90 at each of
 * its invocations, and what the claims below are about (one service's inputs, the shared ones) is unchanged.
 */
function workspace(name: string, source: string, keep?: readonly string[]): string {
  const ws = join(base, name);
  copyRepo(source, ws, keep);
  scaffoldNxWorkspace(ws, {
    // .env too: nx reads it at start (this repository's keeps nx's plugins in its own process).
    copy: ['nx.json', '.env', 'tools/nx-plugin', 'tools/nx-executors'],
    link: ['node_modules', 'packages', 'tools/bin'],
  });
  writeFileSync(join(ws, '.gitignore'), 'node_modules\npackages\ntools/bin\n.nx/\n.nx-results/\n');
  git(ws, 'init', '-q', '-b', 'main');
  git(ws, 'add', '-A');
  git(ws, '-c', 'user.name=t', '-c', 'user.email=t@example.org', 'commit', '-qm', 'initial');
  return ws;
}

/** Commits an edit of `file`; returns the new commit. */
function commit(ws: string, file: string, edit: (text: string) => string, message: string): string {
  const p = join(ws, file);
  const before = readFileSync(p, 'utf8');
  const after = edit(before);
  expect(after, `the edit of ${file} changes it`).not.toBe(before);
  writeFileSync(p, after);
  git(ws, '-c', 'user.name=t', '-c', 'user.email=t@example.org', 'commit', '-qam', message);
  return git(ws, 'rev-parse', 'HEAD').trim();
}

/** Runs nx in `ws` (asynchronously: a cache server may be answering from this process). */
const nx = runInnerNx;

async function projects(ws: string, extra: string[] = []): Promise<string[]> {
  const r = await nx(ws, ['show', 'projects', '--json', ...extra]);
  expect(r.code, r.out).toBe(0);
  return (JSON.parse(r.out.slice(r.out.indexOf('['))) as string[]).sort();
}

/**
 * `nx show projects --json <extra>` for each of `queries`, all in ONE nx process (fixtures/nx-commands.cjs:
 * nx's own command parser and handler, one after the other, after what bin/nx.js does at start): one start of
 * node, nx and the workspace's plugins instead of one per query. Each list sorted; a query that fails fails.
 */
async function projectsOfEach(ws: string, queries: string[][]): Promise<string[][]> {
  const commands = queries.map((q) => ['show', 'projects', '--json', ...q]);
  const child = spawn(process.execPath, [join(FIXTURES, 'nx-commands.cjs'), JSON.stringify(commands)], {
    cwd: ws,
    env: innerNxEnv(),
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  expect(code, out).toBe(0);
  return commands.map((command, i) => {
    const m = new RegExp(`\\0nx-command ${i}\n([^]*?)\\0nx-exit (\\d+)\n`).exec(out);
    expect(m?.[2], `nx ${command.join(' ')}: ${out}`).toBe('0');
    const text = m![1]!;
    return (JSON.parse(text.slice(text.indexOf('['))) as string[]).sort();
  });
}

const trackedFiles = (() => {
  const r = spawnSync('git', ['ls-files', 'catalog', 'charts', 'environments'], { cwd: REPO_ROOT, encoding: 'utf8' });
  return r.stdout.split('\n').filter(Boolean);
})();
const k8sServices = trackedFiles
  .filter((f) => f.startsWith('catalog/services/'))
  .filter((f) => !/^vm\s*:/m.test(readFileSync(join(REPO_ROOT, f), 'utf8')))
  .map((f) => f.slice('catalog/services/'.length).replace(/\.ya?ml$/, ''))
  .sort();

describe('svc-<name>:validate inputs are the files validator --scope service:<name> reads', {
  timeout: 120_000,
}, () => {
  it('nx.json holds the shared inputs the plugin names', () => {
    expect(nxJson.namedInputs[plugin.SHARED_INPUT]).toEqual(plugin.SHARED_INPUTS);
  });

  it('for every file of this repository and every service, the nx globs and scope.ts agree', () => {
    expect(k8sServices.length).toBeGreaterThan(50);
    // nx matches {workspaceRoot} globs with minimatch to find what a change affects (affected/locators), and
    // files under the project's root (charts/<name>) are its own; the task hasher uses its native engine.
    // Most globs (the shared ones) are the same for every service: each glob's verdict on every file is
    // computed once, and the disagreements are collected and compared with none (one assertion, not one per
    // file and service: the comparison, not the matching, was most of this test's time).
    const byGlob = new Map<string, boolean[]>();
    const matches = (g: string) => {
      let m = byGlob.get(g);
      if (!m) {
        const mm = new Minimatch(g, { dot: true });
        m = trackedFiles.map((f) => mm.match(f));
        byGlob.set(g, m);
      }
      return m;
    };
    const wrong: string[] = [];
    let read = 0;
    for (const service of k8sServices) {
      const globs = serviceGlobs(service);
      const affects = globs.map(matches);
      const hashed = matchGlobPaths(globs, trackedFiles);
      trackedFiles.forEach((f, i) => {
        const byNx = affects.some((m) => m[i]);
        if (byNx !== serviceReads(service, f)) wrong.push(`${service}: ${f}: nx ${byNx}, scope.ts ${!byNx}`);
        if (hashed[i] !== byNx) wrong.push(`${service}: ${f}: nx's hasher ${hashed[i]}, its affected ${byNx}`);
        if (byNx) read++;
      });
    }
    expect(wrong).toEqual([]);
    // Each service reads its own files and the shared ones, far from the whole repository.
    expect(read / k8sServices.length).toBeLessThan(trackedFiles.length / 4);
  });

  it('the two globs of a service’s own files are wider than scope.ts only by names no generated file has', () => {
    const globs = serviceGlobs('dbs');
    const nx = (f: string) =>
      matchGlobPaths(globs, [f])[0] && globs.some((g) => new Minimatch(g, { dot: true }).match(f));
    for (const f of [
      'catalog/services/dbs.yml',
      'environments/dev/values/dbs.yml',
      'environments/dev/argocd/apps/dbs.yaml',
    ])
      expect([nx(f), serviceReads('dbs', f)], f).toEqual([true, true]);
    for (const f of ['catalog/services/dbs2.yaml', 'environments/dev/values/dbs-x.yaml', 'charts/das/values.yaml'])
      expect([nx(f), serviceReads('dbs', f)], f).toEqual([false, false]);
    // An input wider than what is read costs at most a cache miss, never the replay of a stale result.
    for (const f of ['environments/dev/cluster/dbs.yaml', 'catalog/services/dbs.yxml'])
      expect([nx(f), serviceReads('dbs', f)], f).toEqual([true, false]);
  });
});

describe('nx projects of this workspace', { timeout: 300_000 }, () => {
  it('an overlay or catalog file of one service affects that service and the cluster, no package (their tests fingerprint the repository instead)', async () => {
    const files = ['environments/prod/values/dbs.yaml', 'catalog/services/dbs.yaml', 'charts/_library/Chart.yaml'];
    const [overlay, catalog, all] = await projectsOfEach(
      REPO_ROOT,
      files.map((f) => ['--affected', `--files=${f}`]),
    );
    expect(overlay, files[0]).toEqual(['cluster', 'svc-dbs']);
    expect(catalog, files[1]).toEqual(['cluster', 'svc-dbs']);
    // The chart library is in every service's inputs; the packages are not affected by it either.
    expect(all).toEqual([...k8sServices.map((s) => `svc-${s}`), 'cluster'].sort());
  });
});

// Two Kubernetes services (dbs, the one bumped; das, the "other service") and a VM-hosted one (no chart: no
// project) with every shared file of this repository: each claim is about one service's inputs against the
// shared ones, and the whole list of projects is checked on this workspace above (the chart library affects
// one svc-<name> per Kubernetes service).
const KEPT = ['das', 'dbs', 'couchdb-tier0'];

describe('nx projects of this repository (copy of a few services in a git repository)', { timeout: 600_000 }, () => {
  const ws = workspace('repo', REPO_ROOT, KEPT);
  const kept = KEPT.filter((s) => k8sServices.includes(s));
  /** Each commit after the first, by what it changes (the last test asks nx what each one affects). */
  const commits: Record<string, string> = { initial: git(ws, 'rev-parse', 'HEAD').trim() };
  const bump = () =>
    commit(
      ws,
      'environments/prod/values/dbs.yaml',
      (t) => t.replace(/^(\s*tag:\s*)v0\.0\.1-stable$/m, '$1v0.0.2-stable'),
      'bump',
    );

  it('nx show projects lists one svc-<name> per Kubernetes service and the cluster project', async () => {
    expect(kept).toEqual(['das', 'dbs']); // couchdb-tier0 is VM-hosted: it must get no project
    expect(await projects(ws)).toEqual([...kept.map((s) => `svc-${s}`), 'cluster'].sort());
  });

  it('a one-line tag bump: its validation runs once, then comes from the cache', async () => {
    commits.bump = bump();
    // The cluster project (the whole repository, checks between services) is run in the fixture test below.
    const args = ['affected', '-t', 'validate', '--base=HEAD~1', '--exclude=cluster', '--outputStyle=static'];
    const first = await nx(ws, args);
    expect(first.code, first.out).toBe(0);
    expect(first.out).toMatch(/Successfully ran target validate for project svc-dbs/);
    expect(first.out).toMatch(/Cache:\s+0\/1 hit/);
    const text = readFileSync(join(ws, '.nx-results/svc-dbs/validate.json'), 'utf8');
    const report = JSON.parse(text);
    expect(report.summary.errors).toBe(0);
    expect(report.summary.resources).toBeGreaterThan(0);
    rmSync(join(ws, '.nx-results'), { recursive: true });
    const second = await nx(ws, args);
    expect(second.code, second.out).toBe(0);
    expect(second.out).toMatch(/Cache:\s+1\/1 hit/);
    expect(readFileSync(join(ws, '.nx-results/svc-dbs/validate.json'), 'utf8'), 'the report, restored').toBe(text);
    // A configuration is one environment (validator --nx-task reads it from the task): its own report, with
    // the objects of that environment only.
    const prod = await nx(ws, ['run', 'svc-dbs:validate:prod', '--outputStyle=static']);
    expect(prod.code, prod.out).toBe(0);
    const prodReport = JSON.parse(readFileSync(join(ws, '.nx-results/svc-dbs/validate-prod.json'), 'utf8'));
    expect(prodReport.summary.errors).toBe(0);
    expect(prodReport.summary.resources).toBeGreaterThan(0);
    expect(prodReport.summary.resources).toBeLessThan(report.summary.resources);
  });

  it('what each commit affects: the tag bump its service and the cluster, catalog/cluster.yaml every service, another service or the cluster-level generated files not svc-dbs', async () => {
    commits.bump ??= bump(); // when the test above was not run (-t)
    commits.cluster = commit(ws, 'catalog/cluster.yaml', (t) => `${t}# a comment is a change too\n`, 'cluster');
    commits.das = commit(ws, 'environments/dev/values/das.yaml', (t) => `${t}# touched\n`, 'das');
    commits.namespaces = commit(
      ws,
      'environments/prod/cluster/namespaces.yaml',
      (t) => `${t}# touched\n`,
      'namespaces',
    );
    // Each commit against its parent (--base --head: what --base=HEAD~1 asked right after it, the tree clean),
    // all in one nx process.
    const order = ['initial', 'bump', 'cluster', 'das', 'namespaces'];
    const affected = await projectsOfEach(
      ws,
      order.slice(1).map((c, i) => ['--affected', `--base=${commits[order[i]!]}`, `--head=${commits[c]}`]),
    );
    expect(Object.fromEntries(order.slice(1).map((c, i) => [c, affected[i]]))).toEqual({
      bump: ['cluster', 'svc-dbs'],
      cluster: [...kept.map((s) => `svc-${s}`), 'cluster'].sort(),
      das: ['cluster', 'svc-das'],
      namespaces: ['cluster'],
    });
  });
});

describe('validate targets through the shared remote cache (fixture repository, two checkouts)', {
  timeout: 600_000,
}, () => {
  it('the cluster and service validations of a second checkout are served from the first one’s results', async () => {
    const RW = 'rw-token-nx-projects-0123456789';
    const RO = 'ro-token-nx-projects-0123456789';
    const server = await startCacheServer({ dir: join(base, 'store'), readWriteTokens: [RW], readOnlyTokens: [RO] });
    try {
      // helm behind a wrapper that logs each `helm template`: who rendered what.
      const helmLog = join(base, 'helm.log');
      const wrapper = join(base, 'helm-wrapper.sh');
      writeFileSync(
        wrapper,
        `#!/bin/sh\n[ "$1" = template ] && echo "$PWD $*" >> '${helmLog}'\nexec '${join(REPO_ROOT, 'tools', 'bin', 'helm')}' "$@"\n`,
        { mode: 0o755 },
      );
      const templates = () =>
        existsSync(helmLog) ? readFileSync(helmLog, 'utf8').split('\n').filter(Boolean).length : 0;
      const remote = (ws: string, token: string) => ({
        // helm, not the in-process engine, so that each render is a process the wrapper counts.
        VALIDATOR_RENDERER: 'helm',
        HELM_BIN: wrapper,
        NX_CACHE_DIRECTORY: join(ws, '.local-cache'),
        NX_SELF_HOSTED_REMOTE_CACHE_SERVER: server.url,
        NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: token,
      });
      const args = ['run-many', '-t', 'validate', '--outputStyle=static'];
      const first = workspace('fixture-first', FIXTURE_REPO);
      const a = await nx(first, args, remote(first, RW));
      expect(a.code, a.out).toBe(0);
      // Two validate tasks, svc-demo's and the cluster's: the projects of the fixture repository (no separate
      // `nx show projects`, one nx start-up less).
      expect(a.out).toMatch(/Cache:\s+0\/2 hit/);
      expect(a.out).toContain('nx run svc-demo:validate');
      expect(a.out).toContain('nx run cluster:validate');
      // svc-demo rendered demo in dev and prod, through Argo CD and Flux; the cluster replayed those four.
      expect(a.out.indexOf('nx run svc-demo:validate')).toBeLessThan(a.out.indexOf('nx run cluster:validate'));
      expect(templates()).toBe(4);
      expect(readdirSync(join(first, '.nx-results/renders/demo'))).toHaveLength(4);
      const reports = ['.nx-results/svc-demo/validate.json', '.nx-results/cluster/validate.json'];
      const texts = reports.map((f) => readFileSync(join(first, f), 'utf8'));
      // The cluster is the whole repository: its report counts every object, the service's only its own.
      const [svc, cluster] = texts.map((t) => JSON.parse(t) as { summary: { resources: number; errors: number } });
      expect(cluster!.summary).toEqual({ resources: 24, errors: 0, warnings: 0 });
      expect(svc!.summary.errors).toBe(0);
      expect(svc!.summary.resources).toBeGreaterThan(0);
      expect(svc!.summary.resources).toBeLessThan(cluster!.summary.resources);

      const second = workspace('fixture-second', FIXTURE_REPO);
      const b = await nx(second, args, remote(second, RO));
      expect(b.code, b.out).toBe(0);
      expect(b.out).toMatch(/Cache:\s+2\/2 hit/);
      expect(b.out).toMatch(/remote cache/);
      expect(templates(), 'nothing rendered again').toBe(4);
      expect(readdirSync(join(second, '.nx-results/renders/demo'))).toHaveLength(4);
      expect(reports.map((f) => readFileSync(join(second, f), 'utf8'))).toEqual(texts);
    } finally {
      await server.close();
    }
  });
});

describe('tool versions (the runtime input of every validate target)', () => {
  const script = join(REPO_ROOT, 'tools', 'nx-plugin', 'tool-versions.cjs');
  const versions = (root: string, helm: string) => {
    const r = spawnSync(process.execPath, [script, root], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, HELM_BIN: helm },
    });
    expect(r.status, r.stderr).toBe(0);
    return r.stdout.trim();
  };

  it('change with the helm that renders and with any built file of the validator or a package it uses', () => {
    const ws = join(base, 'tools-ws');
    const pkg = (dir: string, name: string, deps: Record<string, string>) => {
      mkdirSync(join(ws, 'packages', dir, 'dist'), { recursive: true });
      writeFileSync(join(ws, 'packages', dir, 'package.json'), JSON.stringify({ name, dependencies: deps }));
      writeFileSync(join(ws, 'packages', dir, 'dist', 'index.js'), `export const name = '${name}';\n`);
    };
    pkg('validator', 'validator', { '@cmsweb/yaml': '*', ajv: '^8' });
    pkg('yaml', '@cmsweb/yaml', {});
    pkg('gitops-sync', 'gitops-sync', { validator: '*' }); // depends on the validator, not the other way
    const helm = (version: string) => {
      const f = join(base, `helm-${version}.sh`);
      writeFileSync(f, `#!/bin/sh\necho ${version}\n`, { mode: 0o755 });
      return f;
    };
    const v1 = versions(ws, helm('v4.1.4+abc'));
    expect(v1).toMatch(/^validator:[0-9a-f]{16} helm:v4\.1\.4\+abc$/);
    expect(versions(ws, helm('v4.1.5+def'))).not.toBe(v1);
    expect(versions(ws, join(base, 'no-such-helm'))).toMatch(/ helm:absent$/);
    writeFileSync(join(ws, 'packages', 'gitops-sync', 'dist', 'index.js'), '// rebuilt\n');
    expect(versions(ws, helm('v4.1.4+abc')), 'a package the validator does not use').toBe(v1);
    writeFileSync(join(ws, 'packages', 'yaml', 'dist', 'index.js'), '// rebuilt\n');
    const v2 = versions(ws, helm('v4.1.4+abc'));
    expect(v2, 'a package the validator uses').not.toBe(v1);
    writeFileSync(join(ws, 'packages', 'validator', 'dist', 'extra.js'), '\n');
    expect(versions(ws, helm('v4.1.4+abc'))).not.toBe(v2);
  });

  it('remembered while nothing it is made of changes: helm is not started again; a same-size rebuild is seen', () => {
    const ws = join(base, 'tools-cache-ws');
    mkdirSync(join(ws, 'packages', 'validator', 'dist'), { recursive: true });
    writeFileSync(join(ws, 'packages', 'validator', 'package.json'), JSON.stringify({ name: 'validator' }));
    const built = join(ws, 'packages', 'validator', 'dist', 'cli.js');
    writeFileSync(built, 'export const a = 1;\n');
    const runs = join(ws, 'helm-runs');
    const helm = join(ws, 'helm.sh');
    writeFileSync(helm, `#!/bin/sh\necho run >> '${runs}'\necho v4.1.4+abc\n`, { mode: 0o755 });
    const helmRuns = () => (existsSync(runs) ? readFileSync(runs, 'utf8').split('\n').filter(Boolean).length : 0);
    const v1 = versions(ws, helm);
    expect(versions(ws, helm)).toBe(v1);
    expect(helmRuns(), 'the second run is the remembered line').toBe(1);
    writeFileSync(built, 'export const a = 2;\n'); // same size, same second: the change time still differs
    const v2 = versions(ws, helm);
    expect(v2).not.toBe(v1);
    expect(helmRuns()).toBe(2);
    writeFileSync(helm, `#!/bin/sh\necho run >> '${runs}'\necho v4.1.5+abc\n`, { mode: 0o755 });
    expect(versions(ws, helm), 'helm replaced at the same path').toBe(v2.replace('v4.1.4', 'v4.1.5'));
  });
});

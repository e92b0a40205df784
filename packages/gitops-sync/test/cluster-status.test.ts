import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { clusterExitCode, clusterStatus } from '../src/commands/cluster.js';
import { parseImage } from '../src/core/cluster-compare.js';
import { clusterText } from '../src/format-cluster.js';
import { at, cliAsync, createFixture, DIGEST, type Fixture } from './helpers/fixture.js';
import { type FakeKubeApi, startFakeKubeApi } from './helpers/fake-kube-api.js';

// cluster-status against an HTTP server on 127.0.0.1 that answers the Kubernetes API paths it reads, through
// a kubeconfig: the real @kubernetes/client-node loads the config, sends the token, pages lists, and fails.

let fx: Fixture;
let repo: string;
let api: FakeKubeApi;
let kubeconfig: string;

beforeAll(async () => {
  fx = createFixture({ a: { dev: 'v2' }, b: { dev: 'v1' }, c: { dev: 'v3' } });
  fx.commit(
    {
      'catalog/services/a.yaml': 'name: a\nnamespace: dbs\n',
      'catalog/services/b.yaml': 'name: b\nnamespace: dbs\n',
      'catalog/services/c.yaml': 'name: c\nnamespace: das\n',
      'environments/dev/values/c.yaml': `image:\n  tag: v3\n  digest: ${DIGEST('c')}\n`,
    },
    'catalog',
    at(1),
  );
  repo = fx.clone('ops');
  api = await startFakeKubeApi();
  kubeconfig = api.kubeconfig(join(fx.dir, 'kubeconfig'));
});
afterAll(async () => {
  await api?.close();
  fx?.cleanup();
});

const inSync = () => {
  // 120 other Deployments in dbs: the list comes in two pages (limit 100, then the continue token).
  api.deployments = [
    ...Array.from({ length: 120 }, (_, i) => ({ namespace: 'dbs', name: `other-${i}`, image: 'x/other:1' })),
    { namespace: 'dbs', name: 'a', image: 'registry.cern.ch/cmsweb/a:v2', replicas: 2 },
    { namespace: 'dbs', name: 'b', image: 'registry.cern.ch:443/cmsweb/b:v1' },
    { namespace: 'das', name: 'c', image: `registry.cern.ch/cmsweb/c:v3@${DIGEST('c')}` },
  ];
  api.apps = ['a', 'b', 'c'].map((s) => ({ name: `${s}-dev`, sync: 'Synced', health: 'Healthy' }));
  api.faults.clear();
  api.requests.length = 0;
};
beforeEach(inSync);

const run = (extra: Record<string, string> = {}) => clusterStatus({ root: repo, env: 'dev', kubeconfig, ...extra });

describe('cluster-status', () => {
  it('all in sync: exit 0; the token was sent and the paged list followed its continue token', async () => {
    const r = await run();
    expect(r.error).toBeNull();
    expect(r.context).toBe('cmsweb-testbed');
    expect(
      r.rows.map((row) => [row.service, row.namespace, row.cluster.tag, row.cluster.rollout, row.differences]),
    ).toEqual([
      ['a', 'dbs', 'v2', 'complete', []],
      ['b', 'dbs', 'v1', 'complete', []],
      ['c', 'das', 'v3', 'complete', []],
    ]);
    expect(clusterExitCode(r)).toBe(0);
    expect(api.requests.every((q) => q.authorization === `Bearer ${api.token}`)).toBe(true);
    expect(api.requests.map((q) => q.path).filter((p) => p.includes('/namespaces/dbs/'))).toEqual([
      '/apis/apps/v1/namespaces/dbs/deployments?limit=100',
      '/apis/apps/v1/namespaces/dbs/deployments?continue=100&limit=100',
    ]);
    expect(clusterText(r)).toContain('all 3 services run what git says');
  });

  it('differences: another tag, a rollout in progress, a failed rollout, OutOfSync, a missing Deployment: exit 1', async () => {
    api.deployments = [
      { namespace: 'dbs', name: 'a', image: 'registry.cern.ch/cmsweb/a:v1', replicas: 2, ready: 1, updated: 1 },
      {
        namespace: 'das',
        name: 'c',
        image: `registry.cern.ch/cmsweb/c:v3@${DIGEST('d')}`,
        progressingReason: 'ProgressDeadlineExceeded',
      },
    ];
    api.apps = [
      { name: 'a-dev', sync: 'OutOfSync', health: 'Progressing' },
      { name: 'c-dev', sync: 'Synced', health: 'Degraded' },
    ];
    const r = await run();
    expect(clusterExitCode(r)).toBe(1);
    expect(Object.fromEntries(r.rows.map((row) => [row.service, row.differences]))).toEqual({
      a: [
        'runs v1, git says v2',
        'rollout progressing: 1/2 ready, 1 updated',
        'Argo CD Application a-dev is OutOfSync/Progressing',
      ],
      b: ['no Deployment b in namespace dbs'],
      c: [
        `runs registry.cern.ch/cmsweb/c:v3@${DIGEST('d')}, git pins digest ${DIGEST('c')}`,
        'rollout failed: 1/1 ready, 1 updated',
        'Argo CD Application c-dev is Synced/Degraded',
      ],
    });
    expect(clusterText(r)).toMatch(/3 of 3 services differ from git:\n {2}a: runs v1, git says v2\n/);
  });

  it('a cluster without Argo CD (the Application API answers 404): workloads only, no difference for it', async () => {
    api.apps = undefined;
    const r = await run();
    expect(r.rows.every((row) => row.app === null && row.differences.length === 0)).toBe(true);
    expect(clusterExitCode(r)).toBe(0);
  });

  it.each([
    [
      'refused credentials (401)',
      () => ({ kubeconfig: api.kubeconfig(join(fx.dir, 'bad-kubeconfig'), 'wrong') }),
      /listing Deployments in namespace d[ab]s: the credentials of the kubeconfig were refused \(401 Unauthorized\)/,
    ],
    [
      'a call that never answers',
      () => (api.faults.set(/deployments/, 'hang'), { timeout: '300ms' }),
      /listing Deployments in namespace d[ab]s timed out after 0\.3 s/,
    ],
    [
      'an expired continue token (410)',
      () => (api.faults.set(/continue=100/, 410), {}),
      /410 Gone: continue token expired/,
    ],
    [
      'a server error (500)',
      () => (api.faults.set(/applications/, 500), {}),
      /listing Argo CD Applications in namespace argocd: the API server answered 500/,
    ],
  ])('%s: exit 1 with one line naming the server and the cause', async (_name, setup, error) => {
    const r = await run(setup());
    expect(r.error).toMatch(error);
    expect(r.error).toContain(api.url);
    expect(r.rows).toEqual([]);
    expect(clusterExitCode(r)).toBe(1);
  });

  it('an unreachable API server: exit 1 naming it', async () => {
    const other = await startFakeKubeApi();
    const file = other.kubeconfig(join(fx.dir, 'gone-kubeconfig'));
    await other.close();
    const r = await run({ kubeconfig: file });
    expect(r.error).toMatch(/cannot reach the API server \(ECONNREFUSED\)/);
  });

  it('usage errors: an unknown context, a missing kubeconfig, an unknown environment, a bad timeout', async () => {
    await expect(run({ context: 'nope' })).rejects.toThrow(
      /--context "nope" is not in the kubeconfig: expected one of cmsweb-testbed, other/,
    );
    await expect(run({ kubeconfig: join(fx.dir, 'none') })).rejects.toThrow(/no such file/);
    await expect(clusterStatus({ root: repo, env: 'qa', kubeconfig })).rejects.toThrow(
      /--env qa: no environment of that name \(expected one of dev, preprod, prod\)/,
    );
    await expect(run({ timeout: 'soon' })).rejects.toThrow(/--timeout "soon" is not a duration/);
  });

  it('the CLI: --json, exit code 1 when they differ, --context', async () => {
    api.deployments = api.deployments.filter((d) => d.name !== 'b');
    // Asynchronous: the fake API server answers from this process.
    const r = await cliAsync(
      repo,
      ['cluster-status', '--env', 'dev', '--kubeconfig', kubeconfig, '--context', 'other', '--json'],
      at(2),
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    expect(r.json).toMatchObject({ environment: 'dev', context: 'other', status: 'differs', exitCode: 1, error: null });
    expect(r.json.services.find((s: any) => s.service === 'b').differences).toEqual([
      'no Deployment b in namespace dbs',
    ]);
  });

  it('image references: registry ports are not tags; digests with or without a tag', () => {
    expect(parseImage('registry.cern.ch:443/cmsweb/b:v1')).toEqual({
      repository: 'registry.cern.ch:443/cmsweb/b',
      tag: 'v1',
      digest: null,
    });
    expect(parseImage('registry.cern.ch:443/cmsweb/b')).toEqual({
      repository: 'registry.cern.ch:443/cmsweb/b',
      tag: null,
      digest: null,
    });
    expect(parseImage(`r/c@${DIGEST('c')}`)).toEqual({ repository: 'r/c', tag: null, digest: DIGEST('c') });
  });
});

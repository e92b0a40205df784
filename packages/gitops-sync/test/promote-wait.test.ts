import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { at, cliAsync, createFixture, git, type Fixture } from './helpers/fixture.js';
import { type FakeKubeApi, startFakeKubeApi } from './helpers/fake-kube-api.js';

// promote --push --wait: after the push, the target's cluster (a fake API server on 127.0.0.1, through a
// kubeconfig) is read until it runs the promoted image, rolled out. The "sync" is done by the test when it
// sees the first reading, so nothing depends on how fast anything is.

let fx: Fixture;
let api: FakeKubeApi;
let kubeconfig: string;

beforeAll(async () => {
  fx = createFixture({ a: { dev: 'v2', preprod: 'v1' }, b: { dev: 'v2', preprod: 'v1' } });
  api = await startFakeKubeApi();
  api.apps = undefined;
  kubeconfig = api.kubeconfig(join(fx.dir, 'kubeconfig'));
});
afterAll(async () => {
  await api?.close();
  fx?.cleanup();
});

const promote = (repo: string, service: string, extra: string[] = []) =>
  cliAsync(
    repo,
    [
      'promote',
      '--service',
      service,
      '--from',
      'dev',
      '--to',
      'preprod',
      '--push',
      '--wait',
      '--kubeconfig',
      kubeconfig,
      ...extra,
    ],
    at(5),
    { GITOPS_SYNC_POLL_MS: '50' },
  );

describe('promote --push --wait', () => {
  it('returns once the cluster runs the promoted tag, rolled out', async () => {
    api.deployments = [{ namespace: 'default', name: 'a', image: 'registry.cern.ch/cmsweb/a:v1' }];
    api.requests.length = 0;
    const running = promote(fx.clone('rm-a'), 'a');
    while (!api.requests.some((q) => q.path.includes('/deployments'))) await new Promise((r) => setTimeout(r, 20));
    api.deployments = [
      { namespace: 'default', name: 'a', image: 'registry.cern.ch/cmsweb/a:v2', replicas: 2, ready: 1 },
    ];
    const seen = api.requests.length;
    while (api.requests.length === seen) await new Promise((r) => setTimeout(r, 20));
    api.deployments = [{ namespace: 'default', name: 'a', image: 'registry.cern.ch/cmsweb/a:v2', replicas: 2 }];
    const r = await running;
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(
      /preprod: the cluster runs the promoted images, rolled out and healthy \(\d+ readings\)\n$/,
    );
    expect(r.code).toBe(0);
  });

  it('times out (exit 1) when the cluster never gets there; the commit stays pushed', async () => {
    api.deployments = [{ namespace: 'default', name: 'b', image: 'registry.cern.ch/cmsweb/b:v1' }];
    const r = await promote(fx.clone('rm-b'), 'b', ['--timeout', '1s', '--json']);
    expect(r.code).toBe(1);
    expect(r.json).toMatchObject({
      status: 'pushed',
      exitCode: 1,
      wait: { status: 'timed-out', environment: 'preprod' },
    });
    expect(r.json.wait.services[0].differences).toEqual(['runs v1, git says v2']);
    expect(git(fx.remote, ['log', '-1', '--format=%s', 'main'])).toBe('promote(preprod): b v2 from dev');
  });

  it('--wait without --push is a usage error (exit 2), nothing changes', async () => {
    const repo = fx.clone('rm-c');
    const head = git(fx.remote, ['rev-parse', 'main']);
    const r = await cliAsync(repo, ['promote', '--service', 'a', '--from', 'dev', '--to', 'preprod', '--wait'], at(5));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--wait goes with --push/);
    expect(git(fx.remote, ['rev-parse', 'main'])).toBe(head);
  });
});

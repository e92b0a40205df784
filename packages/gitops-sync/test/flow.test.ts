import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { at, cli, createFixture, DIGEST, git, read, show, type Fixture } from './helpers/fixture.js';
import { run } from './helpers/run.js';

// The whole path of one release: CI bumps the testbed, the release manager promotes dev → preprod →
// prod with --push into a bare remote; gates refuse too-early and out-of-order promotions. The CI bump, the
// first refusal and the text status run the real CLI (a child process); the other steps the same commands in
// this process (helpers/run.ts).

const SVC = 'dbs-global-r';
const OV = (env: string) => `environments/${env}/values/${SVC}.yaml`;

describe('dev → preprod → prod through a bare remote', () => {
  let fx: Fixture;
  let ci: string;
  let rm: string;
  const remoteHead = () => git(fx.remote, ['rev-parse', 'main']);

  beforeAll(() => {
    fx = createFixture({
      [SVC]: { dev: 'v00.06.38-stable', preprod: 'v00.06.38-stable', prod: 'v00.06.38-stable' },
      couchdb: { dev: '3.2.2-stable', preprod: '3.2.2-stable', prod: '3.2.2-stable' },
    });
    ci = fx.clone('ci-bot');
    rm = fx.clone('release-manager');
  });
  afterAll(() => fx.cleanup());

  it('CI bumps the testbed with a digest and pushes', () => {
    const r = cli(
      ci,
      [
        'bump',
        '--service',
        SVC,
        '--env',
        'dev',
        '--tag',
        'v00.06.39-stable',
        '--digest',
        DIGEST('1'),
        '--push',
        '--json',
      ],
      at(1),
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({ command: 'bump', status: 'pushed', exitCode: 0, environment: 'dev', attempts: 1 });
    expect(r.json.commit).toBe(remoteHead());
    expect(show(fx.remote, 'main', OV('dev'))).toContain(
      `tag: v00.06.39-stable   # moved by gitops-sync\n  digest: ${DIGEST('1')}\n`,
    );
    expect(git(fx.remote, ['log', '-1', '--format=%B', 'main'])).toBe(
      [
        `bump(dev): ${SVC} v00.06.39-stable`,
        '',
        `Service: ${SVC}`,
        'Environment: dev',
        'Tag: v00.06.39-stable',
        `Digest: ${DIGEST('1')}`,
        `Promotion-Id: ${r.json.message.match(/Promotion-Id: (\S+)/)[1]}`,
        'Requested-By: ci-bot <ci-bot@cern.example>',
      ].join('\n'),
    );
    expect(git(ci, ['status', '--porcelain'])).toBe('');
    expect(git(ci, ['rev-parse', 'HEAD'])).toBe(remoteHead());
  }, 60_000);

  it('refuses dev → preprod before the 1h soak, leaving everything as it was', () => {
    const before = { remote: remoteHead(), head: git(rm, ['rev-parse', 'HEAD']), text: read(rm, OV('preprod')) };
    const r = cli(rm, ['promote', '--service', SVC, '--from', 'dev', '--to', 'preprod', '--push', '--json'], at(1.5));
    expect(r.code).toBe(1);
    expect(r.json.status).toBe('refused');
    expect(r.json.gates.find((g: any) => g.gate === 'soak')).toMatchObject({
      status: 'fail',
      message: expect.stringMatching(/has run 30m in dev .* preprod requires 1h, 30m to go/),
    });
    expect(remoteHead()).toBe(before.remote);
    expect(git(rm, ['rev-parse', 'HEAD'])).toBe(before.head);
    expect(read(rm, OV('preprod'))).toBe(before.text);
    expect(git(rm, ['status', '--porcelain'])).toBe('');
  }, 60_000);

  it('promotes dev → preprod after the soak: tag changed, missing digest added, nothing else', async () => {
    const base = remoteHead();
    const r = await run(
      rm,
      ['promote', '--service', SVC, '--from', 'dev', '--to', 'preprod', '--push', '--json'],
      at(2.5),
    );
    expect(r.code).toBe(0);
    expect(r.json.status).toBe('pushed');
    const diff = git(fx.remote, ['diff', '--unified=0', base, 'main']);
    expect(diff.split('\n').filter((l) => /^[-+](?![-+])/.test(l))).toEqual([
      '-  tag: v00.06.38-stable   # moved by gitops-sync',
      '+  tag: v00.06.39-stable   # moved by gitops-sync',
      `+  digest: ${DIGEST('1')}`,
    ]);
    expect(git(fx.remote, ['diff', '--name-only', base, 'main'])).toBe(OV('preprod'));
    expect(git(fx.remote, ['log', '-1', '--format=%(trailers:key=Promoted-From,valueonly)', 'main'])).toBe('dev');
  }, 60_000);

  it('refuses a skipped environment (dev → prod) and a promotion before the 24h soak', async () => {
    const skip = await run(rm, ['promote', '--service', SVC, '--from', 'dev', '--to', 'prod', '--json'], at(30));
    expect(skip.code).toBe(1);
    expect(skip.json.gates.find((g: any) => g.gate === 'order').message).toBe(
      'prod promotes from preprod, not from dev: promote dev → preprod first, then preprod → prod',
    );
    const early = await run(rm, ['promote', '--service', SVC, '--from', 'preprod', '--to', 'prod', '--json'], at(20));
    expect(early.code).toBe(1);
    expect(early.json.gates.filter((g: any) => g.status === 'fail').map((g: any) => g.gate)).toEqual(['soak']);
  }, 60_000);

  it('promotes preprod → prod after 24h with the same digest, and status shows no lag', async () => {
    const r = await run(
      rm,
      ['promote', '--service', SVC, '--from', 'preprod', '--to', 'prod', '--push', '--json'],
      at(27),
    );
    expect(r.code).toBe(0);
    expect(show(fx.remote, 'main', OV('prod'))).toBe(
      show(fx.remote, 'main', OV('preprod'))
        .replace('in preprod:', 'in prod:')
        .replace('replicaCount: 1', 'replicaCount: 3'),
    );
    const s = await run(rm, ['status', '--json'], at(27));
    expect(s.code).toBe(0);
    const row = s.json.services.find((x: any) => x.service === SVC);
    for (const env of ['dev', 'preprod', 'prod'])
      expect(row.environments[env]).toMatchObject({ tag: 'v00.06.39-stable', digest: DIGEST('1'), held: null });
    expect(row.environments.prod.lags).toBe(false);
    expect(git(fx.remote, ['log', '--format=%s', 'main'])).toBe(
      [
        `promote(prod): ${SVC} v00.06.39-stable from preprod`,
        `promote(preprod): ${SVC} v00.06.39-stable from dev`,
        `bump(dev): ${SVC} v00.06.39-stable`,
        'initial layout',
      ].join('\n'),
    );
    expect(git(fx.remote, ['rev-list', '--min-parents=2', '--count', 'main'])).toBe('0');
  }, 60_000);

  it('status marks a lagging environment and the promotions possible now', async () => {
    expect(
      (await run(ci, ['bump', '--service', 'couchdb', '--env', 'dev', '--tag', '3.2.3-stable', '--push'], at(28))).code,
    ).toBe(0);
    expect(
      (await run(rm, ['promote', '--service', 'couchdb', '--from', 'dev', '--to', 'preprod', '--push'], at(29))).code,
    ).toBe(0);
    git(rm, ['pull', '-q', '--ff-only']);
    const s = await run(rm, ['status', '--json'], at(31));
    const row = s.json.services.find((x: any) => x.service === 'couchdb');
    expect(row.environments.dev.lags).toBeNull();
    expect(row.environments.preprod).toMatchObject({ tag: '3.2.3-stable', lags: false });
    expect(row.environments.prod).toMatchObject({
      tag: '3.2.2-stable',
      lags: true,
      lag: { source: 'preprod', sourceTag: '3.2.3-stable', direction: 'behind' },
    });
    expect(row.environments.prod.promotion).toMatchObject({
      from: 'preprod',
      tag: '3.2.3-stable',
      possible: false,
      blockedBy: [{ gate: 'soak' }],
    });
    expect(s.json.possible).toEqual([]);
    const later = cli(rm, ['status'], at(60));
    expect(later.stdout).toMatch(/couchdb\s+3\.2\.3-stable\s+3\.2\.3-stable\s+3\.2\.2-stable </);
    expect(later.stdout).toContain('possible promotions now:\n  couchdb: preprod → prod (3.2.3-stable)\n');
  }, 90_000);
});

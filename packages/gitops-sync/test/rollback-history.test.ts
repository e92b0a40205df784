import { afterEach, describe, expect, it } from 'vitest';
import { at, createFixture, ENVIRONMENTS, git, read, show, type Fixture } from './helpers/fixture.js';
import { run } from './helpers/run.js';

// Rollbacks with holds that promotions respect until a release, and history from git alone.

let fx: Fixture | undefined;
afterEach(() => fx?.cleanup());

describe('rollback, hold and release', () => {
  it('rolls back to the previous tag, holds the service, and lifts the hold on release', async () => {
    fx = createFixture({ a: { dev: 'v1.0.0', preprod: 'v1.0.0', prod: 'v1.0.0' } });
    const c = fx.clone('rm');
    expect((await run(c, ['bump', '--service', 'a', '--env', 'dev', '--tag', 'v1.1.0', '--push'], at(1))).code).toBe(0);
    expect(
      (await run(c, ['promote', '--service', 'a', '--from', 'dev', '--to', 'preprod', '--push'], at(3))).code,
    ).toBe(0);
    expect(
      (await run(c, ['promote', '--service', 'a', '--from', 'preprod', '--to', 'prod', '--push'], at(30))).code,
    ).toBe(0);

    const back = await run(
      c,
      ['rollback', '--service', 'a', '--env', 'prod', '--reason', 'INC-9 500s on /dbs', '--push', '--json'],
      at(31),
    );
    expect(back.code).toBe(0);
    expect(back.json.changes).toEqual([
      {
        service: 'a',
        environment: 'prod',
        from: { tag: 'v1.1.0', digest: null },
        to: { tag: 'v1.0.0', digest: null },
        promotedFrom: null,
      },
    ]);
    expect(show(fx.remote, 'main', 'environments/prod/values/a.yaml')).toContain(
      'tag: v1.0.0   # moved by gitops-sync',
    );
    expect(show(fx.remote, 'main', 'environments/prod/holds.yaml')).toContain(
      'holds:\n  a:\n    tag: v1.0.0\n    rolledBackFrom: v1.1.0\n    since: "2026-11-02T15:00:00.000Z"\n    by: rm <rm@cern.example>\n    reason: INC-9 500s on /dbs\n',
    );
    expect(git(fx.remote, ['log', '-1', '--format=%s%n%(trailers:key=Hold)', 'main'])).toBe(
      'rollback(prod): a v1.1.0 -> v1.0.0 (held)\nHold: v1.1.0',
    );

    const held = await run(c, ['promote', '--service', 'a', '--from', 'preprod', '--to', 'prod', '--json'], at(60));
    expect(held.code).toBe(1);
    expect(held.json.gates.find((g: any) => g.gate === 'hold').message).toBe(
      'a is held in prod since 2026-11-02T15:00:00.000Z (rolled back from v1.1.0 to v1.0.0 by rm <rm@cern.example>: INC-9 500s on /dbs); lift it with: gitops-sync release --service a --env prod',
    );
    const status = await run(c, ['status', '--json'], at(60));
    expect(status.json.services[0].environments.prod).toMatchObject({
      tag: 'v1.0.0',
      held: { rolledBackFrom: 'v1.1.0' },
      promotion: { possible: false },
    });

    const rel = await run(c, ['release', '--service', 'a', '--env', 'prod', '--push', '--json'], at(61));
    expect(rel.code).toBe(0);
    expect(show(fx.remote, 'main', 'environments/prod/holds.yaml')).toMatch(/holds: \{\}$/);
    expect(git(fx.remote, ['log', '-1', '--format=%(trailers:key=Release,valueonly)', 'main'])).toBe('v1.1.0');
    expect((await run(c, ['release', '--service', 'a', '--env', 'prod', '--json'], at(62))).json.gates[0].message).toBe(
      'a is not held in prod: nothing to release',
    );
    expect((await run(c, ['promote', '--service', 'a', '--from', 'preprod', '--to', 'prod'], at(62))).code).toBe(0);
    expect(read(c, 'environments/prod/values/a.yaml')).toContain('tag: v1.1.0');
  }, 120_000);

  it('a hold in the testbed stops CI bumps too; --to picks an older tag from history only', async () => {
    fx = createFixture({ a: { dev: 'v1' } });
    const c = fx.clone('ci');
    for (const [i, tag] of ['v2', 'v3'].entries())
      expect((await run(c, ['bump', '--service', 'a', '--env', 'dev', '--tag', tag], at(i + 1))).code).toBe(0);
    const never = await run(c, ['rollback', '--service', 'a', '--env', 'dev', '--to', 'v9', '--json'], at(4));
    expect(never.code).toBe(1);
    expect(never.json.gates[0].message).toBe(
      'dev never ran v9 according to git history (it ran: v3, v2, v1); rollback only goes back to a tag from history',
    );
    expect((await run(c, ['rollback', '--service', 'a', '--env', 'dev', '--to', 'v1'], at(4))).code).toBe(0);
    expect(read(c, 'environments/dev/values/a.yaml')).toContain('tag: v1 ');
    const bump = await run(c, ['bump', '--service', 'a', '--env', 'dev', '--tag', 'v4', '--json'], at(5));
    expect(bump.code).toBe(1);
    expect(bump.json.gates.filter((g: any) => g.status === 'fail').map((g: any) => g.gate)).toEqual(['hold']);
  }, 90_000);
});

describe('history from git alone', () => {
  it('lists a dozen promotions with who, what, where and when; a hand edit shows as an edit', async () => {
    // History is read from commits alone, however they reached the branch: the dozen commands commit locally
    // in one clone, each as its requester (the commit's author, whom history names), and reach the remote in
    // one push (--push and its races are the first test's and concurrency.test.ts's). Validation is off here:
    // its gate is gates-run.test.ts's, and it leaves no trace in history.
    const environments = Object.fromEntries(
      Object.entries(ENVIRONMENTS).map(([e, text]) => [
        e,
        text.replace('requireValidation: true', 'requireValidation: false'),
      ]),
    );
    fx = createFixture(
      {
        a: { dev: 'v0.0.0', preprod: 'v0.0.0', prod: 'v0.0.0' },
        b: { dev: 'v0.0.0', preprod: 'v0.0.0' },
      },
      { environments },
    );
    const rm = fx.clone('release-manager');
    const as = (who: string) => ({ GITOPS_SYNC_REQUESTER: `${who} <${who}@cern.example>` });
    const ops: Array<[string, string[], number]> = [];
    for (let i = 1; i <= 4; i++) {
      const h = i * 40;
      ops.push(['ci-bot', ['bump', '--service', 'a', '--env', 'dev', '--tag', `v0.${i}.0`], h]);
      ops.push(['release-manager', ['promote', '--service', 'a', '--from', 'dev', '--to', 'preprod'], h + 2]);
      ops.push(['release-manager', ['promote', '--service', 'a', '--from', 'preprod', '--to', 'prod'], h + 28]);
    }
    for (const [who, args, h] of ops) expect((await run(rm, args, at(h), as(who))).code, args.join(' ')).toBe(0);
    git(rm, ['push', '-q', 'origin', 'main']);
    fx.commit(
      {
        'environments/preprod/values/a.yaml':
          show(fx.remote, 'main', 'environments/preprod/values/a.yaml').replace('v0.4.0', 'v0.3.9') + '\n',
      },
      'hotfix by hand',
      at(300),
    );

    git(rm, ['fetch', '-q']);
    const h = (await run(rm, ['history', '--service', 'a', '--ref', 'origin/main', '--json'], at(400))).json;
    expect(h.events).toHaveLength(16); // 12 commands + the hand edit + the initial overlays of dev, preprod, prod
    expect(h.events.map((e: any) => e.action).filter((a: string) => a !== 'edit')).toHaveLength(12);
    expect(h.events[0]).toMatchObject({
      action: 'edit',
      environment: 'preprod',
      from: { tag: 'v0.4.0' },
      to: { tag: 'v0.3.9' },
      by: 'seed <seed@cern.example>',
      date: '2026-11-13T20:00:00+00:00',
    });
    const promotions = h.events.filter((e: any) => e.action === 'promote');
    expect(promotions).toHaveLength(8);
    expect(
      promotions.every(
        (e: any) =>
          e.by === 'release-manager <release-manager@cern.example>' && /^\d{8}T\d{6}Z-[0-9a-f]{8}$/.test(e.promotionId),
      ),
    ).toBe(true);
    const bumps = h.events.filter((e: any) => e.action === 'bump');
    expect(new Set(bumps.map((e: any) => e.by))).toEqual(new Set(['ci-bot <ci-bot@cern.example>']));
    expect(bumps.map((e: any) => `${e.from.tag}->${e.to.tag}`)).toEqual([
      'v0.3.0->v0.4.0',
      'v0.2.0->v0.3.0',
      'v0.1.0->v0.2.0',
      'v0.0.0->v0.1.0',
    ]);
    expect(h.events.find((e: any) => e.action === 'promote' && e.environment === 'prod')).toMatchObject({
      promotedFrom: 'preprod',
      from: { tag: 'v0.3.0' },
      to: { tag: 'v0.4.0' },
      date: at(188).replace('.000Z', '+00:00'),
    });
    const prodOnly = (
      await run(rm, ['history', '--service', 'a', '--env', 'prod', '--ref', 'origin/main'], at(400))
    ).stdout
      .trim()
      .split('\n');
    expect(prodOnly).toHaveLength(5);
    expect(prodOnly[0]).toMatch(
      /^2026-11-09T04:00:00\+00:00  prod +promote  v0\.3\.0 → v0\.4\.0 \(from preprod\)  by release-manager <release-manager@cern\.example>  [0-9a-f]{10}$/,
    );
    expect((await run(rm, ['history', '--service', 'b'], at(400))).stdout).toMatch(/dev +edit +\(none\) → v0\.0\.0/);
  }, 240_000);
});

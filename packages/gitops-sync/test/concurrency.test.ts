import { afterEach, describe, expect, it } from 'vitest';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { at, cliAsync, createFixture, git, read, show, type Fixture } from './helpers/fixture.js';
import { raceAtPush } from './helpers/race-at.js';
import { run } from './helpers/run.js';

// Real child processes of the CLI pushing into one bare remote at the same time, their first pushes made to meet
// (helpers/race-at.ts). The two races made deterministic by a hook in the remote (one command, no contender
// process) run the command in process.

let fx: Fixture | undefined;
afterEach(() => fx?.cleanup());

const promote = (repo: string, service: string, env: Record<string, string>) =>
  cliAsync(repo, ['promote', '--service', service, '--from', 'dev', '--to', 'preprod', '--push', '--json'], at(5), env);

describe('concurrent pushes', () => {
  // Three contenders whose first pushes meet (helpers/race-at.ts), so the race is certain rather than likely:
  // one wins the first round and the two others lose it and re-apply on the new head (and may race again).
  // Every lost race is a whole re-run (fetch, validation, commit, push), so contenders cost the square of
  // their number: six left to chance were up to 21 runs and still proved no race for sure.
  it('3 processes promoting different services at once: every promotion lands exactly once, history stays linear', async () => {
    const services = Array.from({ length: 3 }, (_, i) => `svc-${String(i).padStart(2, '0')}`);
    fx = createFixture(Object.fromEntries(services.map((s, i) => [s, { dev: `v2.${i}.0`, preprod: 'v1.0.0' }])));
    const base = git(fx.remote, ['rev-parse', 'main']);
    const clones = services.map((s) => fx!.clone(`rm-${s}`));
    const race = raceAtPush(fx.dir, services.length);
    const results = await Promise.all(services.map((s, i) => promote(clones[i]!, s, race)));
    for (const [i, r] of results.entries()) {
      expect(r.stderr, services[i]).toBe('');
      expect(r.json, services[i]).toMatchObject({ status: 'pushed', exitCode: 0 });
      // Each attempt but the last lost a race, recorded as such.
      expect(r.json.races, services[i]).toHaveLength(r.json.attempts - 1);
    }
    // The first round had one winner; the two others lost it (at least): the retry path ran for real.
    const attempts = results.map((r) => r.json.attempts as number).sort((a, b) => a - b);
    expect(attempts[0]).toBe(1);
    expect(
      attempts.slice(1).every((a) => a >= 2),
      `attempts ${attempts}`,
    ).toBe(true);
    for (const r of results)
      for (const race of r.json.races)
        expect(race).toMatch(
          /^attempt \d+: .*(rejected|failed|fetch first|non-fast-forward|lock|stale info|incorrect old value)/i,
        );
    const log = git(fx.remote, [
      'log',
      '--format=%H %P|%s|%(trailers:key=Promotion-Id,valueonly,separator=%x20)',
      `${base}..main`,
    ]).split('\n');
    expect(log).toHaveLength(3);
    expect(log.every((l) => l.split('|')[0]!.split(' ').length === 2)).toBe(true); // one parent each: linear
    expect(new Set(log.map((l) => l.split('|')[2])).size).toBe(3);
    expect(log.map((l) => l.split('|')[1]).sort()).toEqual(
      services.map((s, i) => `promote(preprod): ${s} v2.${i}.0 from dev`),
    );
    for (const [i, s] of services.entries()) {
      expect(show(fx.remote, 'main', `environments/preprod/values/${s}.yaml`)).toContain(`tag: v2.${i}.0 `);
      expect(results[i]!.json.commit).toBe(log.find((l) => l.includes(`: ${s} `))!.split(' ')[0]);
    }
    const races = results.reduce((n, r) => n + r.json.races.length, 0);
    console.log(
      `3 concurrent promotions: ${races} lost push races, all re-applied on the new head; attempts ${attempts.join(', ')}`,
    );
  }, 300_000);

  it('two bumps of one service to different tags pushing at once: one wins, the other re-plans and is refused by compare-and-swap', async () => {
    fx = createFixture({ a: { dev: 'v1' } });
    const [x, y] = [fx.clone('ci-x'), fx.clone('ci-y')];
    const race = raceAtPush(fx.dir, 2);
    const bump = (repo: string, tag: string) =>
      cliAsync(
        repo,
        ['bump', '--service', 'a', '--env', 'dev', '--tag', tag, '--expect-tag', 'v1', '--push', '--json'],
        at(1),
        race,
      );
    const [rx, ry] = await Promise.all([bump(x, 'v2-x'), bump(y, 'v2-y')]);
    const winner = [rx, ry].filter((r) => r.code === 0);
    const loser = [rx, ry].filter((r) => r.code !== 0);
    expect(winner).toHaveLength(1);
    expect(loser).toHaveLength(1);
    expect(winner[0]!.json).toMatchObject({ status: 'pushed', attempts: 1 });
    // Both pushed from the same head: the loser's first plan passed compare-and-swap, and it is the re-plan on
    // the winner's head (with the first attempt's pins) that refuses.
    expect(loser[0]!.code).toBe(1);
    expect(loser[0]!.json).toMatchObject({ status: 'refused', attempts: 2 });
    expect(loser[0]!.json.races).toHaveLength(1);
    const cas = loser[0]!.json.gates.find((g: any) => g.gate === 'compare-and-swap');
    expect(cas.message).toMatch(
      /^dev runs v2-[xy] now, expected v1: it changed since this change was planned; refusing instead of overwriting$/,
    );
    const won = winner[0]!.json.changes[0].to.tag;
    expect(cas.message).toContain(`dev runs ${won} now`);
    expect(show(fx.remote, 'main', 'environments/dev/values/a.yaml')).toContain(`tag: ${won} `);
    expect(git(fx.remote, ['rev-list', '--count', 'main'])).toBe('2');
  }, 120_000);

  it('two CLI bumps --push of different services started at once in one clone: both land, one after the other', async () => {
    fx = createFixture({ a: { dev: 'v1' }, b: { dev: 'v1' } });
    const repo = fx.clone('ci');
    const base = git(repo, ['rev-parse', 'HEAD']);
    const bump = (service: string, tag: string) =>
      cliAsync(repo, ['bump', '--service', service, '--env', 'dev', '--tag', tag, '--json', '--push'], at(1));
    const [ra, rb] = await Promise.all([bump('a', 'v2'), bump('b', 'v3')]);
    expect([ra.stderr, rb.stderr]).toEqual(['', '']);
    expect([ra.json.status, rb.json.status]).toEqual(['pushed', 'pushed']);
    expect(git(repo, ['rev-parse', 'HEAD'])).toBe(git(fx.remote, ['rev-parse', 'main']));
    const subjects = git(repo, ['log', '--format=%s', `${base}..HEAD`]).split('\n');
    expect([...subjects].sort()).toEqual(['bump(dev): a v2', 'bump(dev): b v3']);
    expect(git(repo, ['status', '--porcelain'])).toBe('');
    expect(show(fx.remote, 'main', 'environments/dev/values/b.yaml')).toContain('tag: v3 ');
  }, 120_000);

  it('a lost push race is redone on the new head: the other commit stays, ours lands on top', async () => {
    fx = createFixture({ a: { dev: 'v2', preprod: 'v1' }, b: { dev: 'v7', preprod: 'v6' } });
    raceOnce(fx, 'environments/dev/values/b.yaml', (t) => t.replace('tag: v7', 'tag: v8'));
    const repo = fx.clone('rm');
    const base = git(fx.remote, ['rev-parse', 'main']);
    const r = await run(
      repo,
      ['promote', '--service', 'a', '--from', 'dev', '--to', 'preprod', '--push', '--json'],
      at(5),
    );
    expect(r.json).toMatchObject({ status: 'pushed', attempts: 2 });
    expect(r.json.races).toEqual([expect.stringMatching(/^attempt 1: .*failed to update ref/)]);
    expect(git(fx.remote, ['log', '--format=%s', `${base}..main`])).toBe(
      'promote(preprod): a v2 from dev\ncompeting change',
    );
    expect(show(fx.remote, 'main', 'environments/dev/values/b.yaml')).toContain('tag: v8');
    expect(show(fx.remote, 'main', 'environments/preprod/values/a.yaml')).toContain('tag: v2 ');
    expect(git(repo, ['rev-parse', 'HEAD'])).toBe(git(fx.remote, ['rev-parse', 'main']));
  }, 120_000);

  it('a lost race against a change to the same overlay is refused by compare-and-swap, not overwritten', async () => {
    fx = createFixture({ a: { dev: 'v2', preprod: 'v1' } });
    raceOnce(fx, 'environments/preprod/values/a.yaml', (t) => t.replace('tag: v1', 'tag: v1-hotfix'));
    const repo = fx.clone('rm');
    const r = await run(
      repo,
      ['promote', '--service', 'a', '--from', 'dev', '--to', 'preprod', '--push', '--json'],
      at(5),
    );
    expect(r.code).toBe(1);
    expect(r.json.attempts).toBe(2);
    expect(r.json.gates.find((g: any) => g.status === 'fail').message).toBe(
      'preprod runs v1-hotfix now, expected v1: it changed since this change was planned; refusing instead of overwriting',
    );
    expect(show(fx.remote, 'main', 'environments/preprod/values/a.yaml')).toContain('tag: v1-hotfix');
    expect(git(fx.remote, ['log', '-1', '--format=%s', 'main'])).toBe('competing change');
    expect(read(repo, 'environments/preprod/values/a.yaml')).toContain('tag: v1 ');
  }, 120_000);
});

/**
 * Makes the remote lose the next push race deterministically: a commit changing `path` is prepared on
 * a side branch, and the remote's update hook moves main to it while our push is being received.
 */
function raceOnce(fx: Fixture, path: string, edit: (text: string) => string): void {
  const other = fx.clone('other');
  writeFileSync(join(other, path), edit(read(other, path)));
  git(other, ['commit', '-q', '-am', 'competing change']);
  git(other, ['push', '-q', 'origin', 'HEAD:refs/heads/competitor']);
  const hook = join(fx.remote, 'hooks', 'update');
  writeFileSync(
    hook,
    `#!/bin/sh
if [ "$1" = refs/heads/main ] && [ ! -e "$GIT_DIR/raced" ]; then
  touch "$GIT_DIR/raced"
  git update-ref refs/heads/main refs/heads/competitor "$2"
fi
exit 0
`,
  );
  chmodSync(hook, 0o755);
}

import { afterEach, describe, expect, it } from 'vitest';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { at, cloneState, createFixture, git, gitRaw, read, type Fixture } from './helpers/fixture.js';
import { run } from './helpers/run.js';

/** The work trees git lists for `repo` (only the main one once gitops-sync has cleaned up). */
const worktrees = (repo: string) =>
  git(repo, ['worktree', 'list', '--porcelain'])
    .split('\n')
    .filter((l) => l.startsWith('worktree '));

// gitops-sync behaves like `git commit` and `git push` would for a careful person: commit hooks run,
// operations in progress and other commands' locks are respected, local commits are not pushed
// behind the user's back. In-process against the command functions, on real repositories.

let fx: Fixture | undefined;
afterEach(() => fx?.cleanup());

const OV = (env: string, s = 'a') => `environments/${env}/values/${s}.yaml`;
const bumpArgs = (tag: string, ...more: string[]) => [
  'bump',
  '--service',
  'a',
  '--env',
  'dev',
  '--tag',
  tag,
  '--json',
  ...more,
];

/**
 * Everything a refused command must leave as it was: every ref (remote-tracking ones too), work tree, index and
 * registered work trees (helpers/fixture.ts cloneState, one git process), the overlay, the git directory.
 */
function state(repo: string) {
  return {
    ...cloneState(repo, { remotes: true }),
    overlay: read(repo, OV('dev')),
    gitDir: readdirSync(join(repo, '.git'))
      .filter((f) => f !== 'index' && f !== 'FETCH_HEAD')
      .sort(),
  };
}

function hook(dir: string, name: string, body: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, name), `#!/bin/sh\n${body}\n`);
  chmodSync(join(dir, name), 0o755);
}

describe('commit hooks', () => {
  it('a pre-commit hook that refuses aborts the commit with its output, and changes nothing', async () => {
    fx = createFixture({ a: { dev: 'v1' } });
    const repo = fx.clone('ci');
    hook(join(repo, '.git/hooks'), 'pre-commit', 'echo "pre-commit: overlays need a ticket" >&2\nexit 1');
    const before = state(repo);
    const r = await run(repo, bumpArgs('v2'), at(1));
    expect(r.code).toBe(1);
    expect(r.json.status).toBe('refused');
    expect(r.json.reason).toMatch(
      /^the repository's commit hooks refused the commit \(git commit failed\): .*pre-commit: overlays need a ticket.*; nothing was committed$/,
    );
    expect(state(repo)).toEqual(before);
  }, 60_000);

  it('core.hooksPath is respected: commit-msg refuses, then rewrites the message; pre-commit sees the planned change', async () => {
    fx = createFixture({ a: { dev: 'v1' } });
    const repo = fx.clone('ci');
    const log = join(fx.dir, 'hook.log');
    git(repo, ['config', 'core.hooksPath', '.githooks']);
    hook(
      join(repo, '.githooks'),
      'commit-msg',
      'grep -q "^Ticket:" "$1" || { echo "commit-msg: no Ticket: trailer" >&2; exit 1; }',
    );
    writeFileSync(join(repo, '.git/info/exclude'), '.githooks/\n');
    const before = state(repo);
    const refused = await run(repo, bumpArgs('v2'), at(1));
    expect(refused.json.reason).toContain('commit-msg: no Ticket: trailer');
    expect(state(repo)).toEqual(before);

    hook(join(repo, '.githooks'), 'commit-msg', 'printf "Ticket: CMSWEB-1\\n" >> "$1"');
    hook(
      join(repo, '.githooks'),
      'pre-commit',
      `git diff --cached --name-only >> ${log}; git diff --cached | grep '^+  tag' >> ${log}`,
    );
    const ok = await run(repo, bumpArgs('v2'), at(1));
    expect(ok.code).toBe(0);
    expect(ok.json.status).toBe('committed');
    expect(ok.json.notes).toContain("committed through git commit: the repository's pre-commit, commit-msg hooks ran");
    expect(readFileSync(log, 'utf8')).toBe(`${OV('dev')}\n+  tag: v2   # moved by gitops-sync\n`);
    expect(
      git(repo, [
        'log',
        '-1',
        '--format=%(trailers:key=Ticket,valueonly)%n%(trailers:key=Tag,valueonly)%n%an|%ad',
        '--date=iso-strict',
      ]),
    ).toBe('CMSWEB-1\n\nv2\n\nci|2026-11-01T09:00:00+00:00');
    expect(ok.json.commit).toBe(git(repo, ['rev-parse', 'HEAD']));
    expect(read(repo, OV('dev'))).toContain('tag: v2 ');
    expect(gitRaw(repo, ['status', '--porcelain'])).toBe('');
    expect(worktrees(repo)).toHaveLength(1);
  }, 60_000);

  it('a hook that changes the files to commit is refused (only the validated change is committed); with --push too', async () => {
    fx = createFixture({ a: { dev: 'v1' } });
    const repo = fx.clone('ci');
    hook(
      join(repo, '.git/hooks'),
      'pre-commit',
      `sed -i 's/replicaCount: 1/replicaCount: 9/' ${OV('dev')} && git add ${OV('dev')}`,
    );
    const remote = git(fx.remote, ['rev-parse', 'main']);
    const before = state(repo);
    const r = await run(repo, bumpArgs('v2', '--push'), at(1));
    expect(r.json.reason).toBe(
      `a commit hook changed the files of the commit (${OV('dev')}): gitops-sync commits only the change it planned and validated; make the overlay pass the hook, or change the hook; nothing was committed`,
    );
    expect(state(repo)).toEqual(before);
    expect(git(fx.remote, ['rev-parse', 'main'])).toBe(remote);
  }, 60_000);

  it('a hook that is not executable is ignored, as git does, and said so', async () => {
    fx = createFixture({ a: { dev: 'v1' } });
    const repo = fx.clone('ci');
    writeFileSync(join(repo, '.git/hooks/pre-commit'), '#!/bin/sh\nexit 1\n');
    chmodSync(join(repo, '.git/hooks/pre-commit'), 0o644);
    const r = await run(repo, bumpArgs('v2'), at(1));
    expect(r.json.status).toBe('committed');
    expect(r.json.notes).toEqual([
      `hook pre-commit in ${join(repo, '.git/hooks')} is not executable: git ignores it, and so did gitops-sync`,
    ]);
  }, 60_000);
});

describe('operations in progress', () => {
  it('a real merge with conflicts and a bisect are refused, naming the state and how to finish it; nothing changes', async () => {
    fx = createFixture({ a: { dev: 'v1' }, b: { dev: 'v1' } });
    const repo = fx.clone('rm');
    git(repo, ['checkout', '-q', '-b', 'side']);
    writeFileSync(join(repo, OV('dev', 'b')), read(repo, OV('dev', 'b')).replace('replicaCount: 1', 'replicaCount: 2'));
    git(repo, ['commit', '-qam', 'side']);
    git(repo, ['checkout', '-q', 'main']);
    writeFileSync(join(repo, OV('dev', 'b')), read(repo, OV('dev', 'b')).replace('replicaCount: 1', 'replicaCount: 3'));
    git(repo, ['commit', '-qam', 'main']);
    expect(() => git(repo, ['merge', '-q', 'side'])).toThrow();
    const before = state(repo);
    for (const extra of [[], ['--push'], ['--dry-run']]) {
      const r = await run(repo, bumpArgs('v2', ...extra), at(1));
      expect(r.code).toBe(1);
      expect(r.json).toEqual({
        status: 'refused',
        exitCode: 1,
        reason: `a merge is in progress in ${repo} (${join(repo, '.git', 'MERGE_HEAD')} exists): finish it with \`git commit\` (after resolving conflicts) or abort it with \`git merge --abort\`, then run gitops-sync again; nothing was changed`,
      });
    }
    expect(state(repo)).toEqual(before);
    git(repo, ['merge', '--abort']);
    git(repo, ['bisect', 'start']);
    const bisect = await run(repo, bumpArgs('v2'), at(1));
    expect(bisect.json.reason).toMatch(/^a bisect is in progress in .*: end it with `git bisect reset`/);
    git(repo, ['bisect', 'reset']);
    expect((await run(repo, bumpArgs('v2'), at(1))).json.status).toBe('committed');
  }, 60_000);

  it('a rebase stopped on a conflict is refused; so are cherry-pick and revert', async () => {
    fx = createFixture({ a: { dev: 'v1' }, b: { dev: 'v1' } });
    const repo = fx.clone('rm');
    const base = git(repo, ['rev-parse', 'HEAD']);
    writeFileSync(join(repo, OV('dev', 'b')), read(repo, OV('dev', 'b')).replace('replicaCount: 1', 'replicaCount: 2'));
    git(repo, ['commit', '-qam', 'two']);
    const two = git(repo, ['rev-parse', 'HEAD']);
    git(repo, ['checkout', '-q', '-b', 'other', base]);
    writeFileSync(join(repo, OV('dev', 'b')), read(repo, OV('dev', 'b')).replace('replicaCount: 1', 'replicaCount: 3'));
    git(repo, ['commit', '-qam', 'three']);
    const cases: Array<[string[], RegExp, string[]]> = [
      [
        ['rebase', '-q', 'main'],
        /^a rebase is in progress .*rebase-merge exists\): finish it with `git rebase --continue` or abort it with `git rebase --abort`/,
        ['rebase', '--abort'],
      ],
      [['cherry-pick', two], /^a cherry-pick is in progress .*`git cherry-pick --abort`/, ['cherry-pick', '--abort']],
      [['revert', '--no-edit', 'HEAD'], /^a revert is in progress/, ['revert', '--abort']],
    ];
    for (const [start, message, abort] of cases) {
      if (start[0] === 'revert') {
        writeFileSync(
          join(repo, OV('dev', 'b')),
          read(repo, OV('dev', 'b')).replace('replicaCount: 3', 'replicaCount: 4'),
        );
        git(repo, ['commit', '-qam', 'four']);
        git(repo, ['reset', '-q', '--hard', 'HEAD']);
        gitRaw(repo, ['revert', '--no-commit', 'HEAD']);
        writeFileSync(join(repo, '.git', 'REVERT_HEAD'), git(repo, ['rev-parse', 'HEAD']) + '\n');
      } else {
        expect(() => git(repo, start)).toThrow();
      }
      const before = state(repo);
      const r = await run(repo, ['bump', '--service', 'a', '--env', 'dev', '--tag', 'v9', '--json'], at(1));
      expect(r.code, start[0]).toBe(1);
      expect(r.json.reason, start[0]).toMatch(message);
      expect(state(repo), start[0]).toEqual(before);
      if (start[0] === 'revert') {
        rmSync(join(repo, '.git', 'REVERT_HEAD'));
        git(repo, ['reset', '-q', '--hard', 'HEAD']);
      } else git(repo, abort);
    }
  }, 60_000);
});

describe('--push and local commits', () => {
  it('refuses to push past local commits the remote lacks, naming them; --include-local-commits pushes them with the change', async () => {
    fx = createFixture({ a: { dev: 'v1' }, b: { dev: 'v1' } });
    const repo = fx.clone('rm');
    writeFileSync(join(repo, OV('dev', 'b')), read(repo, OV('dev', 'b')).replace('replicaCount: 1', 'replicaCount: 2'));
    git(repo, ['commit', '-qam', 'scale b to 2']);
    const local = git(repo, ['rev-parse', '--short', 'HEAD']);
    const remote = git(fx.remote, ['rev-parse', 'main']);
    const before = state(repo);
    const r = await run(repo, bumpArgs('v2', '--push'), at(1));
    expect(r.json).toEqual({
      status: 'refused',
      exitCode: 1,
      reason: `local main has 1 commit that origin/main lacks (${local} scale b to 2): gitops-sync pushes only its own commit. Push them first (git push), drop them, or pass --include-local-commits to push them with this change; nothing was changed`,
    });
    expect(state(repo)).toEqual(before);
    expect(git(fx.remote, ['rev-parse', 'main'])).toBe(remote);
    expect((await run(repo, bumpArgs('v2', '--include-local-commits'), at(1))).json.error).toBe(
      '--include-local-commits goes with --push',
    );

    const ok = await run(repo, bumpArgs('v2', '--push', '--include-local-commits'), at(1));
    expect(ok.json.status).toBe('pushed');
    expect(git(fx.remote, ['log', '--format=%s', `${remote}..main`])).toBe('bump(dev): a v2\nscale b to 2');
    expect(git(repo, ['rev-parse', 'HEAD'])).toBe(git(fx.remote, ['rev-parse', 'main']));
  }, 60_000);

  it('diverged from the remote: refused even with --include-local-commits', async () => {
    fx = createFixture({ a: { dev: 'v1' }, b: { dev: 'v1' } });
    const repo = fx.clone('rm');
    git(repo, ['commit', '-q', '--allow-empty', '-m', 'local note']);
    fx.commit({ 'README.md': 'remote\n' }, 'remote change', at(0));
    const r = await run(repo, bumpArgs('v2', '--push', '--include-local-commits'), at(1));
    expect(r.json.reason).toMatch(
      /^local main and origin\/main have diverged \(local has 1 commit: [0-9a-f]+ local note\): --include-local-commits pushes only a fast-forward; run git pull --rebase first/,
    );
  }, 60_000);

  it("--push builds on the remote's head whether the fetched ref is a loose file (read directly) or packed (asked of git)", async () => {
    fx = createFixture({ a: { dev: 'v1' }, b: { dev: 'v1' } });
    const repo = fx.clone('rm');
    // Packed, and the fetch finds nothing new: origin/main has no loose file (the fallback, git rev-parse).
    git(repo, ['pack-refs', '--all', '--prune']);
    expect(existsSync(join(repo, '.git', 'refs', 'remotes', 'origin', 'main'))).toBe(false);
    const one = await run(repo, bumpArgs('v2', '--push'), at(1));
    expect(one.json).toMatchObject({ status: 'pushed', attempts: 1 });
    expect(git(fx.remote, ['log', '-1', '--format=%H %P', 'main'])).toBe(`${one.json.commit} ${one.json.base}`);
    // Someone else pushed: the fetch moves origin/main and writes its loose file, read directly; packed-refs
    // still holds the old value (one's commit), so a base other than `other` would mean a stale read.
    git(repo, ['pack-refs', '--all', '--prune']);
    const other = fx.commit({ 'README.md': 'remote\n' }, 'remote change', at(2));
    const two = await run(repo, ['bump', '--service', 'b', '--env', 'dev', '--tag', 'v3', '--json', '--push'], at(3));
    expect(two.json).toMatchObject({ status: 'pushed', attempts: 1, base: other });
    expect(git(fx.remote, ['log', '--format=%s', '-3', 'main'])).toBe(
      'bump(dev): b v3\nremote change\nbump(dev): a v2',
    );
  }, 60_000);
});

describe('locks', () => {
  it('a stale index.lock is explained before anything is touched: HEAD, overlay, index stay, no journal; the lock is not removed', async () => {
    fx = createFixture({ a: { dev: 'v1' } });
    const repo = fx.clone('rm');
    const lock = join(repo, '.git', 'index.lock');
    writeFileSync(lock, '');
    const old = Date.now() / 1000 - 600;
    utimesSync(lock, old, old);
    const before = state(repo);
    const r = await run(repo, bumpArgs('v2'), at(1));
    expect(r.code).toBe(1);
    expect(r.json.reason).toMatch(
      new RegExp(
        `^git lock file ${lock} \\(6\\d\\d s old\\) exists, older than 60 s: probably left by a git command that was killed \\(gitops-sync --push included\\)\\. If no git command is running here, remove it \\(rm ${lock}\\) and run gitops-sync again; nothing was changed$`,
      ),
    );
    expect(state(repo)).toEqual(before);
    expect(existsSync(lock)).toBe(true);
    expect(readdirSync(join(repo, '.git')).filter((f) => f.startsWith('gitops-sync'))).toEqual([]);
  }, 60_000);

  it('HEAD.lock and ORIG_HEAD.lock left by a killed push are explained; once removed, the command runs', async () => {
    fx = createFixture({ a: { dev: 'v1' } });
    const repo = fx.clone('rm');
    const old = Date.now() / 1000 - 3600;
    for (const f of ['HEAD.lock', 'ORIG_HEAD.lock']) {
      writeFileSync(join(repo, '.git', f), '');
      utimesSync(join(repo, '.git', f), old, old);
    }
    const remote = git(fx.remote, ['rev-parse', 'main']);
    const r = await run(repo, bumpArgs('v2', '--push'), at(1));
    expect(r.json.reason).toMatch(
      /^git lock file \S+\/\.git\/HEAD\.lock \(36\d\d s old\), \S+\/\.git\/ORIG_HEAD\.lock \(36\d\d s old\) exists, older than 60 s/,
    );
    expect(git(fx.remote, ['rev-parse', 'main'])).toBe(remote);
    for (const f of ['HEAD.lock', 'ORIG_HEAD.lock']) rmSync(join(repo, '.git', f));
    expect((await run(repo, bumpArgs('v2', '--push'), at(1))).json.status).toBe('pushed');
  }, 60_000);

  it('a young lock is waited for (bounded): gone in time, the command runs; still there, it is refused', async () => {
    fx = createFixture({ a: { dev: 'v1' } });
    const repo = fx.clone('rm');
    const lock = join(repo, '.git', 'index.lock');
    writeFileSync(lock, '');
    const waiting = run(repo, bumpArgs('v2'), at(1), { GITOPS_SYNC_LOCK_WAIT: '60' });
    setTimeout(() => rmSync(lock), 300);
    expect((await waiting).json.status).toBe('committed');
    writeFileSync(lock, '');
    const r = await run(repo, bumpArgs('v3'), at(1), { GITOPS_SYNC_LOCK_WAIT: '0.2' });
    expect(r.json.reason).toMatch(
      /^git lock file .*index\.lock \(\d+ s old\) exists, still there after waiting \d+ s: another git command is running in this repository, or one was killed\./,
    );
    expect(read(repo, OV('dev'))).toContain('tag: v2 ');
    const bad = await run(repo, bumpArgs('v3'), at(1), { GITOPS_SYNC_LOCK_WAIT: 'soon' });
    expect(bad.json.error).toBe('GITOPS_SYNC_LOCK_WAIT "soon" is not a number of seconds: expected such as 30 or 0.5');
  }, 60_000);

  it('two bumps of different services started at once in one clone both land, one after the other', async () => {
    fx = createFixture({ a: { dev: 'v1' }, b: { dev: 'v1' } });
    const repo = fx.clone('ci');
    const base = git(repo, ['rev-parse', 'HEAD']);
    const [ra, rb] = await Promise.all([
      run(repo, bumpArgs('v2'), at(1)),
      run(repo, ['bump', '--service', 'b', '--env', 'dev', '--tag', 'v5', '--json'], at(1)),
    ]);
    expect([ra.json.status, rb.json.status]).toEqual(['committed', 'committed']);
    expect(
      git(repo, ['log', '--format=%s', `${base}..HEAD`])
        .split('\n')
        .sort(),
    ).toEqual(['bump(dev): a v2', 'bump(dev): b v5']);
    expect(gitRaw(repo, ['status', '--porcelain'])).toBe('');
    expect(read(repo, OV('dev', 'b'))).toContain('tag: v5 ');
  }, 60_000);

  it('a temporary work tree and a lock left by a killed command are cleaned up by the next one', async () => {
    fx = createFixture({ a: { dev: 'v1' } });
    const repo = fx.clone('rm');
    const dead = 2 ** 22 + 17; // above Linux's default pid_max: no such process
    const tmp = join(fx.dir, 'gitops-sync-commit-killed');
    git(repo, ['worktree', 'add', '--detach', '--lock', '--reason', `gitops-sync:${dead}`, join(tmp, 'tree'), 'HEAD']);
    writeFileSync(join(repo, '.git', 'gitops-sync.lock'), String(dead));
    const r = await run(repo, bumpArgs('v2'), at(1));
    expect(r.json.status).toBe('committed');
    expect(r.json.notes).toEqual([
      `removed the temporary work tree ${join(tmp, 'tree')} of a killed gitops-sync command`,
    ]);
    expect(existsSync(tmp)).toBe(false);
    expect(worktrees(repo)).toHaveLength(1);
  }, 60_000);
});

describe('option values', () => {
  it('history of an unknown service and an unknown environment are exit 2 with the accepted values', async () => {
    fx = createFixture({ 'dbs-global-r': { dev: 'v1' }, couchdb: { dev: 'v1' } });
    const repo = fx.clone('rm');
    const r = await run(repo, ['history', '--service', 'dbs-global-w'], at(1));
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'error: --service dbs-global-w: no such service, no overlay environments/<env>/values/dbs-global-w.yaml now or in history (did you mean dbs-global-r?); expected one of couchdb, dbs-global-r\n',
    );
    expect((await run(repo, ['history', '--service', 'zzz'], at(1))).stderr).toBe(
      'error: --service zzz: no such service, no overlay environments/<env>/values/zzz.yaml now or in history; expected one of couchdb, dbs-global-r\n',
    );
    expect((await run(repo, ['history', '--service', 'couchdb', '--env', 'qa'], at(1))).stderr).toBe(
      'error: --env qa: no environment of that name (expected one of dev, preprod, prod)\n',
    );
    expect((await run(repo, ['bump', '--service', 'couchdb', '--env', 'qa', '--tag', 'v2'], at(1))).stderr).toMatch(
      /^error: --env qa: no environment of that name \(expected one of dev, preprod, prod/,
    );
  }, 60_000);

  it('a promotion backwards or skipping an environment is refused even when nothing would change', async () => {
    fx = createFixture({ a: { dev: 'v1-stable', preprod: 'v1-stable', prod: 'v1-stable' } });
    const repo = fx.clone('rm');
    const back = await run(repo, ['promote', '--service', 'a', '--from', 'prod', '--to', 'preprod', '--json'], at(100));
    expect(back.code).toBe(1);
    expect(back.json.gates.find((g: any) => g.gate === 'order')).toMatchObject({
      status: 'fail',
      message: 'preprod promotes from dev, not from prod: promote prod → dev first, then dev → preprod',
    });
    const skip = await run(repo, ['promote', '--all', '--from', 'dev', '--to', 'prod', '--json'], at(100));
    expect(skip.code).toBe(1);
    expect(skip.json.gates.find((g: any) => g.gate === 'order').message).toBe(
      'prod promotes from preprod, not from dev: promote dev → preprod first, then preprod → prod',
    );
    const fine = await run(repo, ['promote', '--service', 'a', '--from', 'preprod', '--to', 'prod', '--json'], at(100));
    expect(fine.json.status).toBe('up-to-date');
  }, 60_000);
});

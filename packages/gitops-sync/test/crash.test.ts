import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseOverlay } from '../src/core/overlay.js';
import { at, createFixture, git, gitRaw, headOf, read, show } from './helpers/fixture.js';
import { describePoint, type KillPoint, runKilledAt } from './helpers/kill-at.js';
import { run as runInProcess } from './helpers/run.js';

// SIGKILL of the real CLI at chosen points (helpers/kill-at.ts: before or after a given git operation), on
// each side of every operation that writes: for a local bump, `bump --push`, and a bump the validator refuses.
// After every kill, before any recovery: no overlay is half-written, the branch (and the remote) holds either
// the old commit or the complete planned one, exactly the one each point implies, and a refused change never
// becomes a commit. The next command (status) completes or discards what the killed one left, with the note
// each point implies; then the repository is clean.

// The validation gate runs helpers/fake-validator.cjs (cliEnv's GITOPS_SYNC_VALIDATOR): it refuses tags containing "broken".

type Kind = 'local' | 'push' | 'refused';
interface Case {
  kind: Kind;
  point: KillPoint;
  /** Whether the change is on the branch (local) or the remote (push) after the kill. */
  landed: boolean;
  /** The note the next command prints, if any. */
  note?: 'discarded' | 'completed';
}

// The local commit path (shell/local-apply.ts): lock → validation tree → objects → journal → update-ref →
// overlay files (temp + rename) → update-index → journal and lock removed. (The first update-index fills
// the private index the commit is written from.) A kill between taking the lock and writing the first object
// (e.g. before read-tree) leaves the lock alone: a subset of what "after hash-object" leaves (the lock and
// unreferenced objects; the temporary trees are outside the repository), cleared by the same recovery, so that
// point is not run on its own.
const LOCAL: Case[] = [
  { kind: 'local', point: { op: 'hash-object', when: 'after' }, landed: false }, // lock, unreferenced objects
  { kind: 'local', point: { op: 'update-ref', when: 'before' }, landed: false, note: 'discarded' }, // journal
  { kind: 'local', point: { op: 'update-ref', when: 'after' }, landed: true, note: 'completed' }, // old files
  { kind: 'local', point: { op: 'update-index', nth: 2, when: 'before' }, landed: true, note: 'completed' }, // new files
  { kind: 'local', point: { op: 'update-index', nth: 2, when: 'after' }, landed: true, note: 'completed' }, // journal left
];
// --push (shell/run-change.ts, remote.ts): fetch → commit built on the remote's head → push → fast-forward.
// "after commit-tree" is also "before push": --push writes nothing between the two (no journal, no work tree).
const PUSH: Case[] = [
  { kind: 'push', point: { op: 'fetch', when: 'after' }, landed: false },
  { kind: 'push', point: { op: 'commit-tree', when: 'after' }, landed: false }, // = before push
  { kind: 'push', point: { op: 'push', when: 'after' }, landed: true }, // pushed, local branch behind
  { kind: 'push', point: { op: 'merge', when: 'after' }, landed: true }, // done but for the lock
];
// Refused by the validator: killed while the validation tree exists (the validator runs next).
const REFUSED: Case[] = [{ kind: 'refused', point: { op: 'checkout-index', when: 'after' }, landed: false }];

const OV = (s: string) => `environments/dev/values/${s}.yaml`;
const tagOf = (text: string) => /tag: (\S+)/.exec(text)![1];

describe('crash safety', () => {
  it('SIGKILLs before and after every writing git operation never leave a half-written overlay or a commit that failed a gate', async () => {
    const fx = createFixture({ a: { dev: 'v0' }, b: { dev: 'v0' } });
    try {
      const local = fx.clone('local');
      const pusher = fx.clone('pusher');
      const cases = [...LOCAL, ...PUSH, ...REFUSED];
      for (const [i, c] of cases.entries()) {
        const what = `${c.kind} bump killed ${describePoint(c.point)}`;
        const repo = c.kind === 'push' ? pusher : local;
        const service = c.kind === 'push' ? 'b' : 'a';
        const tag = c.kind === 'refused' ? `broken-${i}` : `v${i + 1}`;
        const head = headOf(repo);
        const remote = headOf(fx.remote, 'main');
        const text = read(repo, OV(service));
        const planned = text.replace(`tag: ${tagOf(text)} `, `tag: ${tag} `);
        const args = ['bump', '--service', service, '--env', 'dev', '--tag', tag];
        const run = await runKilledAt(fx.dir, repo, c.kind === 'push' ? [...args, '--push'] : args, at(2 + i), c.point);
        expect(run.killed, `${what}: the point was not reached (exit ${run.code}): ${run.stderr}`).toBe(true);

        // Before any recovery: every overlay reads whole, with the old or the planned tag.
        for (const s of ['a', 'b']) {
          const now = read(repo, OV(s));
          expect(parseOverlay('dev', s, OV(s), now).problems, what).toEqual([]);
          expect([tagOf(text), tag, tagOf(show(repo, 'HEAD', OV(s)))], what).toContain(tagOf(now));
        }
        const newHead = headOf(repo);
        const newRemote = headOf(fx.remote, 'main');
        // The change is where this point puts it, whole: one commit on the old one, with the planned overlay.
        expect(c.kind === 'push' ? newRemote !== remote : newHead !== head, `${what}: landed`).toBe(c.landed);
        if (c.kind !== 'push') expect(newRemote, what).toBe(remote);
        if (c.kind === 'refused') expect(read(repo, OV(service)), what).toBe(text);
        for (const [before, after, where] of [
          [head, newHead, repo],
          [remote, newRemote, fx.remote],
        ] as const) {
          if (after === before) continue;
          // One parent, the old head; the planned Tag trailer (one git process for both).
          expect(git(where, ['log', '-1', '--format=%P|%(trailers:key=Tag,valueonly)', after]), what).toBe(
            `${before}|${tag}`,
          );
          expect(show(where, after, OV(service)) + '\n', what).toBe(planned);
        }

        // The next command (in process: the status command the CLI runs) completes or discards what the
        // killed one left; then all is clean.
        const status = await runInProcess(repo, ['status', '--json'], at(2 + i));
        expect(status.code, status.stderr).toBe(0);
        const note = {
          discarded: 'discarded an interrupted gitops-sync change that never reached main',
          completed: `completed an interrupted gitops-sync commit ${newHead.slice(0, 10)} on main (work tree and index brought up to it)`,
        };
        expect(status.json.notes, what).toEqual(c.note ? [note[c.note]] : []);
        if (c.kind === 'push' && headOf(repo) !== newRemote) git(repo, ['merge', '-q', '--ff-only', 'origin/main']);
        expect(gitRaw(repo, ['status', '--porcelain', '--untracked-files=all']), what).toBe('');
        expect(read(repo, OV(service)) + '', what).toBe(show(repo, 'HEAD', OV(service)) + '\n');
        expect(readdirSync(join(repo, '.git')).filter((f) => f.startsWith('gitops-sync'))).toEqual([]);
      }
      // A refused change that runs to the end: exit 1 and nothing written either.
      const head = headOf(local);
      const refused = await runInProcess(
        local,
        ['bump', '--service', 'a', '--env', 'dev', '--tag', 'broken-end'],
        at(40),
      );
      expect(refused.code, refused.stderr).toBe(1);
      expect(headOf(local)).toBe(head);
      expect(gitRaw(local, ['status', '--porcelain', '--untracked-files=all'])).toBe('');
      for (const repo of [local, pusher, fx.remote]) git(repo, ['fsck', '--no-dangling', '--no-progress']);
      expect(existsSync(join(local, 'environments/dev/.a.yaml.gitops-sync.tmp'))).toBe(false);
      console.log(
        `${cases.length} SIGKILLs at chosen points: ${cases.filter((c) => !c.landed).length} before the change landed, ${cases.filter((c) => c.landed).length} after; recovery notes ${cases.filter((c) => c.note).length}`,
      );
    } finally {
      fx.cleanup();
    }
  }, 1_200_000);

  it('the next command rolls a commit forward whose work-tree update was cut off, and discards one that never landed', async () => {
    const fx = createFixture({ a: { dev: 'v1' } });
    try {
      const repo = fx.clone('local');
      const old = git(repo, ['rev-parse', 'HEAD']);
      const text = read(repo, OV('a'));
      const next = text.replace('tag: v1 ', 'tag: v2 ');
      // The state a kill between "move the branch" and "write the work tree" leaves behind, with the temporary
      // file of an overlay write cut off halfway (no git operation marks that point: it is built by hand).
      const blob = execFileSync('git', ['hash-object', '-w', '--stdin'], {
        cwd: repo,
        input: next,
        encoding: 'utf8',
      }).trim();
      const env = { ...process.env, GIT_INDEX_FILE: join(repo, '.git', 'scratch-index') };
      execFileSync('git', ['read-tree', old], { cwd: repo, env });
      execFileSync('git', ['update-index', '--cacheinfo', `100644,${blob},${OV('a')}`], { cwd: repo, env });
      const tree = execFileSync('git', ['write-tree'], { cwd: repo, env, encoding: 'utf8' }).trim();
      rmSync(join(repo, '.git', 'scratch-index'));
      const commit = git(repo, ['commit-tree', tree, '-p', old, '-m', 'bump(dev): a v2']);
      const dead = 2 ** 22 + 17; // above Linux's largest pid_max: never a live process (a reaped pid may be reused)
      writeFileSync(
        join(repo, '.git', 'gitops-sync-journal.json'),
        JSON.stringify({ branch: 'main', oldHead: old, newHead: commit, paths: [OV('a')] }),
      );
      writeFileSync(join(repo, '.git', 'gitops-sync.lock'), String(dead));
      writeFileSync(join(repo, 'environments/dev/values/.a.yaml.gitops-sync.tmp'), next.slice(0, 20));
      git(repo, ['update-ref', 'refs/heads/main', commit, old]);

      const r = await runInProcess(repo, ['status', '--json'], at(2));
      expect(r.json.notes).toEqual([
        `completed an interrupted gitops-sync commit ${commit.slice(0, 10)} on main (work tree and index brought up to it)`,
      ]);
      expect(read(repo, OV('a'))).toBe(next);
      expect(gitRaw(repo, ['status', '--porcelain', '--untracked-files=all'])).toBe('');
      expect(readdirSync(join(repo, '.git')).filter((f) => f.startsWith('gitops-sync'))).toEqual([]);

      writeFileSync(
        join(repo, '.git', 'gitops-sync-journal.json'),
        JSON.stringify({ branch: 'main', oldHead: commit, newHead: 'f'.repeat(40), paths: [OV('a')] }),
      );
      const d = await runInProcess(repo, ['bump', '--service', 'a', '--env', 'dev', '--tag', 'v3', '--json'], at(3));
      expect(d.json.notes).toEqual(['discarded an interrupted gitops-sync change that never reached main']);
      expect(d.json.status).toBe('committed');
      expect(gitRaw(repo, ['status', '--porcelain', '--untracked-files=all'])).toBe('');
    } finally {
      fx.cleanup();
    }
  }, 300_000);
});

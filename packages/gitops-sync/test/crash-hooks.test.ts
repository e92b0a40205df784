import { describe, expect, it } from 'vitest';
import { chmodSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseOverlay } from '../src/core/overlay.js';
import { at, createFixture, git, gitRaw, headOf, overlay, read, show } from './helpers/fixture.js';
import { describePoint, type KillPoint, runKilledAt } from './helpers/kill-at.js';
import { run as runInProcess } from './helpers/run.js';

// Kills on the other commit path: with a commit hook in the repository, gitops-sync commits through `git commit`
// in a temporary work tree (registered in .git/worktrees) and pushes. `promote --all --push` of three services,
// SIGKILLed at each state this path can leave (helpers/kill-at.ts: before or after a chosen git operation), must
// leave every overlay whole (old or promoted tag), the branch and the remote at the old commit or at the complete
// promotion, as each point implies, and the next command must clear what the kill left (the temporary work tree
// included) with a clean tree after.

const SERVICES = ['a', 'b', 'c'];
// worktree add (temporary work tree registered, locked with the dead pid) → git commit in it (hooks ran) →
// worktree remove → push → fast-forward of the local branch.
// `tree`: the kill leaves the temporary work tree registered, and the next command says it removed it.
const POINTS: Array<{ point: KillPoint; landed: boolean; tree?: boolean }> = [
  { point: { op: 'worktree', nth: 1, when: 'after' }, landed: false, tree: true },
  { point: { op: 'commit', when: 'after' }, landed: false, tree: true },
  { point: { op: 'push', when: 'before' }, landed: false },
  { point: { op: 'push', when: 'after' }, landed: true },
  { point: { op: 'merge', when: 'after' }, landed: true },
];
const OV = (s: string) => `environments/preprod/values/${s}.yaml`;
const tagOf = (text: string) => /tag: (\S+)/.exec(text)![1];

describe('crash safety through the commit hooks', () => {
  it(`${POINTS.length} SIGKILLs of promote --all --push with a commit hook, one at each state, never leave a half-done promotion or a stale work tree`, async () => {
    const fx = createFixture(Object.fromEntries(SERVICES.map((s) => [s, { dev: 'r0', preprod: 'r0' }])));
    try {
      const repo = fx.clone('hooks');
      const hook = join(repo, '.git', 'hooks', 'pre-commit');
      writeFileSync(
        hook,
        '#!/bin/sh\n# accepts every commit; its presence makes gitops-sync commit through git commit\nexit 0\n',
      );
      chmodSync(hook, 0o755);
      const promote = ['promote', '--all', '--from', 'dev', '--to', 'preprod', '--push', '--json'];
      const advanceDev = (round: number) => {
        fx.commit(
          Object.fromEntries(
            SERVICES.map((s) => [`environments/dev/values/${s}.yaml`, overlay(s, 'dev', `r${round}`)]),
          ),
          `dev: r${round}`,
          at(10 * round),
        );
        git(repo, ['pull', '-q', '--ff-only', 'origin', 'main']);
      };
      // dev moves on only after a promotion landed: one that did not land is still pending, the same
      // promotion of all three services, and the next point kills it again (no commit and pull for nothing).
      let dev = 0;
      for (const [i, { point, landed, tree }] of POINTS.entries()) {
        const round = i + 1;
        if (i === 0 || POINTS[i - 1]!.landed) advanceDev((dev = round));
        const head = headOf(repo);
        const remote = headOf(fx.remote, 'main');
        const old = Object.fromEntries(SERVICES.map((s) => [s, tagOf(read(repo, OV(s)))!]));
        const what = `killed ${describePoint(point)}`;
        const killed = await runKilledAt(fx.dir, repo, promote, at(10 * round + 5), point);
        expect(killed.killed, `${what}: the point was not reached (exit ${killed.code}): ${killed.stderr}`).toBe(true);

        // Before any recovery: overlays whole, with the old or the promoted tag.
        for (const s of SERVICES) {
          const text = read(repo, OV(s));
          expect(parseOverlay('preprod', s, OV(s), text).problems, what).toEqual([]);
          expect([old[s], `r${dev}`], what).toContain(tagOf(text));
        }
        // The branch and the remote: unchanged, or exactly one commit with the whole promotion.
        for (const [before, where] of [
          [head, repo],
          [remote, fx.remote],
        ] as const) {
          const after = where === repo ? headOf(repo) : headOf(fx.remote, 'main');
          if (after === before) continue;
          expect(git(where, ['rev-parse', `${after}^`]), what).toBe(before);
          for (const s of SERVICES) expect(tagOf(show(where, after, OV(s))), what).toBe(`r${dev}`);
        }
        expect(headOf(fx.remote, 'main') !== remote, `${what}: landed`).toBe(landed);

        // The next command (in process: the status command the CLI runs) clears what the kill left: no lock,
        // journal or temporary work tree; a clean tree.
        const status = await runInProcess(repo, ['status', '--json'], at(10 * round + 6));
        expect(status.code, status.stderr).toBe(0);
        expect(
          status.json.notes.filter((n: string) =>
            /^removed the temporary work tree .* of a killed gitops-sync command$/.test(n),
          ),
          what,
        ).toHaveLength(tree ? 1 : 0);
        if (headOf(repo) !== headOf(fx.remote, 'main')) git(repo, ['merge', '-q', '--ff-only', 'origin/main']);
        expect(gitRaw(repo, ['status', '--porcelain', '--untracked-files=all']), what).toBe('');
        expect(
          readdirSync(join(repo, '.git')).filter((f) => f.startsWith('gitops-sync')),
          what,
        ).toEqual([]);
        expect(git(repo, ['worktree', 'list', '--porcelain']).match(/^worktree /gm), what).toHaveLength(1);
        expect(
          existsSync(join(repo, '.git', 'worktrees')) ? readdirSync(join(repo, '.git', 'worktrees')) : [],
          what,
        ).toEqual([]);
      }
      for (const where of [repo, fx.remote]) git(where, ['fsck', '--no-dangling', '--no-progress']);
    } finally {
      fx.cleanup();
    }
  }, 900_000);
});

import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseOverlay } from '../src/core/overlay.js';
import { at, BIN, cli, cliEnv, createFixture, git, gitRaw, overlay, prng, read, show } from './helpers/fixture.js';
import { run as runInProcess } from './helpers/run.js';

// Kills at random points on the other commit path: with a commit hook in the repository, gitops-sync commits
// through `git commit` in a temporary work tree (registered in .git/worktrees) and pushes. `promote --all --push`
// of three services, SIGKILLed at seeded random moments of its measured duration, must leave every overlay
// whole (old or promoted tag), the branch and the remote at the old commit or at the complete promotion, and
// the next command must clear what the kill left (the temporary work tree included) with a clean tree after.

const SERVICES = ['a', 'b', 'c'];
const KILLS = 6;
const OV = (s: string) => `environments/preprod/values/${s}.yaml`;
const tagOf = (text: string) => /tag: (\S+)/.exec(text)![1];

function runAndKill(cwd: string, args: string[], now: string, delayMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd,
      env: { ...process.env, ...cliEnv(now) },
      stdio: 'ignore',
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), delayMs);
    child.on('exit', (_code, signal) => {
      clearTimeout(timer);
      resolve(signal === 'SIGKILL');
    });
  });
}

describe('crash safety through the commit hooks', () => {
  it(`${KILLS} SIGKILLs of promote --all --push with a commit hook never leave a half-done promotion or a stale work tree`, async () => {
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
      advanceDev(1);
      const t0 = Date.now();
      const warm = cli(repo, promote, at(15));
      const duration = Date.now() - t0;
      expect(warm.json?.status, warm.stderr).toBe('pushed');
      const random = prng(20261130);
      const tally = { killed: 0, landed: 0 };
      for (let round = 2; round < KILLS + 2; round++) {
        advanceDev(round);
        const head = git(repo, ['rev-parse', 'HEAD']);
        const remote = git(fx.remote, ['rev-parse', 'main']);
        const old = Object.fromEntries(SERVICES.map((s) => [s, tagOf(read(repo, OV(s)))!]));
        const what = `round ${round}`;
        if (await runAndKill(repo, promote, at(10 * round + 5), Math.round(duration * (0.2 + 0.9 * random()))))
          tally.killed++;

        // Before any recovery: overlays whole, with the old or the promoted tag.
        for (const s of SERVICES) {
          const text = read(repo, OV(s));
          expect(parseOverlay('preprod', s, OV(s), text).problems, what).toEqual([]);
          expect([old[s], `r${round}`], what).toContain(tagOf(text));
        }
        // The branch and the remote: unchanged, or exactly one commit with the whole promotion.
        for (const [before, where] of [
          [head, repo],
          [remote, fx.remote],
        ] as const) {
          const after = git(where, ['rev-parse', where === repo ? 'HEAD' : 'main']);
          if (after === before) continue;
          expect(git(where, ['rev-parse', `${after}^`]), what).toBe(before);
          for (const s of SERVICES) expect(tagOf(show(where, after, OV(s))), what).toBe(`r${round}`);
        }
        if (git(fx.remote, ['rev-parse', 'main']) !== remote) tally.landed++;

        // The next command (in process: the status command the CLI runs) clears what the kill left: no lock,
        // journal or temporary work tree; a clean tree.
        const status = await runInProcess(repo, ['status', '--json'], at(10 * round + 6));
        expect(status.code, status.stderr).toBe(0);
        if (git(repo, ['rev-parse', 'HEAD']) !== git(fx.remote, ['rev-parse', 'main']))
          git(repo, ['merge', '-q', '--ff-only', 'origin/main']);
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
      console.log(
        `${KILLS} SIGKILLs of promote --all --push through the commit hooks (command ≈ ${duration} ms): killed ${tally.killed}, promotion on the remote after the kill ${tally.landed}; every overlay whole, history old or complete, no stale work tree`,
      );
    } finally {
      fx.cleanup();
    }
  }, 900_000);
});

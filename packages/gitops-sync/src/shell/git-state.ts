import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Repository } from './git.js';

// What git itself would object to before a commit: an operation in progress (merge, rebase,
// cherry-pick, revert, bisect) and lock files of other git commands. Checked before anything is
// written; a refusal changes nothing.

/** A refusal of the repository's state (exit 1): nothing was changed, the message says what to do. */
export class Refused extends Error {}

interface InProgress {
  /** A file or directory in the git directory. */
  marker: string;
  state: string;
  finish: string;
}

const IN_PROGRESS: readonly InProgress[] = [
  {
    marker: 'rebase-merge',
    state: 'a rebase is in progress',
    finish: 'finish it with `git rebase --continue` or abort it with `git rebase --abort`',
  },
  {
    marker: 'rebase-apply',
    state: 'a rebase (or `git am`) is in progress',
    finish:
      'finish it with `git rebase --continue` (`git am --continue`) or abort it with `git rebase --abort` (`git am --abort`)',
  },
  {
    marker: 'MERGE_HEAD',
    state: 'a merge is in progress',
    finish: 'finish it with `git commit` (after resolving conflicts) or abort it with `git merge --abort`',
  },
  {
    marker: 'CHERRY_PICK_HEAD',
    state: 'a cherry-pick is in progress',
    finish: 'finish it with `git cherry-pick --continue` or abort it with `git cherry-pick --abort`',
  },
  {
    marker: 'REVERT_HEAD',
    state: 'a revert is in progress',
    finish: 'finish it with `git revert --continue` or abort it with `git revert --abort`',
  },
  { marker: 'BISECT_LOG', state: 'a bisect is in progress', finish: 'end it with `git bisect reset`' },
];

/** Refuses when git has an operation in progress in this work tree (its own git directory). */
export function refuseInProgress(repo: Repository): void {
  for (const p of IN_PROGRESS) {
    if (!existsSync(join(repo.gitDir, p.marker))) continue;
    const state =
      p.marker === 'rebase-apply' && existsSync(join(repo.gitDir, 'rebase-apply', 'applying'))
        ? '`git am` is in progress'
        : p.state;
    throw new Refused(
      `${state} in ${repo.root} (${join(repo.gitDir, p.marker)} exists): ${p.finish}, then run gitops-sync again; nothing was changed`,
    );
  }
}

export interface LockPolicy {
  /** How long to wait for a young lock file to go away. */
  waitMs: number;
  /** A lock file older than this is reported at once as probably left by a killed command. */
  staleMs: number;
  /** Injected clock and sleep (tests). */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const DEFAULT_LOCK_POLICY: LockPolicy = {
  waitMs: 30_000,
  staleMs: 60_000,
  now: () => Date.now(),
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
};

/** The lock files git takes when gitops-sync moves `branch` and updates the work tree and index. */
export function gitLockFiles(repo: Repository, branch: string): string[] {
  return [
    join(repo.gitDir, 'index.lock'),
    join(repo.gitDir, 'HEAD.lock'),
    join(repo.gitDir, 'ORIG_HEAD.lock'),
    join(repo.commonDir, 'refs', 'heads', `${branch}.lock`),
    join(repo.commonDir, 'packed-refs.lock'),
  ];
}

function ageOf(path: string, now: number): number | undefined {
  try {
    return now - statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}

const seconds = (ms: number) => `${Math.max(0, Math.round(ms / 1000))} s`;

/**
 * Waits (bounded) until none of git's lock files exist. git writes no owner into its lock files,
 * so gitops-sync never removes one: a lock older than `staleMs`, or one still there after `waitMs`,
 * is a refusal that says who probably left it and how to remove it.
 */
export async function awaitGitLocks(paths: readonly string[], policy: LockPolicy): Promise<void> {
  const start = policy.now();
  for (;;) {
    const now = policy.now();
    const held = paths
      .map((p) => ({ p, age: ageOf(p, now) }))
      .filter((l): l is { p: string; age: number } => l.age !== undefined);
    if (held.length === 0) return;
    const stale = held.filter((l) => l.age >= policy.staleMs);
    const waited = now - start;
    if (stale.length > 0 || waited >= policy.waitMs) {
      const what = held.map((l) => `${l.p} (${seconds(l.age)} old)`).join(', ');
      const why =
        stale.length > 0
          ? `older than ${seconds(policy.staleMs)}: probably left by a git command that was killed (gitops-sync --push included)`
          : `still there after waiting ${seconds(waited)}: another git command is running in this repository, or one was killed`;
      throw new Refused(
        `git lock file ${what} exists, ${why}. If no git command is running here, remove it (rm ${held.map((l) => l.p).join(' ')}) and run gitops-sync again; nothing was changed`,
      );
    }
    await policy.sleep(Math.min(100, policy.waitMs - waited));
  }
}

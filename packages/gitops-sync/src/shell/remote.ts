import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GitError } from 'simple-git';
import { UsageError } from '@cmsweb/toolkit';
import { git, resolveCommit, type Repository } from './git.js';

// The remote side of --push: fetch the remote's head, push a finished commit (never forced), and
// bring the local branch along afterwards when it can fast-forward.

export async function fetchHead(repo: Repository, remote: string, branch: string): Promise<string> {
  const tracking = `refs/remotes/${remote}/${branch}`;
  for (let attempt = 0; ; attempt++) {
    try {
      await git(repo.root).raw(['fetch', '--quiet', '--no-tags', remote, `+refs/heads/${branch}:${tracking}`]);
      break;
    } catch (e) {
      const msg = (e as Error).message;
      if (/cannot lock ref|unable to update local ref|Unable to create .*\.lock/i.test(msg) && attempt < 10) {
        await new Promise((r) => setTimeout(r, 50 + attempt * 50));
        continue;
      }
      throw new UsageError(
        `cannot fetch ${branch} from ${remote}: ${firstLine(msg)} (expected a reachable remote named ${remote} with a branch ${branch})`,
      );
    }
  }
  const head = looseRef(repo.commonDir, tracking) ?? (await resolveCommit(repo.root, tracking));
  if (!head) throw new UsageError(`${remote} has no branch ${branch}`);
  return head;
}

/**
 * The commit a ref's loose file names (git's documented files backend: the object id and a newline), or
 * undefined when there is no such file (the ref is packed, or the repository keeps refs in a reftable) or it
 * holds anything else (a symbolic ref): then git is asked. After a fetch that moved the ref, its loose file is
 * the current value (a loose ref overrides packed-refs), so the common case needs no git process.
 */
function looseRef(commonDir: string, ref: string): string | undefined {
  try {
    const text = readFileSync(join(commonDir, ref), 'utf8');
    return /^(?:[0-9a-f]{40}|[0-9a-f]{64})\n$/.test(text) ? text.trimEnd() : undefined;
  } catch {
    return undefined;
  }
}

export type PushResult =
  | { status: 'pushed' }
  | { status: 'retry'; reason: string }
  | { status: 'refused'; reason: string };

/** Pushes `commit` as the new `branch` of `remote`; a push that lost a race asks for a retry. */
export async function pushCommit(
  repo: Repository,
  remote: string,
  branch: string,
  commit: string,
): Promise<PushResult> {
  try {
    await git(repo.root).raw(['push', '--porcelain', remote, `${commit}:refs/heads/${branch}`]);
    return { status: 'pushed' };
  } catch (e) {
    const msg = e instanceof GitError || e instanceof Error ? e.message : String(e);
    if (
      /\[rejected\]|fetch first|non-fast-forward|failed to update ref|cannot lock ref|stale info|incorrect old value/i.test(
        msg,
      )
    ) {
      return {
        status: 'retry',
        reason: firstLine(msg.split('\n').find((l) => /rejected|failed|lock/i.test(l)) ?? msg),
      };
    }
    return {
      status: 'refused',
      reason: `${remote} refused the push: ${msg.trim().split('\n').filter(Boolean).slice(-3).join(' | ')}`,
    };
  }
}

/**
 * After a successful push: fast-forwards the checked-out branch to `commit` when it is an ancestor
 * (git itself refuses if that would overwrite local changes). Returns what happened, for the output.
 */
export async function fastForwardLocal(repo: Repository, branch: string, commit: string): Promise<string> {
  if (repo.branch !== branch) return `local branch not updated (HEAD is not on ${branch})`;
  try {
    await git(repo.root).raw(['merge', '--ff-only', '--quiet', commit]);
    return `local ${branch} fast-forwarded to ${commit.slice(0, 10)}`;
  } catch (e) {
    return `local ${branch} not updated (${firstLine((e as Error).message)}); run git pull --ff-only`;
  }
}

function firstLine(s: string): string {
  return s.trim().split('\n')[0] ?? s;
}

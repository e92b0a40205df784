import { existsSync, linkSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { processAlive, writeFileAtomicSync } from '@cmsweb/toolkit';
import type { FileChange } from '../core/change-plan.js';
import { git, readBlobs, type Repository } from './git.js';
import { awaitGitLocks, gitLockFiles, Refused, type LockPolicy } from './git-state.js';

// Moving the local branch to a finished commit, crash-safe. Order: journal → atomic compare-and-swap
// of the branch ref → work-tree files (temp file + rename) → index → journal removed. A process killed
// anywhere leaves either the old state (journal discarded later) or the new commit with a journal that
// the next gitops-sync command completes (roll forward). Never a half-written file: files are renamed
// into place whole. A lock file in the git directory (held by run-change for the whole command) keeps
// two commands in one clone from interleaving: the second waits.

interface Journal {
  branch: string;
  oldHead: string;
  newHead: string;
  paths: string[];
}

const journalPath = (repo: Repository) => join(repo.gitDir, 'gitops-sync-journal.json');
const lockPath = (repo: Repository) => join(repo.gitDir, 'gitops-sync.lock');
const tempName = (path: string) => join(dirname(path), `.${basename(path)}.gitops-sync.tmp`);

/** @cmsweb/toolkit's atomic write (fsync, rename, directory fsync) with a fixed temporary name that recovery removes. */
export function writeAtomic(path: string, content: string | Buffer): void {
  writeFileAtomicSync(path, content, { tempPath: tempName(path) });
}

export const alive = processAlive;

/**
 * Runs `fn` holding the repository's gitops-sync lock, waiting at most `waitMs` for another
 * gitops-sync command to finish; a lock left by a dead process is ours to take over.
 */
export async function withLock<T>(repo: Repository, fn: () => Promise<T>, waitMs = 120_000): Promise<T> {
  const path = lockPath(repo);
  const start = Date.now();
  for (;;) {
    const mine = `${path}.${process.pid}`;
    writeFileSync(mine, String(process.pid));
    try {
      linkSync(mine, path); // atomic: the lock appears with its owner's pid already in it
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      let holder: number;
      try {
        holder = Number(readFileSync(path, 'utf8').trim());
      } catch {
        continue;
      }
      if (!alive(holder)) {
        rmSync(path, { force: true });
        continue;
      }
      if (Date.now() - start >= waitMs) {
        throw new Refused(
          `another gitops-sync command (process ${holder}) has held ${path} for more than ${Math.round(waitMs / 1000)} s; wait for it and run this command again (GITOPS_SYNC_LOCK_WAIT sets the wait, in seconds); nothing was changed`,
        );
      }
      await new Promise((r) => setTimeout(r, 50));
    } finally {
      rmSync(mine, { force: true });
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(path, { force: true });
  }
}

/** Removes lock files (and their link sources) left by processes that no longer run. */
function clearStaleLocks(repo: Repository): void {
  const lock = basename(lockPath(repo));
  for (const f of readdirSync(repo.gitDir)) {
    if (f !== lock && !f.startsWith(`${lock}.`)) continue;
    let pid: number;
    try {
      pid = Number(readFileSync(join(repo.gitDir, f), 'utf8').trim());
    } catch {
      continue;
    }
    if (!alive(pid)) rmSync(join(repo.gitDir, f), { force: true });
  }
}

function readText(path: string): string | null {
  return existsSync(path) ? readFileSync(path, 'utf8') : null;
}

export interface Applied {
  /** Why nothing was committed. */
  refusal?: string;
  /** Something the user should know about a commit that did land. */
  note?: string;
}

/**
 * Moves `branch` from `base` to `commit` and brings the work tree and index along. The caller holds
 * the gitops-sync lock and made sure the files to touch were clean. git's own lock files are checked
 * (and waited for) before the journal is written, so a stale index.lock changes nothing.
 */
export async function applyLocally(
  repo: Repository,
  base: string,
  commit: string,
  files: readonly FileChange[],
  reflog: string,
  locks: LockPolicy,
): Promise<Applied> {
  for (const f of files) {
    if (readText(join(repo.root, f.path)) !== f.before)
      return { refusal: `${f.path} changed in the work tree since it was read; nothing was committed` };
  }
  await awaitGitLocks(gitLockFiles(repo, repo.branch!), locks);
  const journal: Journal = { branch: repo.branch!, oldHead: base, newHead: commit, paths: files.map((f) => f.path) };
  writeAtomic(journalPath(repo), JSON.stringify(journal));
  try {
    await git(repo.root).raw([
      'update-ref',
      '-m',
      `gitops-sync: ${reflog}`,
      `refs/heads/${journal.branch}`,
      commit,
      base,
    ]);
  } catch (e) {
    rmSync(journalPath(repo), { force: true });
    return {
      refusal: `could not move ${journal.branch} from ${base.slice(0, 10)} to the new commit (${firstLine((e as Error).message)}); nothing was committed, run the command again`,
    };
  }
  try {
    await completeWorktree(repo, journal);
  } catch (e) {
    return {
      note: `the commit is on ${journal.branch}, but the work tree or index could not be brought up to it (${firstLine((e as Error).message)}); the next gitops-sync command completes it`,
    };
  }
  rmSync(journalPath(repo), { force: true });
  return {};
}

function firstLine(s: string): string {
  return s.trim().split('\n')[0] ?? s;
}

/** Writes the new commit's version of each journaled file where the work tree still has the old one. */
async function completeWorktree(repo: Repository, j: Journal): Promise<string[]> {
  const blobs = await readBlobs(
    repo.root,
    j.paths.flatMap((p) => [`${j.newHead}:${p}`, `${j.oldHead}:${p}`]),
  );
  const kept: string[] = [];
  const done: string[] = [];
  for (const p of j.paths) {
    const abs = join(repo.root, p);
    const want = blobs.get(`${j.newHead}:${p}`) ?? null;
    const cur = readText(abs);
    rmSync(tempName(abs), { force: true });
    if (want === null) continue;
    if (cur !== want && cur !== (blobs.get(`${j.oldHead}:${p}`) ?? null)) {
      kept.push(p);
      continue;
    }
    if (cur !== want) writeAtomic(abs, want);
    done.push(p);
  }
  if (done.length > 0) await updateIndex(repo, done);
  return kept;
}

async function updateIndex(repo: Repository, paths: string[]): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await git(repo.root).raw(['update-index', '--add', '--', ...paths]);
      return;
    } catch (e) {
      if (attempt >= 50 || !/index\.lock/.test((e as Error).message)) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/**
 * Finishes or discards what a killed gitops-sync command left behind. Returns a note for the user,
 * or undefined when there was nothing to do. `recoverLocked` is for a caller that holds the lock.
 */
export async function recoverInterrupted(repo: Repository): Promise<string | undefined> {
  clearStaleLocks(repo);
  if (!existsSync(journalPath(repo))) return undefined;
  return withLock(repo, () => recoverLocked(repo));
}

export async function recoverLocked(repo: Repository): Promise<string | undefined> {
  const text = readText(journalPath(repo));
  if (text === null) return undefined;
  let j: Journal;
  try {
    j = JSON.parse(text) as Journal;
  } catch {
    rmSync(journalPath(repo), { force: true });
    return 'removed an unreadable gitops-sync journal (its change never reached the branch)';
  }
  const head = (
    await git(repo.root)
      .raw(['rev-parse', '--verify', '--quiet', `refs/heads/${j.branch}`])
      .catch(() => '')
  ).trim();
  for (const p of j.paths) rmSync(tempName(join(repo.root, p)), { force: true });
  if (head !== j.newHead) {
    rmSync(journalPath(repo), { force: true });
    return `discarded an interrupted gitops-sync change that never reached ${j.branch}`;
  }
  const held = gitLockFiles(repo, j.branch).filter((p) => existsSync(p));
  if (held.length > 0) {
    return `an interrupted gitops-sync commit ${j.newHead.slice(0, 10)} on ${j.branch} waits for its work tree and index, but git's ${held.join(', ')} exists: remove it if no git command is running, and the next gitops-sync command completes the commit`;
  }
  const kept = await completeWorktree(repo, j);
  rmSync(journalPath(repo), { force: true });
  return `completed an interrupted gitops-sync commit ${j.newHead.slice(0, 10)} on ${j.branch} (work tree and index brought up to it${kept.length ? `; left your edits in ${kept.join(', ')}` : ''})`;
}

import {
  accessSync,
  constants,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import type { FileChange } from '../core/change-plan.js';
import { git } from './git.js';

// Builds the commit of a plan on a private index: the work tree, the real index and every ref stay
// untouched until the commit is complete (and has passed validation). Without commit hooks the
// commit is written with plumbing (what `git commit` would do when no hook runs); when the
// repository has commit hooks, the commit is made by porcelain `git commit` in a temporary work
// tree of the base, so that git runs them exactly as it would for a person.

export interface Identity {
  name: string;
  email: string;
}

/**
 * A private index holding `base`'s tree, read (one `git read-tree`) when first asked for and shared by the
 * validation tree and the commit of one change: `materializeChange` only reads it, `stageTree` edits a copy.
 */
export interface BaseIndex {
  readonly base: string;
  path(): Promise<string>;
  dispose(): void;
}

export function baseIndex(root: string, base: string): BaseIndex {
  let dir: string | undefined;
  let ready: Promise<string> | undefined;
  return {
    base,
    path: () =>
      (ready ??= (async () => {
        dir = mkdtempSync(join(tmpdir(), 'gitops-sync-index-'));
        return readTreeInto(root, base, join(dir, 'index'));
      })()),
    dispose: () => {
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Reads `base`'s tree into the index file `path` (one `git read-tree`); returns `path`. */
async function readTreeInto(root: string, base: string, path: string): Promise<string> {
  await git(root, { env: { GIT_INDEX_FILE: path } }).raw(['read-tree', base]);
  return path;
}

/** The index file of `base` in `dir`: a copy of `shared` when it holds that tree, else read with git. */
async function indexOf(root: string, base: string, dir: string, shared: BaseIndex | undefined): Promise<string> {
  const path = join(dir, 'index');
  if (shared?.base !== base) return readTreeInto(root, base, path);
  copyFileSync(await shared.path(), path);
  return path;
}

/** Writes the blobs and the tree of `base` with the plan's files applied; returns the tree id. */
export async function stageTree(
  root: string,
  base: string,
  files: readonly FileChange[],
  shared?: BaseIndex,
): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'gitops-sync-index-'));
  try {
    const env = { GIT_INDEX_FILE: await indexOf(root, base, dir, shared) };
    const sources = files.map((f, i) => {
      const p = join(dir, `blob-${i}`);
      writeFileSync(p, f.after);
      return p;
    });
    const blobs = (
      await git(root, { input: sources.join('\n') + '\n' }).raw(['hash-object', '-w', '--no-filters', '--stdin-paths'])
    )
      .trim()
      .split('\n');
    if (blobs.length !== files.length)
      throw new Error(`git hash-object returned ${blobs.length} ids for ${files.length} files`);
    const info = files.map((f, i) => `100644 ${blobs[i]}\t${f.path}`).join('\n') + '\n';
    await git(root, { env, input: info }).raw(['update-index', '--index-info']);
    return (await git(root, { env }).raw(['write-tree'])).trim();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Writes `base` with the plan's files applied into `dir` (every tracked file but the tooling under
 * packages/: catalog/, charts/, environments/, validator.yaml, ...), without writing any object into
 * the repository.
 */
export async function materializeChange(
  root: string,
  base: string,
  files: readonly FileChange[],
  dir: string,
  shared?: BaseIndex,
): Promise<void> {
  const tmp = mkdtempSync(join(tmpdir(), 'gitops-sync-index-'));
  try {
    // Read only (ls-files, and checkout-index without -u): the shared index itself serves.
    const env = {
      GIT_INDEX_FILE: shared?.base === base ? await shared.path() : await readTreeInto(root, base, join(tmp, 'index')),
    };
    const paths = (await git(root, { env }).raw(['ls-files', '-z', '--', '.', ':(exclude)packages']))
      .split('\0')
      .filter(Boolean);
    if (paths.length > 0)
      await git(root, { env, input: paths.join('\0') + '\0' }).raw([
        'checkout-index',
        '-f',
        '-z',
        '--stdin',
        `--prefix=${dir.replace(/\/?$/, '/')}`,
      ]);
    for (const f of files) {
      mkdirSync(dirname(join(dir, f.path)), { recursive: true });
      writeFileSync(join(dir, f.path), f.after);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

export async function commitTree(
  root: string,
  tree: string,
  parent: string,
  message: string,
  when: Date,
  committer: Identity,
  author: Identity,
): Promise<string> {
  return (
    await git(root, { env: identityEnv(when, committer, author), input: message }).raw([
      'commit-tree',
      tree,
      '-p',
      parent,
      '-F',
      '-',
    ])
  ).trim();
}

/** The hooks `git commit` runs, in the order it runs them. */
export const COMMIT_HOOKS = ['pre-commit', 'prepare-commit-msg', 'commit-msg', 'post-commit'] as const;

export interface CommitHooks {
  /** Where git looks for hooks (core.hooksPath respected). */
  dir: string;
  /** Commit hooks git would run. */
  run: string[];
  /** Commit hooks present but not executable: git ignores them (with a hint), so does gitops-sync. */
  ignored: string[];
}

/** The commit hooks in `gitPathHooks`, what `git rev-parse --git-path hooks` printed when run in `root`. */
export function commitHooks(root: string, gitPathHooks: string): CommitHooks {
  const dir = resolve(root, gitPathHooks);
  const run: string[] = [];
  const ignored: string[] = [];
  for (const name of COMMIT_HOOKS) {
    const path = join(dir, name);
    if (!existsSync(path) || !statSync(path).isFile()) continue;
    try {
      accessSync(path, constants.X_OK);
      run.push(name);
    } catch {
      ignored.push(name);
    }
  }
  return { dir, run, ignored };
}

const WORKTREE_PREFIX = 'gitops-sync-commit-';
const WORKTREE_REASON = 'gitops-sync:';

/**
 * Commits `files` on `base` with porcelain `git commit` in a temporary linked work tree (detached at
 * `base`; the user's work tree, index and branches are untouched), so git runs the repository's
 * commit hooks. A hook that refuses, or one that changes the files to commit (they were validated as
 * planned), is a refusal carrying git's and the hooks' output. Returns the new commit otherwise.
 */
export async function commitThroughGit(
  root: string,
  hooksDir: string,
  base: string,
  tree: string,
  files: readonly FileChange[],
  message: string,
  when: Date,
  committer: Identity,
  author: Identity,
): Promise<{ commit: string } | { refusal: string }> {
  const dir = mkdtempSync(join(tmpdir(), WORKTREE_PREFIX));
  const wt = join(dir, 'tree');
  let added = false;
  try {
    try {
      await git(root).raw([
        'worktree',
        'add',
        '--no-checkout',
        '--detach',
        '--lock',
        '--reason',
        `${WORKTREE_REASON}${process.pid}`,
        wt,
        base,
      ]);
      added = true;
      await git(wt).raw(['read-tree', '--reset', '-u', 'HEAD']);
    } catch (e) {
      return {
        refusal: `cannot run the repository's commit hooks: making a temporary work tree failed (${lastLines((e as Error).message)}); nothing was committed`,
      };
    }
    for (const f of files) {
      mkdirSync(dirname(join(wt, f.path)), { recursive: true });
      writeFileSync(join(wt, f.path), f.after);
    }
    await git(wt).raw(['add', '--', ...files.map((f) => f.path)]);
    writeFileSync(join(dir, 'message'), message);
    try {
      // The hooks of the user's work tree (a relative core.hooksPath would otherwise resolve in the temporary one).
      const env = {
        ...identityEnv(when, committer, author),
        GIT_CONFIG_COUNT: '1',
        GIT_CONFIG_KEY_0: 'core.hooksPath',
        GIT_CONFIG_VALUE_0: hooksDir,
      };
      await git(wt, { env, allowConfigEnv: true }).raw([
        'commit',
        '--quiet',
        '--cleanup=verbatim',
        '-F',
        join(dir, 'message'),
      ]);
    } catch (e) {
      return {
        refusal: `the repository's commit hooks refused the commit (git commit failed): ${lastLines((e as Error).message)}; nothing was committed`,
      };
    }
    const [commit, parent, made] = (await git(wt).raw(['rev-parse', 'HEAD', 'HEAD^', 'HEAD^{tree}']))
      .trim()
      .split('\n') as [string, string, string];
    if (parent !== base)
      return {
        refusal: `a commit hook moved HEAD of the temporary work tree (the commit's parent is ${parent.slice(0, 10)}, expected ${base.slice(0, 10)}); nothing was committed`,
      };
    if (made !== tree) {
      const changed = (await git(wt).raw(['diff', '--name-only', tree, made])).trim().split('\n').join(', ');
      return {
        refusal: `a commit hook changed the files of the commit (${changed}): gitops-sync commits only the change it planned and validated; make the overlay pass the hook, or change the hook; nothing was committed`,
      };
    }
    return { commit };
  } finally {
    if (added)
      await git(root)
        .raw(['worktree', 'remove', '--force', '--force', wt])
        .catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Removes temporary work trees that a killed gitops-sync left registered (locked with the pid of a
 * process that no longer runs). Returns their paths.
 */
export async function removeStaleWorktrees(
  root: string,
  commonDir: string,
  alive: (pid: number) => boolean,
): Promise<string[]> {
  const admin = join(commonDir, 'worktrees');
  if (!existsSync(admin)) return [];
  const removed: string[] = [];
  for (const name of readdirSync(admin)) {
    let reason: string;
    let path: string;
    try {
      reason = readFileSync(join(admin, name, 'locked'), 'utf8').trim();
      path = dirname(readFileSync(join(admin, name, 'gitdir'), 'utf8').trim());
    } catch {
      continue;
    }
    if (!reason.startsWith(WORKTREE_REASON) || alive(Number(reason.slice(WORKTREE_REASON.length)))) continue;
    rmSync(join(admin, name, 'locked'), { force: true });
    if (basename(path) === 'tree' && basename(dirname(path)).startsWith(WORKTREE_PREFIX))
      rmSync(dirname(path), { recursive: true, force: true });
    removed.push(path);
  }
  if (removed.length > 0) await git(root).raw(['worktree', 'prune']);
  return removed;
}

/** Shell: removeStaleWorktrees for `repo`, as notes for the user. */
export async function clearStaleWorktrees(
  repo: { root: string; commonDir: string },
  alive: (pid: number) => boolean,
): Promise<string[]> {
  return (await removeStaleWorktrees(repo.root, repo.commonDir, alive)).map(
    (path) => `removed the temporary work tree ${path} of a killed gitops-sync command`,
  );
}

function identityEnv(when: Date, committer: Identity, author: Identity): Record<string, string> {
  const date = `@${Math.floor(when.getTime() / 1000)} +0000`;
  return {
    GIT_AUTHOR_NAME: author.name,
    GIT_AUTHOR_EMAIL: author.email,
    GIT_AUTHOR_DATE: date,
    GIT_COMMITTER_NAME: committer.name,
    GIT_COMMITTER_EMAIL: committer.email,
    GIT_COMMITTER_DATE: date,
  };
}

function lastLines(s: string): string {
  return s.trim().split('\n').filter(Boolean).slice(-6).join(' | ');
}

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { FileChange } from '../core/change-plan.js';
import { git } from './git.js';

// Builds the commit of a plan from plumbing, on a private index: the work tree, the real index and
// every ref stay untouched until the commit is complete (and has passed validation).

export interface Identity {
  name: string;
  email: string;
}

/** Writes the blobs and the tree of `base` with the plan's files applied; returns the tree id. */
export async function stageTree(root: string, base: string, files: readonly FileChange[]): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'gitops-sync-index-'));
  try {
    const env = { GIT_INDEX_FILE: join(dir, 'index') };
    await git(root, { env }).raw(['read-tree', base]);
    const sources = files.map((f, i) => {
      const p = join(dir, `blob-${i}`);
      writeFileSync(p, f.after);
      return p;
    });
    const blobs = (await git(root, { input: sources.join('\n') + '\n' }).raw(['hash-object', '-w', '--no-filters', '--stdin-paths'])).trim().split('\n');
    if (blobs.length !== files.length) throw new Error(`git hash-object returned ${blobs.length} ids for ${files.length} files`);
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
export async function materializeChange(root: string, base: string, files: readonly FileChange[], dir: string): Promise<void> {
  const tmp = mkdtempSync(join(tmpdir(), 'gitops-sync-index-'));
  try {
    const env = { GIT_INDEX_FILE: join(tmp, 'index') };
    await git(root, { env }).raw(['read-tree', base]);
    const paths = (await git(root, { env }).raw(['ls-files', '-z', '--', '.', ':(exclude)packages'])).split('\0').filter(Boolean);
    if (paths.length > 0) await git(root, { env, input: paths.join('\0') + '\0' }).raw(['checkout-index', '-f', '-z', '--stdin', `--prefix=${dir.replace(/\/?$/, '/')}`]);
    for (const f of files) {
      mkdirSync(dirname(join(dir, f.path)), { recursive: true });
      writeFileSync(join(dir, f.path), f.after);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

export async function commitTree(root: string, tree: string, parent: string, message: string, when: Date, committer: Identity, author: Identity): Promise<string> {
  const date = `@${Math.floor(when.getTime() / 1000)} +0000`;
  const env = {
    GIT_AUTHOR_NAME: author.name, GIT_AUTHOR_EMAIL: author.email, GIT_AUTHOR_DATE: date,
    GIT_COMMITTER_NAME: committer.name, GIT_COMMITTER_EMAIL: committer.email, GIT_COMMITTER_DATE: date,
  };
  return (await git(root, { env, input: message }).raw(['commit-tree', tree, '-p', parent, '-F', '-'])).trim();
}

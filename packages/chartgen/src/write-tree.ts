import { existsSync, lstatSync, mkdirSync, rmdirSync, unlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fsyncDirectory, mapLimit, writeFileAtomic } from '@cmsweb/toolkit';
import { RefusedFileError } from '@cmsweb/yaml';
import type { TreeChange } from './diff-tree.js';

/** Files written at once: creating files is the slow part of a first generation and overlaps well. */
const WRITE_CONCURRENCY = 16;

/**
 * Shell: applies the changes under `root`. Each file is written atomically (temporary file, fsync, rename,
 * directory fsync: @cmsweb/toolkit's writeFileAtomic), so a reader (or a crash) never sees half a file; a new
 * file is not fsync'ed (see below).
 * Removed files go, then directories left empty, up to (not including) `stopDirs`.
 */
export async function writeTree(
  root: string,
  changes: readonly TreeChange[],
  planned: ReadonlyMap<string, string>,
  stopDirs: readonly string[],
  onWritten?: (done: number, total: number) => void,
): Promise<void> {
  checkWritable(root, changes);
  const writes = changes.filter((c) => c.kind === 'added' || c.kind === 'changed');
  for (const dir of new Set(writes.map((c) => dirname(join(root, c.path))))) mkdirSync(dir, { recursive: true });
  let written = 0;
  await mapLimit(
    writes,
    async (c) => {
      const text = planned.get(c.path);
      if (text === undefined) throw new Error(`no planned content for ${c.path}`);
      // A new file has no old content to keep, and a rerun rewrites it (it differs from the plan) if a power
      // loss leaves it empty: its fsync, most of the cost of a first generation, buys nothing. A replaced file
      // is fsync'ed, so that a power loss leaves the old or the new content.
      await writeFileAtomic(join(root, c.path), text, { syncDirectory: false, syncFile: c.kind === 'changed' });
      onWritten?.(++written, writes.length);
    },
    WRITE_CONCURRENCY,
  );
  for (const c of changes) {
    if (c.kind !== 'removed') continue;
    unlinkSync(join(root, c.path));
    pruneEmptyParents(root, c.path, stopDirs);
  }
  // One directory fsync per directory where a file was replaced or removed makes the renames and removals
  // durable (a directory that only gained files: as for their content, a rerun writes what a power loss lost).
  const durable = changes.filter((c) => c.kind === 'changed' || c.kind === 'removed');
  await mapLimit(
    [...new Set(durable.map((c) => dirname(join(root, c.path))))].filter((d) => existsSync(d)),
    fsyncDirectory,
    WRITE_CONCURRENCY,
  );
}

function pruneEmptyParents(root: string, path: string, stopDirs: readonly string[]): void {
  let dir = dirname(path);
  while (dir !== '.' && !stopDirs.includes(dir)) {
    try {
      rmdirSync(join(root, dir));
    } catch {
      return; // not empty (or already gone): stop climbing
    }
    dir = dirname(dir);
  }
}

/**
 * Shell: refuses (RefusedFileError, before anything is written) a change whose directory on the way is a
 * symlink or a file (a write would leave the repository, or fail half-way), or whose target is a directory.
 */
export function checkWritable(root: string, changes: readonly TreeChange[]): void {
  const seen = new Set<string>();
  for (const c of changes) {
    if (c.kind === 'foreign') continue;
    const parts = c.path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      if (seen.has(dir)) continue;
      seen.add(dir);
      const s = lstatSync(join(root, dir), { throwIfNoEntry: false });
      if (!s) break;
      if (s.isSymbolicLink())
        throw new RefusedFileError(
          dir,
          `is a symlink where chartgen writes a directory (it writes only inside the repository's own directories); replace it with a directory`,
        );
      if (!s.isDirectory())
        throw new RefusedFileError(
          dir,
          `is a file where chartgen writes a directory (needed for ${c.path}); move it away`,
        );
    }
    const t = lstatSync(join(root, c.path), { throwIfNoEntry: false });
    if (t?.isDirectory())
      throw new RefusedFileError(c.path, 'is a directory where chartgen writes a file; move it away');
  }
}

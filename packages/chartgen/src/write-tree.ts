import { existsSync, mkdirSync, rmdirSync, unlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fsyncDirectory, mapLimit, writeFileAtomic } from '@cmsweb/toolkit';
import type { TreeChange } from './diff-tree.js';

/** Files written at once: creating files is the slow part of a first generation and overlaps well. */
const WRITE_CONCURRENCY = 16;

/**
 * Shell: applies the changes under `root`. Each file is written atomically (temporary file, fsync, rename,
 * directory fsync: @cmsweb/toolkit's writeFileAtomic), so a reader (or a crash) never sees half a file.
 * Removed files go, then directories left empty, up to (not including) `stopDirs`.
 */
export async function writeTree(
  root: string,
  changes: readonly TreeChange[],
  planned: ReadonlyMap<string, string>,
  stopDirs: readonly string[],
  onWritten?: (done: number, total: number) => void,
): Promise<void> {
  const writes = changes.filter((c) => c.kind !== 'removed');
  for (const dir of new Set(writes.map((c) => dirname(join(root, c.path))))) mkdirSync(dir, { recursive: true });
  let written = 0;
  await mapLimit(writes, async (c) => {
    const text = planned.get(c.path);
    if (text === undefined) throw new Error(`no planned content for ${c.path}`);
    await writeFileAtomic(join(root, c.path), text, { syncDirectory: false });
    onWritten?.(++written, writes.length);
  }, WRITE_CONCURRENCY);
  for (const c of changes) {
    if (c.kind !== 'removed') continue;
    unlinkSync(join(root, c.path));
    pruneEmptyParents(root, c.path, stopDirs);
  }
  // One directory fsync per directory touched makes the renames and removals durable.
  await mapLimit([...new Set(changes.map((c) => dirname(join(root, c.path))))].filter((d) => existsSync(d)), fsyncDirectory, WRITE_CONCURRENCY);
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

import { mkdir, rename, rm, rmdir, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { TreeChange } from './diff-tree.js';

/**
 * Shell: applies the changes under `root`. Each file is written to a temporary name in its own directory
 * and renamed over the target, so a reader (or a crash) never sees half a file. Removed files go, then
 * directories left empty, up to (not including) `stopDirs`.
 */
export async function writeTree(root: string, changes: readonly TreeChange[], planned: ReadonlyMap<string, string>, stopDirs: readonly string[]): Promise<void> {
  for (const c of changes) {
    const target = join(root, c.path);
    if (c.kind === 'removed') {
      await unlink(target);
      await pruneEmptyParents(root, c.path, stopDirs);
      continue;
    }
    const text = planned.get(c.path);
    if (text === undefined) throw new Error(`no planned content for ${c.path}`);
    await mkdir(dirname(target), { recursive: true });
    const tmp = `${target}.chartgen-${process.pid}.tmp`;
    try {
      await writeFile(tmp, text, 'utf8');
      await rename(tmp, target);
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
  }
}

async function pruneEmptyParents(root: string, path: string, stopDirs: readonly string[]): Promise<void> {
  let dir = dirname(path);
  while (dir !== '.' && !stopDirs.includes(dir)) {
    try {
      await rmdir(join(root, dir));
    } catch {
      return; // not empty (or already gone): stop climbing
    }
    dir = dirname(dir);
  }
}

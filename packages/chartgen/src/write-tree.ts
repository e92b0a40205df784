import { mkdirSync, rmdirSync, unlinkSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { TreeChange } from './diff-tree.js';

/** Files written at once: creating files is the slow part of a first generation and overlaps well. */
const WRITE_CONCURRENCY = 16;

/**
 * Shell: applies the changes under `root`. Each file is written to a temporary name in its own directory
 * and renamed over the target, so a reader (or a crash) never sees half a file. Removed files go, then
 * directories left empty, up to (not including) `stopDirs`.
 */
export async function writeTree(root: string, changes: readonly TreeChange[], planned: ReadonlyMap<string, string>, stopDirs: readonly string[]): Promise<void> {
  const writes = changes.filter((c) => c.kind !== 'removed');
  for (const dir of new Set(writes.map((c) => dirname(join(root, c.path))))) mkdirSync(dir, { recursive: true });
  let next = 0;
  const worker = async () => {
    while (next < writes.length) {
      const c = writes[next++]!;
      const text = planned.get(c.path);
      if (text === undefined) throw new Error(`no planned content for ${c.path}`);
      await writeAtomically(join(root, c.path), text);
    }
  };
  await Promise.all(Array.from({ length: Math.min(WRITE_CONCURRENCY, writes.length) }, worker));
  for (const c of changes) {
    if (c.kind !== 'removed') continue;
    unlinkSync(join(root, c.path));
    pruneEmptyParents(root, c.path, stopDirs);
  }
}

async function writeAtomically(target: string, text: string): Promise<void> {
  const tmp = `${target}.chartgen-${process.pid}.tmp`;
  try {
    await writeFile(tmp, text, 'utf8');
    await rename(tmp, target);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
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

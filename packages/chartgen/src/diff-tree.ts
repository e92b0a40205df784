import { atomicWriteTemp } from '@cmsweb/toolkit';

/** `foreign`: a file in an owned directory that the plan lacks but chartgen cannot prove it wrote: left in place. */
export type ChangeKind = 'added' | 'changed' | 'removed' | 'foreign';
export interface TreeChange {
  path: string;
  kind: ChangeKind;
}

/**
 * Pure: how the tree must change to match the plan. `current` holds the files that exist among the
 * planned paths and under the owned directories; a file under an owned directory that the plan lacks
 * is removed when `proven` says chartgen generated it, else reported as `foreign` (never deleted). Nothing
 * outside the owned directories is ever removed but the temporary file of an atomic write of a planned
 * file, on the same proof. Sorted by path.
 */
export function diffTree(
  planned: ReadonlyMap<string, string>,
  current: ReadonlyMap<string, string>,
  ownedDirs: readonly string[],
  proven: (path: string, text: string) => boolean = () => true,
): TreeChange[] {
  const owned = new Set(ownedDirs);
  const changes: TreeChange[] = [];
  for (const [path, text] of planned) {
    const now = current.get(path);
    if (now === undefined) changes.push({ path, kind: 'added' });
    else if (now !== text) changes.push({ path, kind: 'changed' });
  }
  for (const [path, text] of current) {
    // Besides owned directories: the leftover temporary file of an atomic write of a planned file elsewhere
    // (charts/.generated), which generate.ts reads for this (atomicTempsBeside).
    const temp = atomicWriteTemp(path);
    if (!planned.has(path) && (isUnder(path, owned) || (temp !== undefined && planned.has(temp.target))))
      changes.push({ path, kind: proven(path, text) ? 'removed' : 'foreign' });
  }
  return changes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Whether `path` lies inside one of `dirs` (a set, so that this stays cheap for thousands of dirs). */
export function isUnder(path: string, dirs: ReadonlySet<string>): boolean {
  for (let i = path.indexOf('/'); i !== -1; i = path.indexOf('/', i + 1)) {
    if (dirs.has(path.slice(0, i))) return true;
  }
  return false;
}

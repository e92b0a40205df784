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
 * outside the owned directories is ever removed. Sorted by path.
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
    if (!planned.has(path) && isUnder(path, owned))
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

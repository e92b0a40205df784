import { listSafeTree } from '@cmsweb/yaml';

/**
 * Shell: repository-relative paths of every file (and symlink: reading it decides) under `dir`, sorted;
 * a missing directory has none. Symlinked directories are not entered, nor those `enter` refuses.
 */
export async function listTree(root: string, dir: string, enter?: (dir: string) => boolean): Promise<string[]> {
  return listSafeTree(root, dir, undefined, enter);
}

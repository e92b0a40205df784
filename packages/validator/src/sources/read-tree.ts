import { listSafeTree } from '@cmsweb/yaml';

/**
 * Shell: repository-relative paths of every file (and symlink: reading it decides) under `dir`, sorted;
 * a missing directory has none. Symlinked directories are not entered.
 */
export async function listTree(root: string, dir: string): Promise<string[]> {
  return listSafeTree(root, dir);
}

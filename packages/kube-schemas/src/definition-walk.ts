import type { JSONSchema } from './types.js';

/**
 * Pure: the one standalone schema of a kind, `{ $ref: '#/definitions/<root>', definitions }`, collected by
 * walking the definitions it references: `convert` turns one definition into its schema and pushes the
 * names it references onto `pending`; each name is converted once.
 */
export function walkDefinitions(root: string, convert: (name: string, pending: string[]) => JSONSchema): JSONSchema {
  const definitions: Record<string, JSONSchema> = {};
  const pending = [root];
  while (pending.length) {
    const name = pending.pop()!;
    if (definitions[name]) continue;
    definitions[name] = convert(name, pending);
  }
  return { $ref: `#/definitions/${root}`, definitions };
}

// Pure: the enumerated string fields the API server enforces but the OpenAPI definitions do not list
// (openapi2jsonschema drops the "Possible enum values" of the descriptions). They come from the
// client models (see client-models/), paired with the official definitions field by field.
import type { Definition, DefinitionMap } from './convert-definitions.js';

/** Definition name → field → allowed values. */
export type EnumTable = Record<string, Record<string, string[]>>;

type Node = {
  $ref?: string;
  items?: Node;
  additionalProperties?: Node | boolean;
  properties?: Record<string, Node>;
  enum?: unknown[];
  type?: unknown;
};

const refName = (ref: string | undefined) => ref?.replace('#/definitions/', '');
const childRef = (n: Node | undefined): string | undefined =>
  refName(
    n?.$ref ??
      n?.items?.$ref ??
      (typeof n?.additionalProperties === 'object' ? n.additionalProperties.$ref : undefined),
  );

/**
 * `kinds`: kind → (official definition name, client schema { $ref, definitions } of that kind or undefined).
 * Walks both trees in step and records every string field whose client schema has an enum.
 */
export function collectEnums(
  official: DefinitionMap,
  kinds: [string, { $ref: string; definitions: Record<string, Node> } | undefined][],
): EnumTable {
  const table: EnumTable = {};
  const seen = new Set<string>();
  const walk = (name: string, ours: Node | undefined, defs: Record<string, Node>) => {
    if (!ours || seen.has(name)) return;
    seen.add(name);
    const theirs = official[name] as Definition & Node;
    for (const [field, schema] of Object.entries(theirs?.properties ?? {})) {
      const mine = ours.properties?.[field];
      if (!mine) continue;
      const values = mine.enum?.filter((v): v is string => typeof v === 'string');
      if (values?.length && schema.type === 'string' && !schema.enum) (table[name] ??= {})[field] = [...values].sort();
      const theirChild = childRef(schema);
      const myChild = childRef(mine);
      if (theirChild && myChild) walk(theirChild, defs[myChild], defs);
    }
  };
  for (const [name, schema] of kinds)
    if (schema) walk(name, schema.definitions[refName(schema.$ref)!], schema.definitions);
  return Object.fromEntries(
    Object.keys(table)
      .sort()
      .map((k) => [k, table[k]!]),
  );
}

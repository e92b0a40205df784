// Schemas in a kubeconform location may point into sibling files ("_definitions.json#/definitions/X",
// the "-local" flavour). Ajv compiles one document at a time here, so referenced files are embedded
// under $defs and every reference rewritten to point there. Remote references are refused: no network.
import { dirname, resolve } from 'node:path';
import type { JSONSchema } from '../types.js';

export type JsonFileReader = (absolutePath: string) => unknown;

export function inlineFileRefs(schema: JSONSchema, file: string, read: JsonFileReader): JSONSchema {
  const keys = new Map<string, string>();
  const embedded: Record<string, unknown> = {};

  const rewrite = (node: unknown, base: string, prefix: string): unknown => {
    if (Array.isArray(node)) return node.map((n) => rewrite(n, base, prefix));
    if (!node || typeof node !== 'object') return node;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node))
      out[k] = k === '$ref' && typeof v === 'string' ? target(v, base, prefix) : rewrite(v, base, prefix);
    return out;
  };

  const target = (ref: string, base: string, prefix: string): string => {
    if (ref.startsWith('#')) return prefix ? `${prefix}${ref.slice(1)}` : ref;
    if (/^[a-z][a-z0-9+.-]*:/i.test(ref))
      throw new Error(`${base}: remote $ref "${ref}" is not supported (local schema files only)`);
    const [path, fragment = ''] = ref.split('#', 2) as [string, string?];
    const abs = resolve(dirname(base), path);
    let key = keys.get(abs);
    if (!key) {
      key = `__file${keys.size}`;
      keys.set(abs, key);
      // Registered before rewriting, so files that refer to each other terminate.
      embedded[key] = rewrite(read(abs), abs, `#/$defs/${key}`);
    }
    return `#/$defs/${key}${fragment}`;
  };

  const root = rewrite(schema, file, '') as JSONSchema;
  if (!keys.size) return schema;
  return { ...root, $defs: { ...((root['$defs'] as object | undefined) ?? {}), ...embedded } };
}

// Pure: the non-strict variant of a strict schema (every `additionalProperties: false` removed), for
// sources that ship strict schemas only.
export function relaxSchema<T>(node: T): T {
  if (Array.isArray(node)) return node.map(relaxSchema) as T;
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'additionalProperties' && v === false) continue;
    out[k] = relaxSchema(v);
  }
  return out as T;
}

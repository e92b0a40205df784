// What manifests mode keeps of a batch (findings, the parts of objects cross-object checks read) lives until
// the whole input is checked. The parsers hand out strings that are slices of the text they read (js-yaml
// slices each chunk's copy of the text), so one kept name would keep its whole document alive, and the same
// message, namespace or label value repeats across thousands of documents. So kept data is copied once,
// with every string interned as a flat copy of its own.

/** Strings already kept, each a flat copy (map key and value are the same string). */
export type StringTable = Map<string, string>;

/** A string with no reference into another (sliced or concatenated strings keep their source alive). */
function flatCopy(s: string): string {
  return JSON.parse(JSON.stringify(s)) as string;
}

function intern(s: string, table: StringTable): string {
  let kept = table.get(s);
  if (kept === undefined) {
    kept = flatCopy(s);
    table.set(kept, kept);
  }
  return kept;
}

/**
 * Pure but for `table`, which it fills: a copy of plain data (records, arrays, scalars) whose strings come
 * from `table`. Records keep their key order; anything else (numbers, booleans, null, undefined) is kept
 * as it is. Only for data that holds no cycles (parsed YAML values, findings).
 */
export function retain<T>(value: T, table: StringTable): T {
  if (typeof value === 'string') return intern(value, table) as T;
  if (Array.isArray(value)) return value.map((v) => retain(v, table)) as T;
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  const record = value as Record<string, unknown>;
  // Keys, not entries: a pair array per field was a tenth of what a run allocated.
  for (const k of Object.keys(record)) {
    const v = record[k];
    // A key "__proto__" (YAML may have one) is a field like any other, not the prototype.
    if (k === '__proto__')
      Object.defineProperty(out, k, { value: retain(v, table), enumerable: true, writable: true, configurable: true });
    else out[intern(k, table)] = retain(v, table);
  }
  return out as T;
}

// Pure: the official Kubernetes definitions of several releases (openapi2jsonschema output, one
// `definitions` map per release) → the compact data this package ships:
//   - a pool: definition name → its distinct variants across releases (descriptions and patch/list
//     annotations dropped; only what validation reads is kept);
//   - per release: kind ('apps/v1 Deployment') → definition name, definition name → variant index.
// A definition unchanged across releases is stored once.

export type Definition = Record<string, unknown>;
export type DefinitionMap = Record<string, Definition>;

export interface VersionIndex {
  /** 'apps/v1 Deployment' → 'io.k8s.api.apps.v1.Deployment'. */
  readonly kinds: Record<string, string>;
  /** Definition name → index into the pool's variants of that name. */
  readonly definitions: Record<string, number>;
}

export interface KubernetesData {
  readonly pool: Record<string, Definition[]>;
  readonly versions: Record<string, VersionIndex>;
}

/** The keywords validation reads; everything else (descriptions, x-kubernetes-patch-*, ...) is dropped. */
const KEPT = new Set([
  'type',
  'properties',
  'required',
  'items',
  'additionalProperties',
  '$ref',
  'format',
  'enum',
  'oneOf',
]);

// Kinds that are no manifests: shared meta types carry the GVK of every group.
const NOT_MANIFESTS = new Set(['DeleteOptions', 'WatchEvent']);

export function compactDefinition(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(compactDefinition);
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (!KEPT.has(k)) continue;
    if (k === 'properties') {
      const props: Record<string, unknown> = {};
      for (const [name, schema] of Object.entries(v as object)) props[name] = compactDefinition(schema);
      out[k] = props;
    } else out[k] = compactDefinition(v);
  }
  return out;
}

/** JSON with object keys sorted: two variants are the same when their canonical texts are. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(
    Object.keys(record)
      .sort()
      .map((k) => [k, record[k]!]),
  );
}

/** `releases`: minor version ('1.33') → that release's definitions. */
export function convertDefinitions(releases: Record<string, DefinitionMap>): KubernetesData {
  const pool: Record<string, Definition[]> = {};
  const texts: Record<string, string[]> = {};
  const versions: Record<string, VersionIndex> = {};
  const ordered = Object.keys(releases).sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1]));
  for (const version of ordered) {
    const kinds: Record<string, string> = {};
    const definitions: Record<string, number> = {};
    const defs = releases[version]!;
    for (const name of Object.keys(defs).sort()) {
      const def = defs[name]!;
      const compact = compactDefinition(def) as Definition;
      const text = canonicalJson(compact);
      const seen = (texts[name] ??= []);
      let index = seen.indexOf(text);
      if (index < 0) {
        index = seen.length;
        seen.push(text);
        (pool[name] ??= []).push(JSON.parse(text) as Definition);
      }
      definitions[name] = index;
      for (const gvk of (def['x-kubernetes-group-version-kind'] as
        | { group: string; version: string; kind: string }[]
        | undefined) ?? []) {
        if (NOT_MANIFESTS.has(gvk.kind)) continue;
        kinds[`${gvk.group ? `${gvk.group}/` : ''}${gvk.version} ${gvk.kind}`] = name;
      }
    }
    versions[version] = { kinds: sortKeys(kinds), definitions };
  }
  return { pool: sortKeys(pool), versions };
}

/** One definition (or one kind) per line: small diffs when a release is added. */
export function formatRecordLines(record: Record<string, unknown>): string {
  const lines = Object.entries(record).map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`);
  return `{\n${lines.join(',\n')}\n}\n`;
}

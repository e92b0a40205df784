// CRDs a user drops into a folder (validator `--crd DIR`, validator.yaml `crds:`): every
// CustomResourceDefinition in the YAML/JSON files of the folder (or the file given) is converted like the
// bundled ones (crd/convert-crd.ts) and checked the same way, CEL rules included. Other documents are
// ignored; a broken file or CRD is an error naming the file and what is wrong.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseYaml, toJs } from '@cmsweb/yaml';
import { convertCrd, type CrdVersionSchema } from '../crd/convert-crd.js';
import { gvkKey } from '../gvk.js';
import { relaxSchema } from '../relax.js';
import type { GroupVersionKind, JSONSchema, SchemaSource } from '../types.js';

export const CRD_LOCATION_PREFIX = 'crds:';

function filesOf(path: string): string[] {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    throw new Error(`CRD location ${path}: no such file or directory`);
  }
  if (!stat.isDirectory()) return [path];
  return readdirSync(path)
    .filter((f) => /\.(ya?ml|json)$/.test(f))
    .sort()
    .map((f) => join(path, f));
}

/** Every served version of every CRD under the paths (files or folders, not recursive). */
export function readCrdManifests(paths: readonly string[]): CrdVersionSchema[] {
  const out: CrdVersionSchema[] = [];
  for (const file of paths.flatMap(filesOf)) {
    const text = readFileSync(file, 'utf8');
    // The one YAML reader of the repository: syntax, duplicate keys, nesting depth and alias bombs as findings.
    const parsed = parseYaml(text, file);
    const error = parsed.findings.find((f) => f.severity === 'error');
    if (error) throw new Error(`${file}:${error.line}:${error.column}: not valid YAML: ${error.message}`);
    const values = toJs(parsed);
    for (const [i, doc] of parsed.documents.entries()) {
      const value = values[i] as { kind?: unknown; metadata?: { name?: unknown } } | null;
      if (!value || value.kind !== 'CustomResourceDefinition') continue;
      const line = doc.contents?.range ? text.slice(0, doc.contents.range[0]).split('\n').length : 1;
      out.push(...convertCrd(value, `${file}:${line} (CRD ${String(value.metadata?.name ?? '?')})`));
    }
  }
  return out;
}

export function createCrdManifestSource(paths: readonly string[], options: { strict?: boolean } = {}): SchemaSource {
  const strict = options.strict ?? true;
  const kinds = new Map<string, { gvk: GroupVersionKind; schema: JSONSchema }>();
  for (const v of readCrdManifests(paths)) {
    const gvk = { group: v.group, version: v.version, kind: v.kind };
    kinds.set(gvkKey(gvk), { gvk, schema: strict ? v.schema : relaxSchema(v.schema) });
  }
  const loadSync = (gvk: GroupVersionKind) => kinds.get(gvkKey(gvk))?.schema;
  return {
    name: `crds ${paths.join(', ')}`,
    crdSchemas: true,
    loadSync,
    load: async (gvk) => loadSync(gvk),
    kinds: () => [...kinds.values()].map((k) => k.gvk),
  };
}

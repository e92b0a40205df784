// The custom resources this repository generates (Argo CD, Flux), from data/crds/: one file per served
// version of each upstream CRD, named <group>_<version>_<Kind>.json, converted by scripts/generate-schemas.ts
// (see crd/convert-crd.ts for the structural-schema semantics; data/crds/README.md for the sources).
import { readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gvkKey } from '../gvk.js';
import { relaxSchema } from '../relax.js';
import type { GroupVersionKind, JSONSchema, SchemaSource } from '../types.js';

export const CRD_SCHEMA_DIR = fileURLToPath(new URL('../../data/crds/', import.meta.url));

export interface CrdSource extends SchemaSource {
  loadSync(gvk: GroupVersionKind, kubernetesVersion: string): JSONSchema | undefined;
  kinds(): GroupVersionKind[];
}

/** '<group>_<version>_<Kind>.json' → its kind; other names are not schemas. */
export function crdFileKind(file: string): GroupVersionKind | undefined {
  const m = /^([a-z0-9.-]+)_([a-z0-9]+)_([A-Za-z0-9]+)\.json$/.exec(file);
  return m ? { group: m[1]!, version: m[2]!, kind: m[3]! } : undefined;
}

export function createCrdSource(options: { strict?: boolean; dir?: string } = {}): CrdSource {
  const dir = options.dir ?? CRD_SCHEMA_DIR;
  const strict = options.strict ?? true;
  const files = new Map<string, { gvk: GroupVersionKind; file: string }>();
  for (const name of readdirSync(dir).sort()) {
    const gvk = crdFileKind(name);
    if (gvk) files.set(gvkKey(gvk), { gvk, file: join(dir, name) });
  }
  const cache = new Map<string, JSONSchema>();
  const finish = (key: string, text: string): JSONSchema => {
    const parsed = JSON.parse(text) as JSONSchema;
    // Generated files ({ source, group, version, kind, schema }); a bare schema is accepted too.
    const schema = (parsed['schema'] && parsed['kind'] ? parsed['schema'] : parsed) as JSONSchema;
    const ready = strict ? schema : relaxSchema(schema);
    cache.set(key, ready);
    return ready;
  };
  return {
    name: 'crd',
    crdSchemas: true,
    kinds: () => [...files.values()].map((f) => f.gvk),
    loadSync(gvk) {
      const key = gvkKey(gvk);
      const entry = files.get(key);
      if (!entry) return undefined;
      return cache.get(key) ?? finish(key, readFileSync(entry.file, 'utf8'));
    },
    async load(gvk) {
      const key = gvkKey(gvk);
      const entry = files.get(key);
      if (!entry) return undefined;
      return cache.get(key) ?? finish(key, await readFile(entry.file, 'utf8'));
    },
  };
}

import type { GroupVersionKind, JSONSchema } from '../types.js';

type LoadSync = (gvk: GroupVersionKind, kubernetesVersion: string) => JSONSchema | undefined;

/**
 * What both built-in sources (the shipped per-release data, and the client models the generator reads)
 * share: a synchronous loader whose schemas are built once per cache key and share their definitions.
 * `build` returns the cache key of the kind's schema and how to build it, or undefined for an unknown kind.
 */
export function builtInSource(
  build: (gvk: GroupVersionKind, kubernetesVersion: string) => { key: string; schema: () => JSONSchema } | undefined,
): {
  name: 'built-in';
  sharedDefinitions: true;
  loadSync: LoadSync;
  load: (...a: Parameters<LoadSync>) => Promise<JSONSchema | undefined>;
} {
  const schemas = new Map<string, JSONSchema>();
  const loadSync: LoadSync = (gvk, kubernetesVersion) => {
    const found = build(gvk, kubernetesVersion);
    if (!found) return undefined;
    let schema = schemas.get(found.key);
    if (!schema) {
      schema = found.schema();
      schemas.set(found.key, schema);
    }
    return schema;
  };
  return { name: 'built-in', sharedDefinitions: true, loadSync, load: async (gvk, v) => loadSync(gvk, v) };
}

import type { Resource } from '../resources.js';
import type { ObjectSetView } from './check.js';

/** Pure: indexes the objects validated together by kind and by kind/namespace/name. */
export function buildObjectSet(resources: readonly Resource[]): ObjectSetView {
  const kinds = new Map<string, Resource[]>();
  const names = new Map<string, Resource[]>();
  for (const r of resources) {
    const k = r.ref.kind;
    (kinds.get(k) ?? kinds.set(k, []).get(k)!).push(r);
    const key = `${k}/${r.ref.name}`;
    (names.get(key) ?? names.set(key, []).get(key)!).push(r);
  }
  return {
    all: resources,
    byKind: (kind) => kinds.get(kind) ?? [],
    find: (kind, namespace, name) =>
      (names.get(`${kind}/${name}`) ?? []).find((r) => sameNamespace(r.ref.namespace, namespace)),
    findAnyNamespace: (kind, name) => names.get(`${kind}/${name}`) ?? [],
  };
}

/**
 * Whether two objects share a namespace. A namespaced object written without one (plain manifests) lands
 * in whatever namespace `kubectl apply` uses, so it is taken to share any namespace.
 */
export function sameNamespace(a: string | undefined, b: string | undefined): boolean {
  return a === undefined || b === undefined || a === b;
}

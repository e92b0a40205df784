import type { Resource } from '../resources.js';
import type { ObjectSetView } from './check.js';
import { type ContainerRef, containersOf, type PodTemplate, podTemplateOf } from './workloads.js';

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
  // Pod templates and container lists, built on first use and shared by the templates of this run (each used
  // to rebuild them for every workload); the maps die with the object set.
  let pods: PodTemplate[] | undefined;
  const containers = new Map<PodTemplate, readonly ContainerRef[]>();
  const mainContainers = new Map<PodTemplate, readonly ContainerRef[]>();
  return {
    all: resources,
    byKind: (kind) => kinds.get(kind) ?? [],
    find: (kind, namespace, name) =>
      (names.get(`${kind}/${name}`) ?? []).find((r) => sameNamespace(r.ref.namespace, namespace)),
    findAnyNamespace: (kind, name) => names.get(`${kind}/${name}`) ?? [],
    pods: () => (pods ??= podTemplates(resources)),
    containers: (pod, includeInit = true) =>
      cached(includeInit ? containers : mainContainers, pod, (p) => containersOf(p, includeInit)),
  };
}

function podTemplates(resources: readonly Resource[]): PodTemplate[] {
  const out: PodTemplate[] = [];
  for (const r of resources) {
    const pod = podTemplateOf(r);
    if (pod) out.push(pod);
  }
  return out;
}

function cached<K, V>(map: Map<K, V>, key: K, build: (key: K) => V): V {
  let value = map.get(key);
  if (value === undefined) map.set(key, (value = build(key)));
  return value;
}

/**
 * Whether two objects share a namespace. A namespaced object written without one (plain manifests) lands
 * in whatever namespace `kubectl apply` uses, so it is taken to share any namespace.
 */
export function sameNamespace(a: string | undefined, b: string | undefined): boolean {
  return a === undefined || b === undefined || a === b;
}

import type { GroupVersionKind } from './types.js';

/** 'apps/v1' → { group: 'apps', version: 'v1' }; 'v1' → { group: '', version: 'v1' }. */
export function parseApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.lastIndexOf('/');
  return slash < 0
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

export function toGvk(apiVersion: string, kind: string): GroupVersionKind {
  return { ...parseApiVersion(apiVersion), kind };
}

export function apiVersionOf(gvk: GroupVersionKind): string {
  return gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version;
}

/** One string per kind, used as cache key and in messages: 'apps/v1 Deployment'. */
export function gvkKey(gvk: GroupVersionKind): string {
  return `${apiVersionOf(gvk)} ${gvk.kind}`;
}

/** The apiVersion and kind of an object, when both are non-empty strings. */
export function gvkOfResource(resource: unknown): GroupVersionKind | undefined {
  if (!resource || typeof resource !== 'object' || Array.isArray(resource)) return undefined;
  const { apiVersion, kind } = resource as { apiVersion?: unknown; kind?: unknown };
  if (typeof apiVersion !== 'string' || typeof kind !== 'string' || !apiVersion || !kind) return undefined;
  return toGvk(apiVersion, kind);
}

/** '1.33', 'v1.33.2', '1.33.0-rc.1' → [1, 33]; undefined when not a Kubernetes version. */
export function parseKubernetesVersion(version: string): [number, number] | undefined {
  const m = /^v?(\d+)\.(\d+)(?:\.\d+)?(?:[-+].*)?$/.exec(version.trim());
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

/** Orders two Kubernetes minor versions ('1.25' < '1.26'). */
export function compareMinor(a: [number, number], b: [number, number]): number {
  return a[0] - b[0] || a[1] - b[1];
}

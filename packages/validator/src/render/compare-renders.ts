import { toPointer, type ResourceRef } from '../findings.js';
import { isRecord } from '../resources.js';

// Pure: semantic comparison of two renderings of one service (Argo CD's and Flux's): the same objects
// (group/version, kind, namespace, name; an object without a namespace lands in the render's namespace),
// and in each the same values (key order and YAML spelling do not matter).

export interface RenderedObject {
  ref: ResourceRef;
  object: unknown;
}

export interface RenderDifference {
  ref: ResourceRef;
  /** JSON pointer of the first differing field ('' when the object exists on one side only). */
  path: string;
  argo: unknown;
  flux: unknown;
  only?: 'argo' | 'flux';
}

const keyOf = (r: ResourceRef, ns: string) => JSON.stringify([r.apiVersion, r.kind, r.namespace ?? ns, r.name]);

/** Differences in a stable order (objects in Argo CD's order, then those only Flux renders). */
export function compareRenders(
  argo: readonly RenderedObject[],
  argoNamespace: string,
  flux: readonly RenderedObject[],
  fluxNamespace: string,
): RenderDifference[] {
  const out: RenderDifference[] = [];
  const fluxByKey = new Map(flux.map((o) => [keyOf(o.ref, fluxNamespace), o]));
  const seen = new Set<string>();
  for (const a of argo) {
    const k = keyOf(a.ref, argoNamespace);
    seen.add(k);
    const f = fluxByKey.get(k);
    if (!f) {
      out.push({ ref: withNs(a.ref, argoNamespace), path: '', argo: a.object, flux: undefined, only: 'argo' });
      continue;
    }
    const d = firstDifference(a.object, f.object, []);
    if (d) out.push({ ref: withNs(a.ref, argoNamespace), path: toPointer(d.path), argo: d.a, flux: d.b });
  }
  for (const f of flux) {
    const k = keyOf(f.ref, fluxNamespace);
    if (!seen.has(k))
      out.push({ ref: withNs(f.ref, fluxNamespace), path: '', argo: undefined, flux: f.object, only: 'flux' });
  }
  return out;
}

function withNs(r: ResourceRef, ns: string): ResourceRef {
  return r.namespace !== undefined ? r : { ...r, namespace: ns };
}

/** The first path (keys in sorted order, depth first) where a and b differ. */
export function firstDifference(
  a: unknown,
  b: unknown,
  path: Array<string | number>,
): { path: Array<string | number>; a: unknown; b: unknown } | undefined {
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      const d = firstDifference(a[i], b[i], [...path, i]);
      if (d) return d;
    }
    return undefined;
  }
  if (isRecord(a) && isRecord(b)) {
    for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      const d = firstDifference(a[k], b[k], [...path, k]);
      if (d) return d;
    }
    return undefined;
  }
  return Object.is(a, b) ? undefined : { path, a, b };
}

/** A value as it appears in a message (short). */
export function showValue(v: unknown): string {
  if (v === undefined) return '(absent)';
  const s = JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

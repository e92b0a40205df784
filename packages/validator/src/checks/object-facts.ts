import { isRecord, type KubeObject } from '../resources.js';
import type { ObjectRead } from './check.js';
import { CHECKS } from './registry.js';
import { TEMPLATES } from './templates/index.js';

// Manifests mode keeps every object until the cross-object checks have run over all of them. Whole objects
// (a parsed tree of about 5 KB per document) were most of its memory; these checks read a few fields. So
// once an object's own checks are done, only what the enabled cross-object templates declare they read
// (CheckTemplate.reads) is kept, plus what every finding reads (kind, apiVersion, the ignore annotation).

/** A trie of read paths: LEAF keeps the whole value there; a map descends (key `*`: every key or element). */
type ReadTrie = typeof LEAF | Map<string, ReadTrie>;
const LEAF = true;

/** What every object keeps: its identity and what objectFinding reads (the ignore annotation). */
function always(ignoreAnnotation: string): ReadonlyArray<ReadonlyArray<string>> {
  return [
    ['apiVersion'],
    ['kind'],
    ['metadata', 'name'],
    ['metadata', 'namespace'],
    ['metadata', 'annotations', ignoreAnnotation],
  ];
}

function addPath(trie: Map<string, ReadTrie>, path: ReadonlyArray<string>): void {
  let node = trie;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i]!;
    const next = node.get(seg);
    if (next === LEAF) return;
    if (i === path.length - 1) {
      node.set(seg, LEAF);
      return;
    }
    if (next) node = next;
    else {
      const child = new Map<string, ReadTrie>();
      node.set(seg, child);
      node = child;
    }
  }
}

/**
 * Pure: the value with only the parts the tries read. Every list and map on the way to a read part keeps
 * its type (a list its length, elements projected alike), a scalar on the way is kept as it is, so any test
 * a check makes along a read path (isRecord, Array.isArray, typeof) answers as on the whole value.
 */
function project(value: unknown, tries: ReadonlyArray<Map<string, ReadTrie>>): unknown {
  if (Array.isArray(value)) {
    const children = tries.flatMap((t) => {
      const c = t.get('*');
      return c === undefined ? [] : [c];
    });
    if (children.includes(LEAF)) return value;
    return value.map((e) => project(e, children as Array<Map<string, ReadTrie>>));
  }
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const children: Array<Map<string, ReadTrie>> = [];
    let whole = false;
    for (const t of tries) {
      // the key's own reads and every key's (no array per key: this runs for every field of every object)
      const own = t.get(key);
      const any = t.get('*');
      if (own === LEAF || any === LEAF) whole = true;
      if (own && own !== LEAF) children.push(own);
      if (any && any !== LEAF) children.push(any);
    }
    if (whole) out[key] = value[key];
    else if (children.length) out[key] = project(value[key], children);
  }
  return out;
}

/** Keeps of an object what the cross-object checks read; the identity when `reads` is undefined (see below). */
export type ObjectProjector = (object: KubeObject) => KubeObject;

/**
 * Pure: the projector for a set of reads (undefined: some template does not declare its reads, so objects
 * stay whole). Tries are built once per kind.
 */
export function projectorFor(reads: readonly ObjectRead[] | undefined, ignoreAnnotation: string): ObjectProjector {
  if (!reads) return (object) => object;
  const byKind = new Map<string, Map<string, ReadTrie>>();
  const trieOf = (kind: string) => {
    let trie = byKind.get(kind);
    if (!trie) {
      trie = new Map();
      for (const p of always(ignoreAnnotation)) addPath(trie, p);
      for (const r of reads) if (!r.kinds || r.kinds.includes(kind)) for (const p of r.paths) addPath(trie, p);
      byKind.set(kind, trie);
    }
    return trie;
  };
  return (object) => project(object, [trieOf(typeof object.kind === 'string' ? object.kind : '')]) as KubeObject;
}

/**
 * Pure: what the enabled cross-object checks of the registry read, or undefined when one of them does not
 * say (then whole objects are kept: fail closed).
 */
export function crossObjectReads(enabled: (id: string) => boolean): ObjectRead[] | undefined {
  const out: ObjectRead[] = [];
  for (const check of CHECKS) {
    const template = check.template ? TEMPLATES[check.template] : undefined;
    if (!template?.crossObject || !enabled(check.id)) continue;
    if (!template.reads) return undefined;
    out.push(...template.reads(check.params ?? {}));
  }
  return out;
}

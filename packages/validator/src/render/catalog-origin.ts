// Pure: the catalog line a generated values key was copied from. chartgen writes charts/<svc>/values.yaml
// from catalog/services/<svc>.yaml (and cluster.yaml defaults), and values-<env>.yaml from the service's
// environments.<env> (and the defaults): the same key, or a known renamed one. A catalog place counts
// only when it holds the same value (the data must agree); otherwise the generated file stays the answer.

import { isDeepStrictEqual } from 'node:util';
import { locate, type ParsedYaml } from '@cmsweb/yaml';
import { isRecord } from '../resources.js';
import { getIn } from './value-origin.js';

type Key = Array<string | number>;

export interface CatalogFile {
  file: string;
  parsed: ParsedYaml;
  value: unknown;
}

export interface CatalogOrigin {
  file: string;
  line: number;
  column: number;
  key: Key;
}

/** Chart value names that differ from the catalog's (chartgen chart-values.ts / overlay-values.ts). */
const RENAMED: Array<[Key, Key]> = [
  [['replicaCount'], ['replicas']],
  [['podSecurityContext'], ['securityContext']],
  [['database', 'secretName'], ['databaseSecret']],
];

/** The catalog spellings of a values key: as is, renamed, and `env.<NAME>.x` as the list entry named NAME. */
function spellings(key: Key, catalogValue: unknown, base: Key): Key[] {
  const out: Key[] = [key];
  for (const [from, to] of RENAMED)
    if (from.every((s, i) => key[i] === s)) out.push([...to, ...key.slice(from.length)]);
  for (const k of [...out]) {
    const at = k.indexOf('env');
    if (at < 0 || typeof k[at + 1] !== 'string') continue;
    const list = getIn(catalogValue, [...base, ...k.slice(0, at + 1)]);
    if (!Array.isArray(list)) continue;
    const i = list.findIndex((e) => isRecord(e) && e.name === k[at + 1]);
    if (i >= 0) out.push([...k.slice(0, at + 1), i, ...k.slice(at + 2)]);
  }
  return out;
}

const quantity = (v: unknown) => typeof v === 'number' || typeof v === 'string';

/** Same value as chartgen writes it (quantities and targets become strings), at every depth. */
function same(a: unknown, b: unknown): boolean {
  if (isDeepStrictEqual(a, b)) return true;
  if (quantity(a) && quantity(b)) return String(a) === String(b);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => same(x, b[i]));
  if (isRecord(a) && isRecord(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && same(a[k], b[k]));
  }
  return false;
}

/**
 * chartgen splits the catalog's `securityContext` between the chart's `podSecurityContext` (runAsUser,
 * runAsGroup, fsGroup, runAsNonRoot) and the main container's `securityContext` (the rest): either chart
 * map is the catalog map's fields of its part (chart-values.ts).
 */
const POD_SECURITY_FIELDS = ['runAsUser', 'runAsGroup', 'fsGroup', 'runAsNonRoot'];
function splitSecurity(key: Key, value: unknown, catalog: unknown): boolean {
  if (key.length !== 1 || (key[0] !== 'securityContext' && key[0] !== 'podSecurityContext')) return false;
  if (!isRecord(value) || !isRecord(catalog)) return false;
  const pod = key[0] === 'podSecurityContext';
  const part = Object.fromEntries(Object.entries(catalog).filter(([k]) => POD_SECURITY_FIELDS.includes(k) === pod));
  return same(part, value);
}

/**
 * Where `key` (holding `value` in the generated file) comes from: the service's environments.<env>
 * (for values-<env>.yaml), the service's own settings, then cluster.yaml defaults; undefined when no
 * catalog place holds that value.
 */
export function catalogOrigin(input: {
  key: Key;
  value: unknown;
  env?: string;
  service: CatalogFile;
  cluster?: CatalogFile;
}): CatalogOrigin | undefined {
  const places: Array<[CatalogFile | undefined, Key]> = [
    ...(input.env ? [[input.service, ['environments', input.env]] as [CatalogFile, Key]] : []),
    [input.service, []],
    [input.cluster, ['defaults']],
  ];
  for (const [file, base] of places) {
    if (!file) continue;
    for (const k of spellings(input.key, file.value, base)) {
      const path = [...base, ...k];
      const there = getIn(file.value, path);
      if (!same(there, input.value) && !splitSecurity(input.key, input.value, there)) continue;
      const loc = locate(file.parsed, 0, path);
      return { file: file.file, line: loc.line, column: loc.column, key: path };
    }
  }
  return undefined;
}

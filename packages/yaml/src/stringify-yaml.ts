import { Document, Scalar, visit, type ToStringOptions } from 'yaml';
import { needsQuotes } from './plain-scalar-types.js';

const TO_STRING: ToStringOptions = {
  indent: 2,
  indentSeq: true,
  lineWidth: 0,
  minContentWidth: 0,
  singleQuote: false,
};

/**
 * The one YAML serializer configuration of the repository: every generated YAML file goes through
 * here, so output is identical whoever writes it. Key order is the caller's (sort where order is free,
 * `apiVersion, kind, metadata` first for Kubernetes objects: see `orderKubernetesKeys`).
 * Every string, key or value, that some YAML 1.1 or 1.2 reader would take for another type (`no`,
 * `on`, `~`, `1e3`, `0x1F`, `017`, `1.10`, `1_000`, `2001-12-14`, `<<`: see plain-scalar-types.ts) is
 * double-quoted; helm reads values with go-yaml v2, which turns an unquoted `no` into false.
 */
export function stringifyYaml(value: unknown): string {
  const doc = new Document(value, { aliasDuplicateObjects: false, sortMapEntries: false });
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === 'string' && needsQuotes(node.value)) node.type = Scalar.QUOTE_DOUBLE;
    },
  });
  return doc.toString(TO_STRING);
}

/** A single string as the one serializer writes it (a scalar on one line, quoted when needed). */
export function stringifyYamlScalar(value: string): string {
  return stringifyYaml(value).replace(/\n$/, '');
}

const K8S_FIRST = ['apiVersion', 'kind', 'metadata', 'spec'];

/** Deep copy with `apiVersion, kind, metadata, spec` first and every other key sorted. */
export function orderKubernetesKeys<T>(value: T): T {
  return sortDeep(value, true) as T;
}

function sortDeep(value: unknown, top: boolean): unknown {
  if (Array.isArray(value)) return value.map((v) => sortDeep(v, false));
  if (value === null || typeof value !== 'object') return value;
  const keys = Object.keys(value).sort((a, b) => {
    const ia = top ? K8S_FIRST.indexOf(a) : -1;
    const ib = top ? K8S_FIRST.indexOf(b) : -1;
    if (ia !== -1 || ib !== -1) return (ia === -1 ? 99 : ia) - (ib === -1 ? 99 : ib);
    return a < b ? -1 : a > b ? 1 : 0;
  });
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = sortDeep((value as Record<string, unknown>)[k], false);
  return out;
}

import { stringify } from 'yaml';

/**
 * The one YAML serializer configuration of the repository: every generated YAML file goes through
 * here, so output is identical whoever writes it. Key order is the caller's (sort where order is free,
 * `apiVersion, kind, metadata` first for Kubernetes objects: see `orderKubernetesKeys`).
 */
export function stringifyYaml(value: unknown): string {
  return stringify(value, {
    indent: 2,
    indentSeq: true,
    lineWidth: 0,
    minContentWidth: 0,
    singleQuote: false,
    aliasDuplicateObjects: false,
    sortMapEntries: false,
  });
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

// Compares built-in schemas with the official definitions (openapi2jsonschema output of the Kubernetes
// OpenAPI spec), kind by kind and nested type by nested type: property names and required lists.
import type { BuiltinSource } from '../src/index.js';

type Definition = { properties?: Record<string, any>; required?: string[]; 'x-kubernetes-group-version-kind'?: Gvk[] };
type Gvk = { group: string; version: string; kind: string };

export interface OracleDiff {
  /** Oracle definition name, e.g. io.k8s.api.core.v1.PodSpec. */
  readonly definition: string;
  /** Fields we have that the oracle lacks / the oracle has that we lack. */
  readonly extra: string[];
  readonly missing: string[];
  /** Required lists differ (both given, sorted). */
  readonly required?: { oracle: string[]; ours: string[] };
}

export interface OracleComparison {
  readonly kinds: string[];
  readonly notInSource: string[];
  readonly definitionsCompared: number;
  readonly diffs: Map<string, OracleDiff>;
}

const refOf = (p: any): string | undefined => p?.$ref ?? p?.items?.$ref ?? p?.additionalProperties?.$ref;
const nameOf = (ref: string) => ref.replace('#/definitions/', '');

export function compareWithOracle(oracle: Record<string, Definition>, source: BuiltinSource, kubernetesVersion: string): OracleComparison {
  const kinds: string[] = [];
  const notInSource: string[] = [];
  const diffs = new Map<string, OracleDiff>();
  const compared = new Set<string>();

  const compare = (name: string, ours: any, defs: Record<string, any>) => {
    if (compared.has(name)) return;
    compared.add(name);
    const theirs = oracle[name]!;
    const op = Object.keys(theirs.properties ?? {});
    const mp = Object.keys(ours.properties ?? {});
    const extra = mp.filter((p) => !op.includes(p)).sort();
    const missing = op.filter((p) => !mp.includes(p)).sort();
    const oreq = [...(theirs.required ?? [])].sort();
    const mreq = [...(ours.required ?? [])].sort();
    const required = oreq.join() === mreq.join() ? undefined : { oracle: oreq, ours: mreq };
    if (extra.length || missing.length || required) diffs.set(name, { definition: name, extra, missing, ...(required ? { required } : {}) });
    for (const p of op) {
      const oref = refOf(theirs.properties![p]);
      const mref = refOf(ours.properties?.[p]);
      if (oref && mref && oracle[nameOf(oref)]?.properties) compare(nameOf(oref), defs[nameOf(mref)], defs);
    }
  };

  for (const [name, def] of Object.entries(oracle)) {
    for (const gvk of def['x-kubernetes-group-version-kind'] ?? []) {
      // Shared meta types (DeleteOptions, WatchEvent) carry the GVK of every group; they are no manifests.
      if (gvk.kind === 'DeleteOptions' || gvk.kind === 'WatchEvent') continue;
      const label = `${gvk.group ? `${gvk.group}/` : ''}${gvk.version} ${gvk.kind}`;
      const schema = source.loadSync(gvk, kubernetesVersion) as any;
      if (!schema) {
        notInSource.push(label);
        continue;
      }
      kinds.push(label);
      compare(name, schema.definitions[nameOf(schema.$ref)], schema.definitions);
    }
  }
  return { kinds, notInSource: notInSource.sort(), definitionsCompared: compared.size, diffs };
}

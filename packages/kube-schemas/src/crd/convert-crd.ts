// Pure: a CustomResourceDefinition (apiextensions.k8s.io/v1) → one JSON Schema per served version, with
// the API server's structural-schema semantics (k8s.io/apiextensions-apiserver, pkg/apiserver/schema):
//   - unknown fields are refused (the API server prunes them, and `kubectl apply` with field validation
//     Strict, its default, refuses them) unless `x-kubernetes-preserve-unknown-fields: true`;
//   - `x-kubernetes-int-or-string: true`: an integer or a string;
//   - null: `nullable: true` allows it; otherwise a null is pruned, i.e. "not set" (so it passes where
//     the field is optional and counts as missing where it is required);
//   - `x-kubernetes-embedded-resource`: apiVersion, kind and metadata are allowed;
//   - value constraints (maxLength, pattern, enum, minimum, format, ...) as JSON Schema;
//   - `x-kubernetes-validations` rules kept for the CEL evaluator (see cel-rules.ts).

import type { JSONSchema } from '../types.js';

export interface CrdVersionSchema {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly deprecated?: boolean;
  readonly deprecationWarning?: string;
  readonly schema: JSONSchema;
}

/** Keywords passed through as they are. */
const VALUE_KEYWORDS = [
  'format',
  'enum',
  'maxLength',
  'minLength',
  'pattern',
  'maximum',
  'minimum',
  'exclusiveMaximum',
  'exclusiveMinimum',
  'multipleOf',
  'maxItems',
  'minItems',
  'uniqueItems',
  'maxProperties',
  'minProperties',
  'required',
] as const;

type Node = Record<string, unknown>;

const STRING_MAP = { type: ['object', 'null'], additionalProperties: { type: 'string' } };
const OPTIONAL = (type: string) => ({ type: [type, 'null'] });
/** metadata of a custom resource: the API server decodes it as ObjectMeta (meta/v1), strictly. */
export const OBJECT_META: JSONSchema = {
  type: ['object', 'null'],
  additionalProperties: false,
  properties: {
    name: OPTIONAL('string'),
    generateName: OPTIONAL('string'),
    namespace: OPTIONAL('string'),
    labels: STRING_MAP,
    annotations: STRING_MAP,
    finalizers: { type: ['array', 'null'], items: { type: 'string' } },
    ownerReferences: OPTIONAL('array'),
    managedFields: OPTIONAL('array'),
    uid: OPTIONAL('string'),
    resourceVersion: OPTIONAL('string'),
    selfLink: OPTIONAL('string'),
    generation: OPTIONAL('integer'),
    deletionGracePeriodSeconds: OPTIONAL('integer'),
    creationTimestamp: { type: ['string', 'null'], format: 'date-time' },
    deletionTimestamp: { type: ['string', 'null'], format: 'date-time' },
  },
};

export class CrdError extends Error {}

function fail(where: string, what: string): never {
  throw new CrdError(`${where}: ${what}`);
}

/** Converts one structural schema node; `nullOk`: the node is an optional field, where null means unset. */
export function convertStructural(node: unknown, where: string, nullOk: boolean): JSONSchema {
  if (!node || typeof node !== 'object' || Array.isArray(node)) fail(where, 'expected a schema object');
  const n = node as Node;
  const out: JSONSchema = {};
  const preserve = n['x-kubernetes-preserve-unknown-fields'] === true;
  const embedded = n['x-kubernetes-embedded-resource'] === true;
  let types: string[] = [];
  if (n['x-kubernetes-int-or-string'] === true) types = ['integer', 'string'];
  else if (typeof n['type'] === 'string') types = [n['type']];
  for (const k of VALUE_KEYWORDS) if (n[k] !== undefined) out[k] = n[k];
  if (n['properties'] && typeof n['properties'] === 'object') {
    const required = new Set(Array.isArray(n['required']) ? (n['required'] as string[]) : []);
    const props: Record<string, JSONSchema> = {};
    for (const [name, child] of Object.entries(n['properties'] as Node)) {
      props[name] = convertStructural(child, `${where}.${name}`, !required.has(name));
    }
    out['properties'] = props;
  }
  if (embedded) {
    const props = (out['properties'] as Record<string, JSONSchema> | undefined) ?? {};
    out['properties'] = {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { type: ['object', 'null'] },
      ...props,
    };
  }
  if (n['items'] !== undefined) out['items'] = convertStructural(n['items'], `${where}[]`, false);
  const additional = n['additionalProperties'];
  if (additional && typeof additional === 'object')
    out['additionalProperties'] = convertStructural(additional, `${where}.*`, false);
  else if (additional === true || preserve || types.length === 0) {
    // open: preserved unknown fields, or a schema without a type (x-kubernetes-preserve-unknown-fields at a leaf)
  } else if (types.includes('object')) out['additionalProperties'] = false;
  for (const combinator of ['allOf', 'anyOf', 'oneOf'] as const) {
    const branches = n[combinator];
    // Structural schemas only put value validations in combinators; int-or-string's anyOf is said by its type.
    if (Array.isArray(branches) && n['x-kubernetes-int-or-string'] !== true) {
      out[combinator] = branches.map((b, i) => convertValueBranch(b, `${where}.${combinator}[${i}]`));
    }
  }
  if (n['not'] !== undefined) out['not'] = convertValueBranch(n['not'], `${where}.not`);
  if (Array.isArray(n['x-kubernetes-validations'])) out['x-kubernetes-validations'] = n['x-kubernetes-validations'];
  const nullable = n['nullable'] === true || nullOk;
  if (types.length) out['type'] = nullable ? [...types, 'null'] : types.length === 1 ? types[0] : types;
  if (nullable && Array.isArray(out['enum']) && !(out['enum'] as unknown[]).includes(null))
    out['enum'] = [...(out['enum'] as unknown[]), null];
  return out;
}

/** A combinator branch: value validations only (no type, no pruning of its own). */
function convertValueBranch(node: unknown, where: string): JSONSchema {
  if (!node || typeof node !== 'object') fail(where, 'expected a schema object');
  const n = node as Node;
  const out: JSONSchema = {};
  for (const k of VALUE_KEYWORDS) if (n[k] !== undefined) out[k] = n[k];
  if (n['properties']) {
    out['properties'] = Object.fromEntries(
      Object.entries(n['properties'] as Node).map(([k, v]) => [k, convertValueBranch(v, `${where}.${k}`)]),
    );
  }
  if (n['items']) out['items'] = convertValueBranch(n['items'], `${where}[]`);
  for (const combinator of ['allOf', 'anyOf', 'oneOf'] as const) {
    if (Array.isArray(n[combinator]))
      out[combinator] = (n[combinator] as unknown[]).map((b, i) =>
        convertValueBranch(b, `${where}.${combinator}[${i}]`),
      );
  }
  if (n['not']) out['not'] = convertValueBranch(n['not'], `${where}.not`);
  return out;
}

/** Every served version of a CRD object (already parsed from YAML/JSON); `where` names it in errors. */
export function convertCrd(crd: unknown, where: string): CrdVersionSchema[] {
  const c = crd as {
    apiVersion?: unknown;
    kind?: unknown;
    spec?: { group?: unknown; names?: { kind?: unknown }; versions?: unknown };
  };
  if (c?.kind !== 'CustomResourceDefinition')
    fail(where, `not a CustomResourceDefinition (kind: ${JSON.stringify(c?.kind)})`);
  if (c.apiVersion !== 'apiextensions.k8s.io/v1')
    fail(where, `apiVersion ${JSON.stringify(c.apiVersion)} is not supported (expected apiextensions.k8s.io/v1)`);
  const group = c.spec?.group;
  const kind = c.spec?.names?.kind;
  if (typeof group !== 'string' || !group) fail(where, 'spec.group is missing');
  if (typeof kind !== 'string' || !kind) fail(where, 'spec.names.kind is missing');
  if (!Array.isArray(c.spec?.versions)) fail(where, 'spec.versions is missing');
  const out: CrdVersionSchema[] = [];
  for (const [i, v] of (c.spec!.versions as Node[]).entries()) {
    const name = v['name'];
    if (typeof name !== 'string') fail(where, `spec.versions[${i}].name is missing`);
    if (v['served'] !== true) continue;
    const schema = (v['schema'] as Node | undefined)?.['openAPIV3Schema'];
    const at = `${where} spec.versions[${i}] (${name}).schema.openAPIV3Schema`;
    if (!schema) fail(at, 'missing (every served version needs a schema)');
    const root = convertStructural(schema, at, false);
    // The API server validates apiVersion, kind and metadata itself; metadata is ObjectMeta.
    const props = (root['properties'] as Record<string, JSONSchema> | undefined) ?? {};
    root['properties'] = { ...props, apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: OBJECT_META };
    out.push({
      group,
      version: name,
      kind,
      ...(v['deprecated'] === true ? { deprecated: true } : {}),
      ...(typeof v['deprecationWarning'] === 'string' ? { deprecationWarning: v['deprecationWarning'] } : {}),
      schema: root,
    });
  }
  return out;
}

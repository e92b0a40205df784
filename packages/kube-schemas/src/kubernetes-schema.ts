// Pure: one kind's JSON Schema for one release, built from the shipped definitions. What kubeconform
// -strict builds from the same definitions, plus what the API server reads:
//   - strict: `additionalProperties: false` on every object with properties;
//   - null on an optional field means "not set" (the API server's reading; `creationTimestamp: null`);
//   - IntOrString: string or integer; Quantity: a number or a string in Quantity's grammar;
//   - enums the API server enforces (enums.json), which the definitions do not list.
// Each definition carries `x-kubernetes-definition: <name>` so a violation can say which type it is in.
import type { Definition } from './generate/convert-definitions.js';
import type { EnumTable } from './generate/collect-enums.js';
import { walkDefinitions } from './definition-walk.js';
import type { JSONSchema } from './types.js';

export const DEFINITION_TAG = 'x-kubernetes-definition';
const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
const LOCAL = '#/definitions/';

export interface BuildOptions {
  readonly strict: boolean;
}

/** Definition name → the definition as it is in the release. */
export type DefinitionLookup = (name: string) => Definition | undefined;

export function buildKindSchema(
  root: string,
  lookup: DefinitionLookup,
  enums: EnumTable,
  options: BuildOptions,
): JSONSchema {
  return walkDefinitions(root, (name, pending) => {
    const def = lookup(name);
    if (!def) throw new Error(`definition ${name} is missing from the shipped data`);
    return convertDefinition(name, def, enums[name] ?? {}, options, pending);
  });
}

function convertDefinition(
  name: string,
  def: Definition,
  enums: Record<string, string[]>,
  options: BuildOptions,
  pending: string[],
): JSONSchema {
  if (name === INT_OR_STRING) return { type: ['string', 'integer', 'null'], [DEFINITION_TAG]: name };
  if (name === QUANTITY) return { type: ['string', 'number', 'null'], format: 'quantity', [DEFINITION_TAG]: name };
  const out = convertNode(def, options, pending) as JSONSchema;
  const properties = out['properties'] as Record<string, JSONSchema> | undefined;
  if (properties) {
    const required = new Set((def['required'] as string[] | undefined) ?? []);
    for (const [field, schema] of Object.entries(properties)) {
      const values = enums[field];
      if (values && !schema['enum']) schema['enum'] = [...values];
      if (!required.has(field)) allowNull(schema);
    }
  }
  // A definition may be referenced by an optional field, where null means "not set".
  if (typeof out['type'] === 'string') out['type'] = [out['type'], 'null'];
  out[DEFINITION_TAG] = name;
  return out;
}

function convertNode(node: unknown, options: BuildOptions, pending: string[]): unknown {
  if (Array.isArray(node)) return node.map((n) => convertNode(n, options, pending));
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === '$ref' && typeof v === 'string') {
      pending.push(v.slice(LOCAL.length));
      out[k] = v;
    } else if (k === 'properties') {
      const props: Record<string, unknown> = {};
      for (const [field, schema] of Object.entries(v as object)) props[field] = convertNode(schema, options, pending);
      out[k] = props;
    } else out[k] = convertNode(v, options, pending);
  }
  if (
    options.strict &&
    out['properties'] &&
    Object.keys(out['properties'] as object).length &&
    out['additionalProperties'] === undefined
  ) {
    out['additionalProperties'] = false;
  }
  return out;
}

function allowNull(schema: JSONSchema): void {
  const type = schema['type'];
  if (typeof type === 'string') schema['type'] = [type, 'null'];
  else if (Array.isArray(type) && !type.includes('null')) schema['type'] = [...type, 'null'];
  if (Array.isArray(schema['enum']) && !schema['enum'].includes(null)) schema['enum'] = [...schema['enum'], null];
}

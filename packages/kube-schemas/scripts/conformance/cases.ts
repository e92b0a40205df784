// Pure: generated test objects for one kind from its schema: a valid minimal object, then one defect
// at a time (unknown field, wrong type, missing required field, value outside an enum, too long, bad
// pattern). Each case says whether it is valid by construction.
type Node = Record<string, any>;

export interface Case {
  readonly name: string;
  readonly object: Record<string, unknown>;
  /** What the construction intends; the oracle may still disagree (then the table says so). */
  readonly valid: boolean;
}

export type Resolve = (node: Node) => Node;

const SPECIAL: Record<string, unknown> = {
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString': 1,
  'io.k8s.apimachinery.pkg.api.resource.Quantity': '1',
};

/** A minimal valid value for a schema node; undefined when none can be built. */
export function minimalValue(node: Node, resolve: Resolve, depth = 0): unknown {
  if (depth > 30) return undefined;
  const ref: string | undefined = node['$ref'];
  if (ref) {
    const name = ref.replace('#/definitions/', '');
    if (name in SPECIAL) return SPECIAL[name];
    return minimalValue(resolve(node), resolve, depth + 1);
  }
  if (Array.isArray(node['enum'])) return node['enum'].find((v: unknown) => v !== null);
  if (node['x-kubernetes-int-or-string']) return 1;
  const type = Array.isArray(node['type']) ? node['type'].find((t: string) => t !== 'null') : node['type'];
  switch (type) {
    case 'string':
      if (node['format'] === 'date-time') return '2024-01-01T00:00:00Z';
      if (node['format'] === 'byte') return 'eA==';
      if (node['format'] === 'duration') return '1m';
      if (node['pattern'] || node['minLength'] > 1) return undefined;
      return 'x';
    case 'integer':
      return node['minimum'] !== undefined ? Math.max(1, node['minimum']) : 1;
    case 'number':
      return node['minimum'] !== undefined ? Math.max(1, node['minimum']) : 1;
    case 'boolean':
      return true;
    case 'array':
      if (node['minItems'] > 0) {
        const item = minimalValue(node['items'] ?? {}, resolve, depth + 1);
        return item === undefined ? undefined : [item];
      }
      return [];
    case 'object':
    case undefined: {
      if (!node['properties'] && type === undefined) return node['oneOf'] ? 'x' : {};
      const out: Record<string, unknown> = {};
      for (const req of (node['required'] as string[] | undefined) ?? []) {
        const child = node['properties']?.[req];
        if (!child) continue;
        const v = minimalValue(child, resolve, depth + 1);
        if (v === undefined) return undefined;
        out[req] = v;
      }
      return out;
    }
  }
  return undefined;
}

const clone = <T>(v: T): T => structuredClone(v);

function wrongValue(node: Node, resolve: Resolve): unknown {
  const n = node['$ref'] ? resolve(node) : node;
  const type = Array.isArray(n['type']) ? n['type'].find((t: string) => t !== 'null') : n['type'];
  if (n['oneOf'] || n['x-kubernetes-int-or-string']) return true;
  if (type === 'string') return 12;
  if (type === 'integer' || type === 'number' || type === 'object' || type === 'array') return 'not-a-' + type;
  if (type === 'boolean') return 'yes';
  return undefined;
}

/** The generated cases for one kind, whose root schema is `root` (properties with $refs resolved by `resolve`). */
export function generateCases(
  apiVersion: string,
  kind: string,
  root: Node,
  resolve: Resolve,
  extraRequired: Record<string, unknown> = {},
): Case[] {
  const base = minimalValue(root, resolve) as Record<string, unknown> | undefined;
  if (!base || typeof base !== 'object') return [];
  const valid = { ...base, ...extraRequired, apiVersion, kind, metadata: { name: 'x', namespace: 'default' } };
  const cases: Case[] = [{ name: 'valid minimal object', object: valid, valid: true }];
  cases.push({ name: 'unknown top-level field', object: { ...clone(valid), unknownFieldX: 1 }, valid: false });
  const props: Record<string, Node> = root['properties'] ?? {};
  const specNode = props['spec'] ? (props['spec']['$ref'] ? resolve(props['spec']) : props['spec']) : undefined;
  if (specNode?.['properties'] && !specNode['x-kubernetes-preserve-unknown-fields']) {
    const o = clone(valid) as Record<string, any>;
    o['spec'] = { ...(o['spec'] ?? {}), unknownFieldX: 1 };
    cases.push({ name: 'unknown field in spec', object: o, valid: false });
  }
  cases.push({ name: 'wrong type: metadata.name', object: { ...clone(valid), metadata: { name: 5 } }, valid: false });
  for (const [scope, node] of [
    ['', root],
    ['spec', specNode],
  ] as const) {
    if (!node?.['properties']) continue;
    const at = (o: Record<string, any>) => (scope ? o[scope] : o);
    // Missing required fields.
    for (const req of (node['required'] as string[] | undefined) ?? []) {
      if (['apiVersion', 'kind', 'metadata'].includes(req)) continue;
      const o = clone(valid) as Record<string, any>;
      if (!at(o)) continue;
      delete at(o)[req];
      cases.push({ name: `missing required ${scope ? `${scope}.` : ''}${req}`, object: o, valid: false });
    }
    // The first two fields (by name) that can take a wrong type, and enum / length / pattern defects.
    let typed = 0;
    for (const field of Object.keys(node['properties']).sort()) {
      if (['apiVersion', 'kind', 'metadata', 'status'].includes(field)) continue;
      const child: Node = node['properties'][field];
      const c = child['$ref'] ? resolve(child) : child;
      const o = () => clone(valid) as Record<string, any>;
      const put = (value: unknown) => {
        const obj = o();
        if (scope) obj[scope] = { ...(obj[scope] ?? {}), [field]: value };
        else obj[field] = value;
        return obj;
      };
      const label = `${scope ? `${scope}.` : ''}${field}`;
      const wrong = wrongValue(child, resolve);
      if (typed < 2 && wrong !== undefined) {
        typed++;
        cases.push({ name: `wrong type: ${label}`, object: put(wrong), valid: false });
      }
      if (Array.isArray(c['enum']) && c['enum'].some((v: unknown) => typeof v === 'string')) {
        cases.push({ name: `value outside enum: ${label}`, object: put('NotAnEnumValue'), valid: false });
      }
      if (typeof c['maxLength'] === 'number' && c['maxLength'] < 1000) {
        cases.push({ name: `too long: ${label}`, object: put('a'.repeat(c['maxLength'] + 1)), valid: false });
      }
      if (typeof c['pattern'] === 'string' && c['pattern'].startsWith('^')) {
        cases.push({ name: `pattern mismatch: ${label}`, object: put(' not matching '), valid: false });
      }
    }
  }
  return cases;
}

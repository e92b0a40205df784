// Pairs the client's model tree with kubernetes-models' interface tree of the same kind, field by field,
// and keeps what only the latter knows: enum values and Quantity fields.
import type { ModelReader } from './client-node-models.js';
import { literalUnion, QUANTITY, referencedInterface, type DtsReader } from './models-dts.js';

export interface FieldHints {
  readonly enum?: readonly string[];
  readonly quantity?: boolean;
}

/** Client model name → JSON field name → hints. Shared by every kind, filled as kinds are walked. */
export type HintTable = Map<string, Map<string, FieldHints>>;

/** The model a client field type refers to, through Array<...> and { [key: string]: ...; }. */
export function referencedModel(type: string): string | undefined {
  const m = /^(?:Array<(\w+)>|\{ \[key: string\]: (\w+); \}|(\w+))$/.exec(type);
  const name = m?.[1] ?? m?.[2] ?? m?.[3];
  return name && /V\d/.test(name) && name !== 'V1MicroTime' ? name : undefined;
}

const STRINGISH = new Set(['string', 'Array<string>', '{ [key: string]: string; }']);

// Values the API server accepts that the enums omit: an empty toleration effect matches every effect,
// an empty operator means Equal.
const ENUM_EXTRAS: Readonly<Record<string, readonly string[]>> = {
  'V1Toleration.effect': [''],
  'V1Toleration.operator': [''],
};

/** Walks `model` (client) against `dtsFile` (kubernetes-models) and records hints into `table`. */
export function collectHints(
  model: string,
  dtsFile: string,
  readModel: ModelReader,
  readDts: DtsReader,
  table: HintTable,
): void {
  if (table.has(model)) return;
  const info = readModel(model);
  const dts = readDts(dtsFile);
  // Kinds newer than kubernetes-models have no counterpart: leave the model open for a later pairing.
  if (!info || !dts) return;
  const hints = new Map<string, FieldHints>();
  table.set(model, hints);
  for (const field of info.fields) {
    const other = dts.fields.get(field.json);
    if (!other) continue;
    const values = literalUnion(other.type);
    if (values && field.type === 'string')
      hints.set(field.json, { enum: [...values, ...(ENUM_EXTRAS[`${model}.${field.json}`] ?? [])] });
    else if (other.type.includes(QUANTITY) && STRINGISH.has(field.type)) hints.set(field.json, { quantity: true });
    const child = referencedModel(field.type);
    const iface = referencedInterface(other.type);
    const file = iface && dts.imports.get(iface);
    if (child && file) collectHints(child, file, readModel, readDts, table);
  }
}

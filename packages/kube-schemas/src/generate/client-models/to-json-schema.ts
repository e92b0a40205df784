// Pure: turns a client model tree (plus enum/Quantity hints) into one standalone JSON Schema per kind,
// the nested models under `definitions`. Strict adds `additionalProperties: false` to every model with
// fields, as kubeconform's -strict schemas do.
//
// null: the API server treats `field: null` as "not set", and rendered manifests carry it
// (`creationTimestamp: null`), so optional fields and every model object also accept null. Required
// fields must still be present.
import { walkDefinitions } from '../../definition-walk.js';
import type { JSONSchema } from '../../types.js';
import type { ModelField, ModelReader } from './client-node-models.js';
import { referencedModel, type FieldHints, type HintTable } from './field-hints.js';

export interface ToSchemaOptions {
  readonly strict: boolean;
}

export function modelToJsonSchema(
  root: string,
  readModel: ModelReader,
  hints: HintTable,
  options: ToSchemaOptions,
): JSONSchema {
  return walkDefinitions(root, (name, pending) => {
    const info = readModel(name);
    const properties: Record<string, JSONSchema> = {};
    const required: string[] = [];
    for (const field of info?.fields ?? []) {
      properties[field.json] = fieldSchema(field, hints.get(name)?.get(field.json), pending);
      if (field.required) required.push(field.json);
    }
    const schema: JSONSchema = { type: ['object', 'null'], properties };
    if (required.length) schema['required'] = required;
    if (options.strict && info?.fields.length) schema['additionalProperties'] = false;
    return schema;
  });
}

function fieldSchema(field: ModelField, hints: FieldHints | undefined, pending: string[]): JSONSchema {
  const schema = typeSchema(field.type, field.format, hints, pending);
  if (!field.required) allowNull(schema);
  return schema;
}

function allowNull(schema: JSONSchema): void {
  const type = schema['type'];
  if (typeof type === 'string') schema['type'] = [type, 'null'];
  else if (Array.isArray(type) && !type.includes('null')) schema['type'] = [...type, 'null'];
  if (Array.isArray(schema['enum'])) schema['enum'] = [...schema['enum'], null];
}

function typeSchema(type: string, format: string, hints: FieldHints | undefined, pending: string[]): JSONSchema {
  const array = /^Array<(.+)>$/.exec(type);
  if (array) return { type: 'array', items: typeSchema(array[1]!, format, hints, pending) };
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) return { type: 'object', additionalProperties: typeSchema(map[1]!, format, hints, pending) };
  switch (type) {
    case 'string':
      if (hints?.quantity) return { type: ['string', 'number'], format: 'quantity' };
      if (hints?.enum) return { type: 'string', enum: [...hints.enum] };
      return format === 'byte' ? { type: 'string', format: 'byte' } : { type: 'string' };
    case 'number':
      if (format === 'int32' || format === 'int64') return { type: 'integer', format };
      return { type: 'number' };
    case 'boolean':
      return { type: 'boolean' };
    case 'Date':
    case 'V1MicroTime':
      return { type: 'string', format: 'date-time' };
    case 'IntOrString':
      return { type: ['string', 'integer'] };
    case 'any':
      return {};
  }
  const model = referencedModel(type);
  if (!model) throw new Error(`unsupported client model type "${type}"`);
  pending.push(model);
  return { $ref: `#/definitions/${model}` };
}

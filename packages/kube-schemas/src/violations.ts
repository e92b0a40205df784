// Pure: ajv errors (compiled with allErrors + verbose) → SchemaViolation, with JSON pointers into the
// resource and "did you mean" for unknown fields.
import type { ErrorObject } from 'ajv';
import { closest, distance } from 'fastest-levenshtein';
import { FORMAT_HINTS } from './formats.js';
import type { SchemaViolation } from './types.js';

export function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** The known name closest to `name`, when close enough to be a plausible typo. */
export function didYouMean(name: string, known: readonly string[]): string | undefined {
  if (!known.length) return undefined;
  const lower = name.toLowerCase();
  const sameCase = known.find((k) => k.toLowerCase() === lower);
  if (sameCase) return sameCase;
  const best = closest(name, known as string[]);
  return distance(name, best) <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function typesOf(schema: unknown): string[] {
  const s = schema as { type?: unknown; enum?: unknown[]; const?: unknown } | undefined;
  if (!s) return [];
  if (Array.isArray(s.type)) return s.type.filter((t) => t !== 'null') as string[];
  if (typeof s.type === 'string') return [s.type];
  if (s.enum) return s.enum.filter((v) => v !== null).map(show);
  if ('const' in s) return [show(s.const)];
  return [];
}

const or = (items: readonly string[]) => items.join(' or ');

/** Says why an unknown field of a definition is unknown (see SchemaSource.fieldNote). */
export type FieldNote = (definition: string, field: string) => string | undefined;

function toViolation(e: ErrorObject, fieldNote?: FieldNote): SchemaViolation {
  const path = e.instancePath;
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties':
    case 'unevaluatedProperties': {
      const name = String(p['additionalProperty'] ?? p['unevaluatedProperty']);
      const known = Object.keys((e.parentSchema?.['properties'] as object | undefined) ?? {});
      const definition = e.parentSchema?.['x-kubernetes-definition'];
      const note = typeof definition === 'string' ? fieldNote?.(definition, name) : undefined;
      const hint = note ? undefined : didYouMean(name, known);
      const suffix = note ? `: ${note}` : hint ? ` (did you mean "${hint}"?)` : '';
      return {
        path: `${path}/${escapePointer(name)}`,
        message: `unknown field "${name}"${suffix}`,
        check: 'schema-unknown-field',
      };
    }
    case 'required': {
      const name = String(p['missingProperty']);
      return {
        path: `${path}/${escapePointer(name)}`,
        message: `missing required field "${name}"`,
        check: 'schema-required',
      };
    }
    case 'type':
      return {
        path,
        message: `expected ${or(typesOf(e.parentSchema))}, got ${jsonType(e.data)}`,
        check: 'schema-type',
      };
    case 'oneOf':
    case 'anyOf': {
      const branches = (e.schema as unknown[]).flatMap(typesOf);
      const expected = branches.length ? or([...new Set(branches)]) : 'a value matching the schema';
      return { path, message: `expected ${expected}, got ${jsonType(e.data)} ${show(e.data)}`, check: 'schema-type' };
    }
    case 'enum': {
      const allowed = (e.schema as unknown[]).filter((v) => v !== null).map(show);
      return { path, message: `value ${show(e.data)} is not one of: ${allowed.join(', ')}`, check: 'schema-enum' };
    }
    case 'const':
      return { path, message: `value ${show(e.data)} must be ${show(e.schema)}`, check: 'schema-enum' };
    case 'format': {
      const format = String(p['format']);
      const expected = FORMAT_HINTS[format] ?? `a valid ${format}`;
      return { path, message: `value ${show(e.data)} is not ${expected}`, check: 'schema-format' };
    }
    case 'x-kubernetes-validations':
      return { path, message: e.message ?? 'failed a validation rule', check: 'schema-format' };
    default:
      // Value constraints of schema-location and CRD schemas (pattern, minimum, maxLength, ...).
      return { path, message: `value ${show(e.data)} ${e.message ?? 'is invalid'}`, check: 'schema-format' };
  }
}

/**
 * Maps ajv errors, ordered by path (stable whatever the schema's layout); the branch errors of a failed
 * oneOf/anyOf collapse into that one error.
 */
export function toViolations(
  errors: readonly ErrorObject[] | null | undefined,
  fieldNote?: FieldNote,
): SchemaViolation[] {
  if (!errors?.length) return [];
  const alternatives = errors.filter((e) => e.keyword === 'oneOf' || e.keyword === 'anyOf');
  const inBranch = (e: ErrorObject) =>
    alternatives.some(
      (a) => a !== e && e.schemaPath.startsWith(`${a.schemaPath}/`) && e.instancePath.startsWith(a.instancePath),
    );
  // A value of the wrong type also fails its enum/format; the type error alone says it.
  const wrongType = new Set(errors.filter((e) => e.keyword === 'type').map((e) => e.instancePath));
  const redundant = (e: ErrorObject) =>
    (e.keyword === 'enum' || e.keyword === 'format') && wrongType.has(e.instancePath);
  const seen = new Set<string>();
  const out: SchemaViolation[] = [];
  for (const e of errors) {
    if (e.keyword === 'if' || inBranch(e) || redundant(e)) continue;
    const v = toViolation(e, fieldNote);
    const key = `${v.check}\0${v.path}\0${v.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(v);
    }
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

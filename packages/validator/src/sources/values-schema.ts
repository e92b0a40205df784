import type { CheckId } from '../checks/registry.js';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { closest } from 'fastest-levenshtein';
import { jsonDepthFinding, locate, type ParsedYaml, type PathSegment } from '@cmsweb/yaml';
import { fromPointer, type Finding } from '../findings.js';
import { isRecord } from '../resources.js';
import { compileJsonSchema } from './ajv.js';

/**
 * Compiled schemas by text: generated charts share one values.schema.json, and compiling it (~45 KB) cost
 * ~0.3 s of CPU per chart, most of a repository run. Bounded, least recently used first out.
 */
const compiledByText = new Map<string, ValidateFunction>();
const COMPILED_KEPT = 16;

/** Pure: parses and compiles values.schema.json; a broken schema is a finding at its position. */
export function compileValuesSchema(text: string, file: string): { validate?: ValidateFunction; findings: Finding[] } {
  const hit = compiledByText.get(text);
  if (hit) {
    compiledByText.delete(text);
    compiledByText.set(text, hit);
    return { validate: hit, findings: [] };
  }
  // JSON.parse and the schema compiler recurse: nesting is bounded first, as for YAML.
  const deep = jsonDepthFinding(text, file);
  if (deep) return { findings: [{ ...deep, check: 'chart-values-schema' }] };
  let schema: unknown;
  try {
    schema = JSON.parse(text);
  } catch (e) {
    const msg = (e as Error).message;
    const pos = Number(/position (\d+)/.exec(msg)?.[1] ?? 0);
    const before = text.slice(0, pos).split('\n');
    return {
      findings: [
        {
          check: 'chart-values-schema',
          severity: 'error',
          message: `values.schema.json is not valid JSON: ${msg.replace(/ in JSON at position \d+.*$/, '')}`,
          file,
          line: before.length,
          column: before.at(-1)!.length + 1,
        },
      ],
    };
  }
  try {
    const validate = compileJsonSchema(schema as object);
    compiledByText.set(text, validate);
    if (compiledByText.size > COMPILED_KEPT) compiledByText.delete(compiledByText.keys().next().value!);
    return { validate, findings: [] };
  } catch (e) {
    return {
      findings: [
        {
          check: 'chart-values-schema',
          severity: 'error',
          message: `values.schema.json is not a valid JSON Schema: ${(e as Error).message}`,
          file,
          line: 1,
          column: 1,
        },
      ],
    };
  }
}

/** Helm's coalescing: maps merge key by key, anything else replaces, null deletes. */
export function mergeValues(base: unknown, over: unknown): unknown {
  if (!isRecord(base) || !isRecord(over)) return over === undefined ? base : over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v === null) delete out[k];
    else out[k] = mergeValues(base[k], v);
  }
  return out;
}

export function where(path: readonly PathSegment[]): string {
  return path.length
    ? path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('')
    : 'the top level';
}

function hasPath(value: unknown, path: readonly PathSegment[]): boolean {
  let v = value;
  for (const seg of path) {
    if (Array.isArray(v) && typeof seg === 'number') v = v[seg];
    else if (isRecord(v) && Object.hasOwn(v, String(seg))) v = v[String(seg)];
    else return false;
  }
  return true;
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `${typeof v} ${JSON.stringify(v)}`;
}

function explain(e: ErrorObject, path: PathSegment[]): { path: PathSegment[]; message: string } {
  const at = where(path);
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(e.params.additionalProperty);
      const props =
        isRecord(e.parentSchema) && isRecord(e.parentSchema.properties) ? Object.keys(e.parentSchema.properties) : [];
      const hint = props.length ? ` (did you mean "${closest(key, props)}"?); allowed keys: ${props.join(', ')}` : '';
      return { path: [...path, key], message: `unknown key "${key}" in ${at}${hint}` };
    }
    case 'required':
      return { path, message: `missing required key "${String(e.params.missingProperty)}" in ${at}` };
    case 'type':
      return { path, message: `${at}: expected ${String(e.params.type)}, got ${describeValue(e.data)}` };
    case 'enum':
      return {
        path,
        message: `${at}: expected one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}, got ${describeValue(e.data)}`,
      };
    default:
      return { path, message: `${at}: ${e.message ?? e.keyword}, got ${describeValue(e.data)}` };
  }
}

export interface ValuesSource {
  parsed: ParsedYaml;
  value: unknown;
}

/**
 * Pure: validates the coalesced values (chart values.yaml, then each overlay) against the chart's schema;
 * each error points at the last source that sets the offending key (an overlay, else values.yaml).
 */
export function checkValues(validate: ValidateFunction, sources: ValuesSource[], check: CheckId): Finding[] {
  const merged = sources.reduce<unknown>((acc, s) => mergeValues(acc, s.value ?? {}), {});
  if (validate(merged)) return [];
  const out: Finding[] = [];
  for (const e of validate.errors ?? []) {
    if (e.keyword === 'if' || e.keyword === 'anyOf' || e.keyword === 'oneOf' || e.keyword === 'allOf') continue;
    const { path, message } = explain(e, fromPointer(e.instancePath));
    const source =
      [...sources].reverse().find((s) => hasPath(s.value, path)) ??
      [...sources].reverse().find((s) => hasPath(s.value, path.slice(0, -1))) ??
      sources.at(-1);
    if (!source) continue;
    out.push({ check, severity: 'error', message, ...locate(source.parsed, 0, path) });
  }
  return out;
}

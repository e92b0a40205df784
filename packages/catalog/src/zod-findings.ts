import type { z } from 'zod';
import { closest } from 'fastest-levenshtein';
import { locate, type ParsedYaml, type PathSegment, type SourceFinding } from '@cmsweb/yaml';

/** Turns zod issues into findings at the YAML position of the offending key. */
export function zodIssuesToFindings(
  issues: z.core.$ZodIssue[],
  parsed: ParsedYaml,
  schema: z.ZodType,
  value: unknown,
): SourceFinding[] {
  const out: SourceFinding[] = [];
  for (const issue of issues) {
    const path = issue.path.filter((p): p is PathSegment => typeof p !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeys(schema, path);
      for (const key of issue.keys) {
        const hint = known.length ? ` (did you mean "${closest(key, known)}"?)` : '';
        out.push(
          finding(
            parsed,
            [...path, key],
            'catalog-unknown-key',
            `unknown key "${key}" in ${where(path)}${hint}; allowed keys: ${known.join(', ')}`,
          ),
        );
      }
      continue;
    }
    if (issue.code === 'invalid_key') {
      // The key is what is wrong, not the value under it.
      const inner = issue.issues.map((i) => i.message).join('; ');
      out.push(
        finding(
          parsed,
          path,
          'catalog-schema',
          `${where(path.slice(0, -1))}: key ${JSON.stringify(String(path.at(-1)))} is not allowed: expected ${inner}`,
        ),
      );
      continue;
    }
    const actual = valueAt(value, path);
    if (issue.code === 'invalid_type' && actual === undefined) {
      out.push(
        finding(
          parsed,
          path.slice(0, -1),
          'catalog-schema',
          `missing required key "${String(path.at(-1))}" in ${where(path.slice(0, -1))}: expected ${issue.expected}`,
        ),
      );
      continue;
    }
    out.push(finding(parsed, path, 'catalog-schema', `${where(path)}: ${describe(issue)}, got ${show(actual)}`));
  }
  return out;
}

function describe(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${issue.expected}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_union': {
      // Report each alternative's most specific message (e.g. the quantity pattern) or its expected type,
      // rather than zod's "Invalid input".
      const msgs = issue.errors
        .flat()
        .map((e) => (e.code === 'invalid_type' ? e.expected : /^Invalid input/.test(e.message) ? '' : e.message));
      const unique = [...new Set(msgs.filter((m) => m !== ''))];
      return unique.length ? `expected ${unique.join(' or ')}` : 'value of the wrong type';
    }
    case 'invalid_format':
      return `expected ${issue.message}`;
    case 'too_small':
      return issue.origin === 'array'
        ? `expected at least ${String(issue.minimum)} item(s)`
        : issue.origin === 'string'
          ? `expected at least ${String(issue.minimum)} character(s)`
          : `expected a value >= ${String(issue.minimum)}`;
    case 'too_big':
      return issue.origin === 'string'
        ? `expected ${issue.message.replace(/^Too big: expected string to have /, '')}`
        : `expected a value <= ${String(issue.maximum)}`;
    default:
      return issue.message;
  }
}

function finding(parsed: ParsedYaml, path: PathSegment[], check: string, message: string): SourceFinding {
  return { ...locate(parsed, 0, path), check, severity: 'error', message };
}

export function where(path: readonly PathSegment[]): string {
  if (path.length === 0) return 'the top level';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'number' && !Number.isFinite(v)) {
    return Number.isNaN(v)
      ? 'NaN (not a number)'
      : `a number too large to represent (it reads as ${v > 0 ? '' : '-'}infinity)`;
  }
  return `${typeof v} ${JSON.stringify(v)}`;
}

function valueAt(value: unknown, path: readonly PathSegment[]): unknown {
  let v = value;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[seg as string];
  }
  return v;
}

type AnyDef = {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  element?: z.ZodType;
  valueType?: z.ZodType;
  options?: z.ZodType[];
  in?: z.ZodType;
};

/** The keys a strict object accepts at `path` of the schema (for "did you mean"). */
export function knownKeys(schema: z.ZodType, path: readonly PathSegment[]): string[] {
  let s: z.ZodType | undefined = unwrap(schema);
  for (const seg of path) {
    if (!s) return [];
    const def = s._zod.def as unknown as AnyDef;
    if (def.type === 'object') s = unwrap(def.shape?.[String(seg)]);
    else if (def.type === 'array') s = unwrap(def.element);
    else if (def.type === 'record') s = unwrap(def.valueType);
    else return [];
  }
  const def = s?._zod.def as unknown as AnyDef | undefined;
  return def?.type === 'object' && def.shape ? Object.keys(def.shape) : [];
}

function unwrap(s: z.ZodType | undefined): z.ZodType | undefined {
  let cur = s;
  for (let i = 0; cur && i < 10; i++) {
    const def = cur._zod.def as unknown as AnyDef;
    if (['optional', 'nullable', 'default', 'readonly', 'prefault', 'nonoptional'].includes(def.type))
      cur = def.innerType;
    else if (def.type === 'pipe') cur = def.in;
    else break;
  }
  return cur;
}

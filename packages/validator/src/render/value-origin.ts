// Pure: which values key produced a rendered field, and which file set that key last. Helm keeps no
// source map, so it is read off the template: the template line the field was rendered from (see
// template-lines.ts) names `.Values.x.y` itself, or through the `with`/`range` block it sits in, or
// through a helper it includes, or it is a key whose subtree is `toYaml` of such a value. Candidates
// are kept only where the data agrees (the rendered scalar equals, or contains, the key's value), and
// the one set in the latest values file wins (values.yaml → values-<env>.yaml → overlay, helm's order).

import { isDeepStrictEqual } from 'node:util';
import { locate, type ParsedYaml } from '@cmsweb/yaml';
import { isRecord } from '../resources.js';
import { definitions } from './included-templates.js';

type Key = Array<string | number>;

/** A values file as helm reads it, in order: the chart's values.yaml first. */
export interface ValuesLayer {
  file: string;
  parsed: ParsedYaml;
  value: unknown;
  /**
   * Where a key of `value` is written in `file`, when that is not `value`'s own path in `parsed`: values an
   * Argo CD Application passes to helm (valuesObject below its path, a parameter at its `value`).
   */
  position?: (key: Key) => { line: number; column: number };
}

export interface ValueOrigin {
  /** The values key (a path in the merged values). */
  key: Key;
  layer: ValuesLayer;
  line: number;
  column: number;
}

const ACTION = /\{\{-?\s*(.*?)\s*-?\}\}/g;
/** `.Values.a.b`, `$.Values.a`, `.name`, or `.` alone, inside an action. */
const REF = /(\$?)(\.(?:[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)?)(?=[\s|)}]|$)/g;
const INCLUDE = /\b(?:include|template)\s+"([^"]+)"\s+(\S+)/g;

/** The value at `key` (map keys and list indexes) of a plain value, or undefined. */
export const getIn = (v: unknown, key: ReadonlyArray<string | number>): unknown =>
  key.reduce<unknown>(
    (acc, k) => (isRecord(acc) || Array.isArray(acc) ? (acc as Record<string, unknown>)[k] : undefined),
    v,
  );

/** Dot as a path from the root context (`['Values', ...]`), `[]` standing for a range element; undefined when computed. */
type Dot = Array<string | number> | undefined;
/** The dot, and what `$` stands for: the root context, or the data of the include being expanded (included-templates.ts). */
interface Scope {
  dot: Dot;
  root: Dot;
}

function resolve(expr: string, scope: Scope): Dot {
  const m = /^(\$?)(\.(?:[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)?)?$/.exec(expr.trim());
  if (!m || (m[1] === '' && m[2] === undefined)) return undefined;
  const parts = m[2] === undefined || m[2] === '.' ? [] : m[2].slice(1).split('.');
  const base = m[1] === '$' ? scope.root : scope.dot;
  return base === undefined ? undefined : [...base, ...parts];
}

/**
 * The scope in effect at the start of each template line (0-based): `with` and `range` blocks above it, and
 * the `__scope ARG` lines that stand for an expanded include (its data becomes both dot and `$`). All lines
 * in one pass: a finding asked for the scope at its line and scanned the template from the top each time.
 */
function scopesOf(lines: string[]): Scope[] {
  const out: Scope[] = [];
  const stack: Scope[] = [{ dot: [], root: [] }];
  for (let i = 0; i < lines.length; i++) {
    out.push(stack.at(-1)!);
    for (const m of lines[i]!.matchAll(ACTION)) {
      const body = m[1]!;
      const scope = stack.at(-1)!;
      const word = /^(\w+)\s*(.*)$/s.exec(body);
      if (!word) continue;
      const [, kw, rest] = word;
      if (kw === 'define') stack.push({ dot: [], root: [] });
      else if (kw === '__scope') {
        const data = resolve(rest!, scope);
        stack.push({ dot: data, root: data });
      } else if (kw === 'with') stack.push({ ...scope, dot: resolve(rest!.split('|')[0]!, scope) });
      else if (kw === 'range') {
        const r = /^(?:\$\w+\s*(?:,\s*\$\w+\s*)?:=\s*)?(.*)$/.exec(rest!)![1]!;
        const over = resolve(r.split('|')[0]!, scope);
        stack.push({ ...scope, dot: over === undefined ? undefined : [...over, '[]'] });
      } else if (kw === 'if' || kw === 'block') stack.push(scope);
      else if (kw === 'end' && stack.length > 1) stack.pop();
    }
  }
  return out;
}

/**
 * A template's lines and the scope at each, by template text: the charts of a repository share their
 * expanded templates (the chart library's), and one object's findings ask the same template again and again.
 * A few recent templates are kept (oldest dropped first).
 */
const TEMPLATES = new Map<string, { lines: string[]; scopes: Scope[] }>();
const TEMPLATES_MAX = 64;
function templateScopes(template: string): { lines: string[]; scopes: Scope[] } {
  let t = TEMPLATES.get(template);
  if (!t) {
    const lines = template.split('\n');
    t = { lines, scopes: scopesOf(lines) };
    if (TEMPLATES.size >= TEMPLATES_MAX) TEMPLATES.delete(TEMPLATES.keys().next().value!);
    TEMPLATES.set(template, t);
  }
  return t;
}

/** Values keys an action text refers to, given the dot (helpers included with the root context are read too). */
function refsIn(actions: string[], scope: Scope, helpers: Record<string, string>, depth = 0): Key[] {
  const out: Key[] = [];
  for (const body of actions) {
    for (const inc of body.matchAll(INCLUDE)) {
      const arg = resolve(inc[2]!, scope);
      const helper = helpers[inc[1]!];
      if (helper !== undefined && arg !== undefined && arg.length === 0 && depth < 3) {
        out.push(
          ...refsIn(
            [...helper.matchAll(ACTION)].map((a) => a[1]!),
            { dot: [], root: [] },
            helpers,
            depth + 1,
          ),
        );
      }
    }
    const plain = body.replace(INCLUDE, '').replace(/"(?:[^"\\]|\\.)*"/g, '""');
    for (const r of plain.matchAll(REF)) {
      const k = resolve(`${r[1]}${r[2]}`, scope);
      if (k && k[0] === 'Values' && k.length > 1) out.push(k.slice(1));
    }
  }
  return out;
}

/** The named templates (`define "name"`) of a chart's template sources, with their bodies (nested blocks included). */
export function namedTemplates(templates: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, d] of definitions(templates)) out[name] = d.body;
  return out;
}

/** Deep merge as helm coalesces values files: maps merge, anything else is replaced. */
export function mergeValues(layers: readonly unknown[]): unknown {
  const merge = (a: unknown, b: unknown): unknown => {
    if (!isRecord(a) || !isRecord(b)) return b === undefined ? a : b;
    const out: Record<string, unknown> = { ...a };
    for (const [k, v] of Object.entries(b)) out[k] = merge(a[k], v);
    return out;
  };
  return layers.reduce(merge, {});
}

const scalar = (v: unknown) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

/** Range elements (`[]`) of a key resolved to the one entry whose value `agrees` with what was rendered. */
function expandRange(key: Key, merged: unknown, agrees: (value: unknown) => boolean): Key | undefined {
  const at = key.indexOf('[]');
  if (at < 0) return key;
  const list = getIn(merged, key.slice(0, at));
  const entries: Array<string | number> = Array.isArray(list)
    ? list.map((_, i) => i)
    : isRecord(list)
      ? Object.keys(list)
      : [];
  const hits = entries
    .map((i) => expandRange([...key.slice(0, at), i, ...key.slice(at + 1)], merged, agrees))
    .filter((k): k is Key => k !== undefined && agrees(getIn(merged, k)));
  return hits.length === 1 ? hits[0] : undefined;
}

/**
 * The values key that produced the rendered field at template line `line` (0-based), `rest` being the
 * part of the field's path below what that line renders (a `toYaml` subtree), and where it was set last.
 */
export function valueOrigin(input: {
  template: string;
  line: number;
  rest: Key;
  rendered: unknown;
  helpers: Record<string, string>;
  layers: readonly ValuesLayer[];
  merged: unknown;
}): ValueOrigin | undefined {
  const { lines, scopes } = templateScopes(input.template);
  const scope = scopes[input.line]!;
  const own = [...lines[input.line]!.matchAll(ACTION)].map((m) => m[1]!);
  // Refs of the line itself; else, for a key line, its subtree as `toYaml <value>` (the first such action
  // below it, inside its block).
  const structural = input.rest.length > 0 || refsIn(own, scope, input.helpers).length === 0;
  let keys: Key[] = input.rest.length ? [] : refsIn(own, scope, input.helpers);
  if (structural) {
    const indent = lines[input.line]!.length - lines[input.line]!.trimStart().length;
    for (let i = input.line + 1; i < lines.length; i++) {
      const l = lines[i]!;
      const actionOnly = l.replace(ACTION, '').trim() === '';
      if (!actionOnly && l.length - l.trimStart().length <= indent) break;
      const y = /toYaml\s+(\$?\.[\w.]*)/.exec(l);
      if (y) {
        const base = resolve(y[1]!, scopes[i]!);
        if (base?.[0] === 'Values') keys = [[...base.slice(1), ...input.rest]];
        break;
      }
    }
  }
  // The data must agree: a subtree is the value; a scalar is the value, or contains it (e.g. repository:tag).
  const shown = String(input.rendered);
  const agrees = structural
    ? (value: unknown) => value !== undefined && isDeepStrictEqual(value, input.rendered)
    : (value: unknown) =>
        scalar(input.rendered) &&
        scalar(value) &&
        (shown === String(value) || (String(value) !== '' && shown.includes(String(value))));
  const found: ValueOrigin[] = [];
  for (const raw of keys) {
    const key = expandRange(raw, input.merged, agrees);
    if (!key || !agrees(getIn(input.merged, key))) continue;
    const set = setBy(key, input.layers);
    if (set) found.push(set);
  }
  // The value set in the latest file: the one a person changed last in helm's order.
  return found.sort((a, b) => input.layers.indexOf(b.layer) - input.layers.indexOf(a.layer))[0];
}

/** The last layer that sets `key` (or the deepest part of it), with the position of that key. */
function setBy(key: Key, layers: readonly ValuesLayer[]): ValueOrigin | undefined {
  for (let n = key.length; n > 0; n--) {
    const part = key.slice(0, n);
    for (let i = layers.length - 1; i >= 0; i--) {
      const layer = layers[i]!;
      if (getIn(layer.value, part) === undefined) continue;
      const loc = layer.position ? layer.position(part) : locate(layer.parsed, 0, part);
      return { key: part, layer, line: loc.line, column: loc.column };
    }
  }
  return undefined;
}

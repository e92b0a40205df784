import { CST, isScalar } from 'yaml';
import type { Document, Node, Pair, Scalar } from 'yaml';
import type { SourceFinding } from './location.js';
import { at, compose, find, offsetOf, readScalar, show, type Composed } from './edit-yaml-doc.js';
import { formatScalar, insertKeys, removePair } from './edit-yaml-lines.js';
import { verify } from './edit-yaml-verify.js';
import { needsQuotes } from './plain-scalar-types.js';

/**
 * One change to a scalar at a mapping path, stated as compare-and-swap: `expect` is the value the
 * caller believes is there now (null: the key is absent or empty), `value` the new one (null: remove
 * the key). Leave `expect` undefined only when any current value may be replaced.
 */
export interface YamlScalarEdit {
  path: readonly string[];
  expect?: string | null;
  value: string | null;
}

export type EditYamlResult = { ok: true; text: string; changed: boolean } | { ok: false; findings: SourceFinding[] };

/**
 * Pure: applies scalar edits to a single-document YAML text, changing only the bytes of the edited
 * values: comments, quoting style, key order and blank lines stay. A missing key is added as a new
 * line at the end of its mapping (parents too); `value: null` removes the key's line. Every `expect`
 * is checked first, and nothing is edited when one differs. The result is re-parsed and must read back
 * each new value with the rest of the document unchanged, else only findings come back.
 */
export function editYamlScalars(text: string, file: string, edits: readonly YamlScalarEdit[]): EditYamlResult {
  const first = compose(text, file);
  if ('findings' in first) return first;
  const conflicts: SourceFinding[] = [];
  for (const e of edits) {
    const current = readScalar(first.doc, e.path);
    if (typeof current === 'object' && current !== null) {
      conflicts.push(at(first, current.offset, 'yaml-edit-path', current.message));
    } else if (e.expect !== undefined && current !== e.expect) {
      conflicts.push(
        at(
          first,
          offsetOf(first.doc, e.path),
          'yaml-edit-conflict',
          `${e.path.join('.')} is ${show(current)}, expected ${show(e.expect)}: the file changed since it was read, so nothing was written`,
        ),
      );
    }
  }
  if (conflicts.length > 0) return { ok: false, findings: conflicts };

  let out = text;
  for (const e of edits) {
    const step = applyOne(out, file, e);
    if (typeof step !== 'string') return { ok: false, findings: [step] };
    out = step;
  }
  const problems = verify(text, out, file, edits);
  return problems.length > 0 ? { ok: false, findings: problems } : { ok: true, text: out, changed: out !== text };
}

/** Pure: the string value at a mapping path (null when absent or empty), or findings when there is none. */
export function readYamlScalar(
  text: string,
  file: string,
  path: readonly string[],
): string | null | { findings: SourceFinding[] } {
  const c = compose(text, file);
  if ('findings' in c) return { findings: c.findings };
  const v = readScalar(c.doc, path);
  return typeof v === 'object' && v !== null ? { findings: [at(c, v.offset, 'yaml-edit-path', v.message)] } : v;
}

function applyOne(text: string, file: string, e: YamlScalarEdit): string | SourceFinding {
  const c = compose(text, file);
  if ('findings' in c) return c.findings[0]!;
  const f = find(c.doc, e.path);
  if (f.kind === 'blocked') {
    return at(
      c,
      f.node.range?.[0] ?? 0,
      'yaml-edit-path',
      `${e.path.slice(0, f.depth).join('.') || 'the document'} is not a mapping; expected a mapping holding ${e.path[f.depth]}`,
    );
  }
  if (f.kind === 'found')
    return e.value === null ? removePair(c, text, f.pair, f.map, e.path) : setValue(c, text, f.pair, e.path, e.value);
  return e.value === null ? text : insertKeys(c, text, f, e.path, e.value);
}

/** Rewrites one scalar token in place, keeping its quoting style unless the value needs quotes to stay a string. */
function setValue(
  c: Composed,
  text: string,
  pair: Pair<Scalar, Node | null>,
  path: readonly string[],
  value: string,
): string | SourceFinding {
  const node = pair.value;
  const token = node && isScalar(node) ? (node.srcToken as CST.FlowScalar | CST.BlockScalar | undefined) : undefined;
  if (!token) {
    const colon = text.indexOf(':', pair.key.range![1]);
    return text.slice(0, colon + 1) + ' ' + formatScalar(value, false) + text.slice(colon + 1);
  }
  // A plain scalar stays plain only when no YAML 1.1 or 1.2 reader would take the new text for another
  // type (helm's go-yaml v2 reads `tag: on` as true): otherwise double quotes.
  const current = (node as Scalar).type;
  const types = current === 'PLAIN' && needsQuotes(value) ? [Scalar_QUOTE_DOUBLE] : [current, Scalar_QUOTE_DOUBLE];
  for (const type of types) {
    CST.setScalarValue(token, value, { type });
    const out = c.tokens.map((t) => CST.stringify(t)).join('');
    if (readsBackAsString(out, c.file, path, value)) return out;
  }
  return at(
    c,
    token.offset,
    'yaml-edit-readback',
    `cannot write ${JSON.stringify(value)} at ${path.join('.')} so that it reads back as that string`,
  );
}

const Scalar_QUOTE_DOUBLE = 'QUOTE_DOUBLE' as Scalar.Type;

function readsBackAsString(text: string, file: string, path: readonly string[], value: string): boolean {
  const c = compose(text, file);
  if ('findings' in c) return false;
  const f = find(c.doc as Document.Parsed, path);
  return f.kind === 'found' && isScalar(f.pair.value) && f.pair.value.value === value;
}

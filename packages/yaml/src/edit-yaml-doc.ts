import { Composer, LineCounter, Parser, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import type { CST, Document, Node, Pair, Scalar, YAMLMap } from 'yaml';
import type { SourceFinding } from './location.js';
import { parseYaml } from './parse-yaml.js';

// The parsed view the byte-minimal editor works on: AST nodes that keep their CST source tokens.

export interface Composed {
  doc: Document.Parsed;
  tokens: CST.Token[];
  lines: LineCounter;
  file: string;
}

export type Found =
  | { kind: 'found'; pair: Pair<Scalar, Node | null>; map: YAMLMap }
  | { kind: 'missing'; parent: YAMLMap | null; parentPair?: Pair<Scalar, Node | null>; depth: number }
  | { kind: 'blocked'; node: Node; depth: number };

export function compose(text: string, file: string): Composed | { ok: false; findings: SourceFinding[] } {
  const syntax = parseYaml(text, file).findings.filter((f) => f.severity === 'error');
  if (syntax.length > 0)
    return {
      ok: false,
      findings: syntax.map((f) => ({ ...f, message: `${f.message}; fix the file before editing it` })),
    };
  const lines = new LineCounter();
  const tokens = [...new Parser(lines.addNewLine).parse(text)];
  const docs = [...new Composer({ keepSourceTokens: true, uniqueKeys: true }).compose(tokens)];
  const doc = docs[0] ?? (parseDocument('') as Document.Parsed);
  const c = { doc, tokens, lines, file };
  if (docs.length > 1) {
    return {
      ok: false,
      findings: [
        at(c, docs[1]!.range[0], 'yaml-edit-path', 'the file holds several YAML documents; expected exactly one'),
      ],
    };
  }
  return c;
}

export function at(c: Pick<Composed, 'lines' | 'file'>, offset: number, check: string, message: string): SourceFinding {
  const { line, col } = c.lines.linePos(offset);
  return { file: c.file, line, column: col, check, severity: 'error', message };
}

export function show(v: string | null | undefined): string {
  return v === null || v === undefined ? 'absent' : JSON.stringify(v);
}

/** A value that is written as nothing at all (`key:` followed by a line break). */
export function isEmptyValue(node: unknown): boolean {
  return node === null || node === undefined || (isScalar(node) && node.value === null && !node.source);
}

export function find(doc: Document.Parsed, path: readonly string[]): Found {
  let node: unknown = doc.contents;
  let parentPair: Pair<Scalar, Node | null> | undefined;
  for (let i = 0; i < path.length; i++) {
    if (isEmptyValue(node)) return { kind: 'missing', parent: null, parentPair, depth: i };
    if (!isMap(node)) return { kind: 'blocked', node: node as Node, depth: i };
    const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === path[i]);
    if (!pair) return { kind: 'missing', parent: node, parentPair, depth: i };
    if (i === path.length - 1) return { kind: 'found', pair: pair as Pair<Scalar, Node | null>, map: node };
    parentPair = pair as Pair<Scalar, Node | null>;
    node = pair.value;
  }
  return { kind: 'blocked', node: doc.contents as Node, depth: 0 };
}

/** The string at a path (null when absent or empty), or why the path holds no scalar. */
export function readScalar(
  doc: Document.Parsed,
  path: readonly string[],
): string | null | { offset: number; message: string } {
  const f = find(doc, path);
  if (f.kind === 'missing') return null;
  if (f.kind === 'blocked') {
    return {
      offset: f.node.range?.[0] ?? 0,
      message: `${path.slice(0, f.depth).join('.') || 'the document'} is not a mapping, so ${path.join('.')} cannot be read or set; expected a mapping`,
    };
  }
  const v = f.pair.value;
  if (v === null || (isScalar(v) && v.value === null)) return null;
  if (!isScalar(v))
    return {
      offset: v.range?.[0] ?? 0,
      message: `${path.join('.')} is a ${isSeq(v) ? 'sequence' : 'mapping'}, expected a scalar`,
    };
  return typeof v.value === 'string' ? v.value : String(v.source ?? v.value);
}

export function offsetOf(doc: Document.Parsed, path: readonly string[]): number {
  const f = find(doc, path);
  if (f.kind === 'found') return f.pair.key.range?.[0] ?? 0;
  return f.kind === 'missing' ? (f.parent?.range?.[0] ?? 0) : (f.node.range?.[0] ?? 0);
}

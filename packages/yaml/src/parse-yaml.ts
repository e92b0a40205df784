import { Composer, LineCounter, Parser, isMap, isSeq, isScalar, isPair, visit } from 'yaml';
import type { Document, Node, ParsedNode } from 'yaml';
import { depthMessage, tooDeepOffset, YAML_LIMITS } from './limits.js';
import type { SourceFinding, SourceLocation } from './location.js';

/** A YAML file parsed with positions kept, plus everything wrong with it as findings. */
export interface ParsedYaml {
  file: string;
  text: string;
  documents: Document.Parsed[];
  lineCounter: LineCounter;
  findings: SourceFinding[];
}

export interface ParseYamlOptions {
  /** Alias expansions allowed per document before it counts as an alias bomb (billion laughs). */
  maxAliasCount?: number;
  /**
   * YAML version of the reader being modelled (default 1.2). '1.1' reads as go-yaml v2 does (kubectl through
   * sigs.k8s.io/yaml): `0640` is octal 416, `yes`/`no`/`on`/`off` are booleans.
   */
  version?: '1.1' | '1.2';
}

const ERROR_HINTS: Record<string, string> = {
  DUPLICATE_KEY: 'each key may appear once per mapping; a duplicate silently replaces the first value in most tools',
  TAB_AS_INDENT: 'indent with spaces, YAML does not allow tabs for indentation',
  BAD_INDENT: 'check the indentation: siblings must start in the same column',
  MISSING_CHAR: 'a quote or bracket is not closed',
  BAD_DQ_ESCAPE: 'invalid escape in a double-quoted string',
  MULTILINE_IMPLICIT_KEY: 'a key must fit on one line; check indentation or a missing colon',
  BLOCK_AS_IMPLICIT_KEY: 'a nested block cannot be a key; check indentation',
  UNEXPECTED_TOKEN: 'unexpected text; check indentation and quoting',
};

/**
 * Parses a (multi-document) YAML text. Never throws for bad input: syntax faults, tabs, bad
 * indentation, duplicate keys, alias bombs and nesting deeper than YAML_LIMITS.maxDepth (then no document
 * is composed) come back as findings with file:line:column.
 */
export function parseYaml(text: string, file: string, options: ParseYamlOptions = {}): ParsedYaml {
  const lineCounter = new LineCounter();
  const at = (offset: number): SourceLocation => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, column: col };
  };
  // The parser builds tokens without recursion; the composer recurses, so the depth is checked in between.
  const tokens = Array.from(new Parser(lineCounter.addNewLine).parse(text));
  const deep = tooDeepOffset(tokens);
  if (deep !== undefined) {
    const findings = [{ ...at(deep), check: 'yaml-depth', severity: 'error' as const, message: depthMessage() }];
    return { file, text, documents: [], lineCounter, findings };
  }
  const docs: Document.Parsed[] = Array.from(
    new Composer({ uniqueKeys: true, keepSourceTokens: false, version: options.version ?? '1.2' }).compose(tokens),
  );
  const findings: SourceFinding[] = [];

  for (const doc of docs) {
    for (const err of doc.errors) {
      const offset = errorOffset(text, err.code, err.message, err.pos[0]);
      const hint = ERROR_HINTS[err.code];
      const base =
        err.code === 'DUPLICATE_KEY'
          ? `duplicate key "${keyAt(text, offset)}"`
          : err.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
      findings.push({
        ...at(offset),
        check: err.code === 'DUPLICATE_KEY' ? 'yaml-duplicate-key' : 'yaml-syntax',
        severity: 'error',
        message: hint && !base.includes(hint) ? `${base} (${hint})` : base,
      });
    }
    for (const warn of doc.warnings) {
      findings.push({
        ...at(warn.pos[0]),
        check: 'yaml-syntax',
        severity: 'warning',
        message: warn.message.split('\n')[0]!,
      });
    }
    // Only a text with an alias (`*name`) can be a bomb; skipping the others avoids converting every document twice.
    if (doc.errors.length === 0 && text.includes('*')) {
      const bomb = checkAliasExpansion(doc, options.maxAliasCount ?? YAML_LIMITS.maxAliasCount);
      if (bomb !== undefined) {
        findings.push({
          ...at(bomb),
          check: 'yaml-alias-bomb',
          severity: 'error',
          message: `aliases expand too often (a "billion laughs" document: an anchor used N times whose value holds M aliases counts N × M, and the limit is ${options.maxAliasCount ?? YAML_LIMITS.maxAliasCount}): write the values out instead of nesting aliases`,
        });
      }
    }
  }
  // A tab in indentation also trips the parser; keep only our clearer finding for that line.
  const tabs = findTabIndentation(text, file);
  const tabLines = new Set(tabs.map((t) => t.line));
  const kept = findings.filter((f) => !(f.check === 'yaml-syntax' && tabLines.has(f.line)));
  return { file, text, documents: docs, lineCounter, findings: dedupe([...kept, ...tabs]) };
}

/** The text of a plain or quoted key starting at `offset`. */
function keyAt(text: string, offset: number): string {
  const m = /^(?:"((?:[^"\\]|\\.)*)"|'((?:[^']|'')*)'|([^:\n#]*?))\s*:/.exec(text.slice(offset, offset + 300));
  return (m?.[1] ?? m?.[2] ?? m?.[3] ?? '').trim();
}

/** Points at where a reader must look: the opening quote of an unterminated string, the key of a bad indent. */
function errorOffset(text: string, code: string, message: string, pos: number): number {
  if (code === 'MISSING_CHAR' && /quote/.test(message)) {
    const quote = message.includes("'quote") ? "'" : '"';
    const open = text.lastIndexOf(quote, Math.min(pos, text.length - 1));
    if (open >= 0) return open;
  }
  let p = pos;
  while (code === 'BAD_INDENT' && text[p] === ' ') p++;
  // After a key with an empty value (`command:` then a newline) the parser reports the duplicate at the
  // end of that empty value: move on to where the duplicated key itself starts.
  while (code === 'DUPLICATE_KEY' && (text[p] === ' ' || text[p] === '\n' || text[p] === '\r' || text[p] === '\t')) p++;
  return p;
}

/** Returns the offset of the first alias if resolving the document would exceed the alias budget. */
function checkAliasExpansion(doc: Document.Parsed, maxAliasCount: number): number | undefined {
  try {
    doc.toJS({ maxAliasCount });
    return undefined;
  } catch (e) {
    if (e instanceof ReferenceError || (e instanceof Error && /alias/i.test(e.message))) {
      let offset = 0;
      visit(doc, {
        Alias: (_k, node) => {
          offset = node.range?.[0] ?? 0;
          return visit.BREAK;
        },
      });
      return offset;
    }
    throw e;
  }
}

/** Tabs inside indentation are invalid YAML even where the parser recovers; report each line once. */
function findTabIndentation(text: string, file: string): SourceFinding[] {
  const out: SourceFinding[] = [];
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    const m = /^( *)\t/.exec(line);
    if (m && line.trim() !== '' && !line.trimStart().startsWith('#')) {
      out.push({
        file,
        line: i + 1,
        column: m[1]!.length + 1,
        check: 'yaml-tab-indent',
        severity: 'error',
        message: 'tab character used for indentation (indent with spaces, YAML does not allow tabs)',
      });
    }
  });
  return out;
}

function dedupe(findings: SourceFinding[]): SourceFinding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = `${f.line}:${f.column}:${f.check}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export type PathSegment = string | number;

/**
 * The position of the node at `path` in a document: the key's position for a mapping entry (what a
 * reader looks for), or the nearest existing ancestor when the path does not exist.
 */
export function locate(parsed: ParsedYaml, docIndex: number, path: readonly PathSegment[]): SourceLocation {
  const doc = parsed.documents[docIndex];
  let offset = doc?.contents?.range?.[0] ?? 0;
  let node: unknown = doc?.contents;
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) break;
      offset = (pair.key as ParsedNode).range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg] as Node | undefined;
      if (!item) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else break;
  }
  const { line, col } = parsed.lineCounter.linePos(offset);
  return { file: parsed.file, line, column: col };
}

/** The plain JavaScript value of each document (after a clean parse). */
export function toJs(parsed: ParsedYaml): unknown[] {
  return parsed.documents.map((d) => d.toJS({ maxAliasCount: YAML_LIMITS.maxAliasCount }));
}

import { isMap, isPair, isSeq } from 'yaml';
import type { Node, Pair, Scalar, YAMLMap } from 'yaml';
import type { SourceFinding } from './location.js';
import { at, isEmptyValue, type Composed, type Found } from './edit-yaml-doc.js';
import { stringifyYamlScalar } from './stringify-yaml.js';

// Line-level edits for keys that do not exist yet or must go: whole lines are inserted or removed,
// every other byte of the file stays as it was.

/**
 * A scalar as a new line would write it: as the repository's one serializer writes it (plain only when
 * every YAML 1.1 and 1.2 reader reads back the same string), double-quoted when it spans lines.
 */
export function formatScalar(value: string, inFlow: boolean): string {
  if (/[\n\r]/.test(value) || (inFlow && /[,[\]{}]/.test(value))) return JSON.stringify(value);
  const s = stringifyYamlScalar(value);
  return s.includes('\n') ? JSON.stringify(value) : s;
}

/** The offset just past the last character that belongs to a node's content. */
export function lastContentEnd(node: Node | Pair): number {
  if (isPair(node)) {
    const key = node.key as Scalar;
    return isEmptyValue(node.value) ? key.range![1] : lastContentEnd(node.value as Node);
  }
  if ((isMap(node) || isSeq(node)) && !node.flow) {
    const last = node.items[node.items.length - 1] as Node | Pair | undefined;
    if (last) return lastContentEnd(last);
  }
  return node.range![1];
}

/** Start of the line after the one holding `pos` (or `pos` itself when it already starts a line). */
function nextLineStart(text: string, pos: number): { offset: number; needsNewline: boolean } {
  if (pos > 0 && text[pos - 1] === '\n') return { offset: pos, needsNewline: false };
  const nl = text.indexOf('\n', pos);
  return nl === -1 ? { offset: text.length, needsNewline: true } : { offset: nl + 1, needsNewline: false };
}

function column(c: Composed, offset: number): number {
  return c.lines.linePos(offset).col - 1;
}

/** The indentation step the file uses for nested block mappings (2 when it has none). */
function indentStep(c: Composed): number {
  let step = 0;
  const walk = (node: unknown): void => {
    if (step || !isMap(node) || node.flow) return;
    for (const p of node.items) {
      if (isMap(p.value) && !p.value.flow && p.value.items[0]) {
        step = column(c, (p.value.items[0].key as Scalar).range![0]) - column(c, (p.key as Scalar).range![0]);
        if (step > 0) return;
      }
      walk(p.value);
    }
  };
  walk(c.doc.contents);
  return step > 0 ? step : 2;
}

function blockLines(keys: readonly string[], value: string, indent: number, step: number, eol: string): string {
  return keys
    .map(
      (k, i) =>
        ' '.repeat(indent + i * step) +
        formatScalar(k, false) +
        ':' +
        (i === keys.length - 1 ? ' ' + formatScalar(value, false) : '') +
        eol,
    )
    .join('');
}

function flowText(keys: readonly string[], value: string): string {
  const [k, ...rest] = keys;
  return `${formatScalar(k!, true)}: ${rest.length === 0 ? formatScalar(value, true) : `{ ${flowText(rest, value)} }`}`;
}

/** Adds the missing keys `path[depth..]` (and the value) as new lines at the end of their mapping. */
export function insertKeys(
  c: Composed,
  text: string,
  f: Extract<Found, { kind: 'missing' }>,
  path: readonly string[],
  value: string,
): string | SourceFinding {
  const keys = path.slice(f.depth);
  const step = indentStep(c);
  if (f.parent?.flow) return insertIntoFlow(c, text, f.parent, keys, value);
  let pos: number;
  let indent: number;
  if (f.parent) {
    pos = lastContentEnd(f.parent);
    indent = column(c, (f.parent.items[0]!.key as Scalar).range![0]);
  } else if (f.parentPair) {
    const key = f.parentPair.key;
    pos = key.range![1];
    indent = column(c, key.range![0]) + step;
  } else {
    pos = text.length;
    indent = 0;
  }
  const { offset, needsNewline } = nextLineStart(text, pos);
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  return (
    text.slice(0, offset) +
    (needsNewline && offset > 0 ? eol : '') +
    blockLines(keys, value, indent, step, eol) +
    text.slice(offset)
  );
}

function insertIntoFlow(
  c: Composed,
  text: string,
  map: YAMLMap,
  keys: readonly string[],
  value: string,
): string | SourceFinding {
  const last = map.items[map.items.length - 1];
  if (!last) {
    const open = text.indexOf('{', map.range![0]);
    return text.slice(0, open + 1) + ' ' + flowText(keys, value) + ' ' + text.slice(open + 1).replace(/^ /, '');
  }
  const end = lastContentEnd(last as Pair);
  if (text.slice(end, map.range![1]).includes('#')) {
    return at(
      c,
      map.range![0],
      'yaml-edit-path',
      `cannot add ${keys.join('.')} to a flow mapping that holds comments; expected a block mapping or a flow mapping without comments`,
    );
  }
  return text.slice(0, end) + ', ' + flowText(keys, value) + text.slice(end);
}

/** Removes a key's whole line(s) from a block mapping. */
export function removePair(
  c: Composed,
  text: string,
  pair: Pair<Scalar, Node | null>,
  map: YAMLMap,
  path: readonly string[],
): string | SourceFinding {
  const keyStart = pair.key.range![0];
  const lineStart = text.lastIndexOf('\n', keyStart - 1) + 1;
  if (map.flow || text.slice(lineStart, keyStart).trim() !== '') {
    return at(
      c,
      keyStart,
      'yaml-edit-path',
      `${path.join('.')} does not start its own line; expected a block mapping entry to remove`,
    );
  }
  if (map.items.length === 1) {
    return at(
      c,
      keyStart,
      'yaml-edit-path',
      `${path.join('.')} is the only key of its mapping; removing it would leave ${path.slice(0, -1).join('.') || 'the document'} empty`,
    );
  }
  const { offset } = nextLineStart(text, lastContentEnd(pair));
  return text.slice(0, lineStart) + text.slice(offset);
}

import type { CST } from 'yaml';
import type { SourceFinding } from './location.js';

/**
 * The limits every reader of the repository applies to YAML and JSON it did not write itself (catalog,
 * environment files, overlays, charts, validator.yaml, manifests, values schemas): the one place they are
 * defined.
 */
export const YAML_LIMITS = {
  /**
   * Collections nested in collections. The deepest real object known here, the Argo CD Application CRD, has
   * 26 levels; go-yaml (helm, the API server) stops at 10,000, but the `yaml` library's composer and every
   * recursive reader after it run out of stack near 1,000, at a place that depends on the stack size. So the
   * limit is checked first, on the parser's tokens (built without recursion), and is the same everywhere.
   */
  maxDepth: 128,
  /**
   * Alias expansions per document before it counts as an alias bomb ("billion laughs"): the `yaml` library's
   * maxAliasCount, a budget on the nodes aliases expand to relative to the document's own size.
   */
  maxAliasCount: 100,
} as const;

const DEPTH_HINT =
  'the deepest real Kubernetes object known here has 26 levels: flatten the data, or split it into several values';

/** The message of a document nested deeper than YAML_LIMITS.maxDepth. */
export function depthMessage(maxDepth: number = YAML_LIMITS.maxDepth): string {
  return `nested more than ${maxDepth} levels deep here (collections inside collections; the limit is ${maxDepth}): ${DEPTH_HINT}`;
}

function isCollection(t: CST.Token | undefined): t is CST.BlockMap | CST.BlockSequence | CST.FlowCollection {
  return t?.type === 'block-map' || t?.type === 'block-seq' || t?.type === 'flow-collection';
}

/**
 * Pure: the offset of the first collection (in document order) nested deeper than `maxDepth` in the
 * parser's tokens, or undefined. Iterative, so any depth is safe.
 */
export function tooDeepOffset(
  tokens: readonly CST.Token[],
  maxDepth: number = YAML_LIMITS.maxDepth,
): number | undefined {
  const stack: Array<[CST.Token, number]> = [];
  for (let i = tokens.length - 1; i >= 0; i--) stack.push([tokens[i]!, 0]);
  while (stack.length > 0) {
    const [token, parentDepth] = stack.pop()!;
    const depth = isCollection(token) ? parentDepth + 1 : parentDepth;
    if (depth > maxDepth) return (token as CST.BlockMap).offset;
    const children: CST.Token[] = [];
    if (token.type === 'document' && token.value) children.push(token.value);
    if (isCollection(token))
      for (const item of token.items) {
        if (item.key) children.push(item.key);
        if (item.value) children.push(item.value);
      }
    for (let i = children.length - 1; i >= 0; i--) stack.push([children[i]!, depth]);
  }
  return undefined;
}

/**
 * Pure: a finding when JSON `text` nests arrays and objects deeper than `maxDepth` (at the bracket that goes
 * too deep), else undefined. A linear scan: strings are skipped, brackets counted.
 */
export function jsonDepthFinding(
  text: string,
  file: string,
  maxDepth: number = YAML_LIMITS.maxDepth,
): SourceFinding | undefined {
  let depth = 0;
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      line++;
      lineStart = i + 1;
    } else if (c === 34 /* " */) {
      for (i++; i < text.length && text.charCodeAt(i) !== 34; i++) if (text.charCodeAt(i) === 92 /* \ */) i++;
    } else if (c === 91 /* [ */ || c === 123 /* { */) {
      if (++depth > maxDepth)
        return {
          file,
          line,
          column: i - lineStart + 1,
          check: 'yaml-depth',
          severity: 'error',
          message: depthMessage(maxDepth),
        };
    } else if (c === 93 /* ] */ || c === 125 /* } */) depth--;
  }
  return undefined;
}

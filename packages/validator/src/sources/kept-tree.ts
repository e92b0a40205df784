import { parseYaml, type ParsedYaml } from '@cmsweb/yaml';
import type { RepoYaml } from '../repo/repo-snapshot.js';

// Syntax trees with positions cost tens of times their text. Repository mode reads thousands of files and
// renders thousands of documents whose trees are only needed to place a finding: it keeps the text and the
// value, and the tree only while memory allows (parsing is pure: a tree parsed again is an equal tree).

/** Recently used trees, kept strongly so that the checks that run right after a parse do not parse again. */
const RECENT: ParsedYaml[] = [];
const RECENT_MAX = 256;

/** A text's syntax tree: `first` (or `parse`d on demand), kept strongly while recent, then weakly. */
export function keptTree(
  text: string,
  file: string,
  first?: ParsedYaml,
  parse: (text: string, file: string) => ParsedYaml = parseYaml,
): () => ParsedYaml {
  let ref: WeakRef<ParsedYaml> | undefined;
  const keep = (t: ParsedYaml) => {
    ref = new WeakRef(t);
    RECENT.push(t);
    if (RECENT.length > RECENT_MAX) RECENT.shift();
    return t;
  };
  if (first) keep(first);
  return () => ref?.deref() ?? keep(parse(text, file));
}

/** A repository YAML file whose tree (`parsed`, parsed on demand when not given) is kept as keptTree keeps it. */
export function leanRepoYaml(
  file: string,
  text: string,
  parsed: ParsedYaml | undefined,
  value: unknown,
  parse?: (text: string, file: string) => ParsedYaml,
): RepoYaml {
  const tree = keptTree(text, file, parsed, parse);
  return {
    file,
    value,
    get parsed() {
      return tree();
    },
  };
}

import { Document, isMap, isPair, isScalar, type YAMLMap } from 'yaml';
import { stringifyYaml } from '@cmsweb/yaml';

/**
 * Pure: `value` as YAML (through the repository's one serializer configuration) with a `# comment` line
 * above every key that `comments` documents (dotted paths). Top-level keys are separated by a blank line.
 */
export function formatCommentedYaml(value: Record<string, unknown>, comments: Record<string, string>): string {
  const doc = new Document(value);
  annotate(doc.contents as YAMLMap, '', comments, true);
  return stringifyYaml(doc);
}

function annotate(map: YAMLMap, prefix: string, comments: Record<string, string>, top: boolean): void {
  map.items.forEach((pair, i) => {
    if (!isPair(pair) || !isScalar(pair.key)) return;
    const path = prefix + String(pair.key.value);
    const comment = comments[path];
    if (comment) pair.key.commentBefore = comment.split('\n').map((l) => ` ${l}`).join('\n');
    if (top && i > 0) pair.key.spaceBefore = true;
    if (isMap(pair.value)) annotate(pair.value, `${path}.`, comments, false);
  });
}

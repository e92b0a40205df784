import { stringifyYaml } from '@cmsweb/yaml';

/** Serialised chunks by their JSON, shared over one plan: charts repeat many values (labels, limits, ...). */
export type YamlCache = Map<string, string>;

/**
 * Pure: `value` as YAML with a `# comment` line above every key that `comments` documents (dotted
 * paths, two levels deep), top-level keys separated by a blank line. Each key is serialised on its own
 * by `stringifyYaml` (the repository's one configuration), so the text minus comments and blank lines
 * is exactly `stringifyYaml(value)`; serialising key by key lets identical chunks be reused via `cache`.
 */
export function formatCommentedYaml(
  value: Record<string, unknown>,
  comments: Record<string, string>,
  cache: YamlCache = new Map(),
): string {
  const chunk = (key: string, v: unknown): string => {
    const one = { [key]: v };
    const id = JSON.stringify(one);
    let text = cache.get(id);
    if (text === undefined) {
      text = stringifyYaml(one);
      cache.set(id, text);
    }
    return text;
  };
  const documentedParents = new Set(
    Object.keys(comments)
      .filter((p) => p.includes('.'))
      .map((p) => p.slice(0, p.indexOf('.'))),
  );
  const parts: string[] = [];
  for (const [key, v] of Object.entries(value)) {
    let part = commentLines(comments[key], '');
    if (documentedParents.has(key) && isNonEmptyMap(v)) {
      part += `${chunk(key, {}).replace(/ \{\}\n$/, '\n')}`;
      for (const [child, cv] of Object.entries(v)) {
        part += commentLines(comments[`${key}.${child}`], '  ') + indent(chunk(child, cv));
      }
    } else {
      part += chunk(key, v);
    }
    parts.push(part);
  }
  return parts.join('\n');
}

function commentLines(comment: string | undefined, pad: string): string {
  return comment
    ? comment
        .split('\n')
        .map((l) => `${pad}# ${l}\n`)
        .join('')
    : '';
}

function indent(text: string): string {
  return text.replace(/^(?=.)/gm, '  ');
}

function isNonEmptyMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length > 0;
}

import { isDeepStrictEqual } from 'node:util';
import { parseDocument } from 'yaml';
import { YAML_LIMITS } from './limits.js';
import type { SourceFinding } from './location.js';
import type { YamlScalarEdit } from './edit-yaml.js';

// The proof every edit must pass: the new text parses, reads back each new value as a string, and
// equals the old document with exactly those values changed.

export function verify(before: string, after: string, file: string, edits: readonly YamlScalarEdit[]): SourceFinding[] {
  const fail = (message: string): SourceFinding[] => [
    { file, line: 1, column: 1, check: 'yaml-edit-readback', severity: 'error', message },
  ];
  const doc = parseDocument(after, { uniqueKeys: true });
  if (doc.errors.length > 0)
    return fail(`the edited text does not parse (${doc.errors[0]!.message.split('\n')[0]}); nothing was written`);
  const actual: unknown = doc.toJS({ maxAliasCount: YAML_LIMITS.maxAliasCount });
  const expected: unknown = structuredClone(
    parseDocument(before).toJS({ maxAliasCount: YAML_LIMITS.maxAliasCount }) ?? {},
  );
  for (const e of edits) {
    let got: unknown = actual;
    for (const k of e.path)
      got = got !== null && typeof got === 'object' ? (got as Record<string, unknown>)[k] : undefined;
    if (e.value === null ? got !== undefined : got !== e.value) {
      return fail(
        `after the edit ${e.path.join('.')} reads back as ${JSON.stringify(got) ?? 'absent'}, expected ${e.value === null ? 'absent' : JSON.stringify(e.value)}; nothing was written`,
      );
    }
    setIn(expected as Record<string, unknown>, e.path, e.value);
  }
  if (!isDeepStrictEqual(actual ?? {}, expected))
    return fail('the edit changed more than the requested values; nothing was written');
  return [];
}

function setIn(obj: Record<string, unknown>, path: readonly string[], value: string | null): void {
  let o = obj;
  for (const k of path.slice(0, -1)) {
    if (o[k] === null || typeof o[k] !== 'object') o[k] = {};
    o = o[k] as Record<string, unknown>;
  }
  const last = path[path.length - 1]!;
  if (value === null) delete o[last];
  else o[last] = value;
}

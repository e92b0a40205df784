import { locate, type ParsedYaml, type PathSegment, type SourceFinding } from '@cmsweb/yaml';
import { CONTROL_CHARACTER, describeCharacter } from './grammar.js';

// Every string of the catalog reaches a generated file (values.yaml, README.md, the frontend's line-based
// rule file, Argo CD objects): a control character or a newline where one line is expected could add a
// rule or a key there. Refused everywhere, with the key's file:line:column; newlines only where a value
// is a file or a script by nature.

/** Keys whose strings may span lines: ConfigMap file contents, scripts, adapter queries, env values. */
const MULTI_LINE = [
  /^configMaps\[\d+\]\.data\./,
  /(^|\.)(command|args)\[\d+\]$/,
  /(^|\.)env\[\d+\]\.value$/,
  /customMetrics\[\d+\]\.(query|seriesQuery)$/,
];

/** Pure: findings for control characters (anywhere) and line breaks (outside MULTI_LINE keys) in a document's strings and keys. */
export function checkCatalogText(value: unknown, parsed: ParsedYaml): SourceFinding[] {
  const out: SourceFinding[] = [];
  const visit = (v: unknown, path: PathSegment[]) => {
    if (typeof v === 'string') {
      const where = path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${p}`)).join('');
      const bad = CONTROL_CHARACTER.exec(v) ?? (MULTI_LINE.some((r) => r.test(where)) ? null : /[\r\n]/.exec(v));
      if (bad) {
        const what =
          bad[0] === '\n' || bad[0] === '\r' ? 'a line break' : `the control character ${describeCharacter(bad[0])}`;
        out.push({
          ...locate(parsed, 0, path),
          check: 'catalog-schema',
          severity: 'error',
          message: `${where || 'the document'}: contains ${what}: expected one line of printable text (it would change the meaning of the generated files)`,
        });
      }
    } else if (Array.isArray(v)) v.forEach((x, i) => visit(x, [...path, i]));
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (CONTROL_CHARACTER.test(k) || /[\r\n]/.test(k))
          out.push({
            ...locate(parsed, 0, path),
            check: 'catalog-schema',
            severity: 'error',
            message: `${path.join('.') || 'the top level'}: a key contains a line break or control character`,
          });
        else visit(x, [...path, k]);
      }
    }
  };
  visit(value, []);
  return out;
}

import type { RenderError } from './renderer.js';

/** Strips the chart name (first segment) from a helm template path: "mychart/templates/a.yaml" → "templates/a.yaml". */
export function chartRelative(helmPath: string): string {
  const i = helmPath.indexOf('/');
  return i < 0 ? helmPath : helmPath.slice(i + 1);
}

/** Pure: turns helm's stderr into a located RenderError (helm v3 and v4 message shapes). */
export function parseHelmError(stderr: string): RenderError {
  const text = stderr
    .replace(/\r/g, '')
    .replace(/\n*Use --debug flag to render out invalid YAML\s*$/, '')
    .trim();
  const body = text.replace(/^Error:\s*/, '');
  const oneLine = body
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .join(' ');
  let m = /parse error at \(([^):]+):(\d+)\):\s*(.*)/s.exec(body);
  if (m)
    return {
      kind: 'template-parse',
      file: chartRelative(m[1]!),
      line: Number(m[2]),
      message: `template does not parse: ${m[3]!.trim()}`,
    };
  m = /execution error at \(([^):]+):(\d+):(\d+)\):\s*(.*)/s.exec(body);
  if (m)
    return {
      kind: 'template-execute',
      file: chartRelative(m[1]!),
      line: Number(m[2]),
      column: Number(m[3]),
      message: `template failed: ${m[4]!.trim()}`,
    };
  m = /^(?:template:\s*)?([^\s:]+\.(?:yaml|yml|tpl|txt|json)):(\d+):(\d+):?\s*(.*)/s.exec(body);
  if (m) {
    const detail = m[4]!
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .join(' ')
      .replace(/^executing "[^"]*" at /, 'at ');
    return {
      kind: 'template-execute',
      file: chartRelative(m[1]!),
      line: Number(m[2]),
      column: Number(m[3]),
      message: `template failed: ${detail}`,
    };
  }
  m = /YAML parse error on ([^:\s]+):\s*(.*)/s.exec(body);
  if (m) {
    const detail = m[2]!.replace(/^error converting YAML to JSON:\s*/, '').trim();
    return {
      kind: 'output-yaml',
      file: chartRelative(m[1]!),
      message: `the template renders invalid YAML (${detail}, counted in the rendered output)`,
    };
  }
  if (/values don't meet the specifications of the schema/.test(body)) {
    return {
      kind: 'values-schema',
      message: `values do not satisfy values.schema.json: ${oneLine.replace(/^values don't meet the specifications of the schema\(s\) in the following chart\(s\):\s*/, '')}`,
    };
  }
  return { kind: 'chart', message: oneLine || 'helm failed without a message' };
}

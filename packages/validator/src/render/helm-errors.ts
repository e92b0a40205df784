import type { RenderError } from './renderer.js';

/** Strips the chart name (first segment) from a helm template path: "mychart/templates/a.yaml" → "templates/a.yaml". */
export function chartRelative(helmPath: string): string {
  const i = helmPath.indexOf('/');
  return i < 0 ? helmPath : helmPath.slice(i + 1);
}

/** The likely cause of a render that never ends or crashes helm (docs: toolchain's runHelm). */
export const SELF_REFERENCE_HINT =
  "a template that includes or tpl's itself? (helm stops a template included 1,000 levels deep in itself, not a tpl whose value calls tpl again)";

/** Prefix of the native renderer's timeout message (native-pool.ts): its likely cause is ENDLESS_LOOP_HINT. */
export const NATIVE_TIMEOUT_PREFIX = 'the native renderer did not finish';

/** The likely cause of a native render that did not finish (the engine stops a self-include or tpl at once). */
export const ENDLESS_LOOP_HINT =
  "a range over a huge list (until, seq, untilStep) or a loop that never ends? (the native renderer stops a template that includes or tpl's itself at once)";

// helm's message for an include nested too deep repeats every level (100 KB for 1,000 levels); Go's fatal
// stack overflow dumps every goroutine. Neither belongs in a finding.
const NESTED_INCLUDE = /rendering template has a nested reference name: ([^\n]+?): unable to execute template/;
const INCLUDE_SITE = /template: ([^\s:]+):(\d+):(\d+): executing "[^"]*" at <include /g;
const GO_STACK_OVERFLOW = /^(?:runtime: goroutine stack exceeds \d+-byte limit|fatal error: stack overflow)/m;
const MAX_MESSAGE = 2000;

/** Pure: turns helm's stderr into a located RenderError (helm v3 and v4 message shapes). */
export function parseHelmError(stderr: string): RenderError {
  const recursion = parseRecursion(stderr);
  if (recursion) return recursion;
  const error = parseMessage(stderr);
  return error.message.length > MAX_MESSAGE
    ? { ...error, message: `${error.message.slice(0, MAX_MESSAGE)}… (${error.message.length} characters)` }
    : error;
}

/** Pure: an include without end (helm's limit) or a Go stack overflow (tpl without end), else undefined. */
function parseRecursion(stderr: string): RenderError | undefined {
  const nested = NESTED_INCLUDE.exec(stderr);
  if (nested) {
    // The innermost include of the named template: where it includes itself.
    const site = [...stderr.slice(0, nested.index).matchAll(INCLUDE_SITE)].pop();
    return {
      kind: 'template-execute',
      ...(site ? { file: chartRelative(site[1]!), line: Number(site[2]), column: Number(site[3]) } : {}),
      message: `template failed: "${nested[1]}" includes itself without end (helm stops after 1,000 nested includes of one template): expected a recursion that stops, e.g. on a value that shrinks at each level`,
    };
  }
  if (GO_STACK_OVERFLOW.test(stderr))
    return {
      kind: 'template-execute',
      message: `helm crashed with a Go stack overflow while rendering: ${SELF_REFERENCE_HINT}`,
    };
  return undefined;
}

function parseMessage(stderr: string): RenderError {
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

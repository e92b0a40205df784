import { locate, parseYaml, toJs, type ParsedYaml } from '@cmsweb/yaml';
import type { Finding } from '../findings.js';
import { isRecord } from '../resources.js';
import type { HelmSource, PathSegment, SetArg } from './argocd-source.js';
import type { ValuesLayer } from './value-origin.js';

// Pure: when helm refuses the values of an Argo CD render against values.schema.json, the violations that
// come from the Application itself (parameters, fileParameters, values, valuesObject) are reported at the
// Application's line that sets them: that is what the person must change.

/** One violation helm printed: `- at '/image': additional properties 'tagg' not allowed`. */
export interface SchemaViolation {
  pointer: string;
  message: string;
  /** Value paths the violation is about (for additional properties: each property named). */
  paths: string[][];
}

/** Parses the violations out of helm's schema error text (helm v3 and v4 list them as `- at '<pointer>': ...`). */
export function schemaViolations(message: string): SchemaViolation[] {
  const out: SchemaViolation[] = [];
  const re = /-\s+at\s+'([^']*)':\s*(.*?)(?=\s+-\s+at\s+'|\s+[\w.-]+:\s+-\s+at\s+'|$)/gs;
  for (const m of message.matchAll(re)) {
    const pointer = m[1]!;
    const text = m[2]!.trim();
    const base = pointer
      .split('/')
      .slice(1)
      .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    const props = /additional propert(?:y|ies) (.*) not allowed/.exec(text);
    const names = props ? [...props[1]!.matchAll(/'([^']*)'/g)].map((x) => x[1]!) : [];
    out.push({ pointer, message: text, paths: names.length ? names.map((n) => [...base, n]) : [base] });
  }
  return out;
}

/** helm's --set key syntax: `a.b[0].c`, `\.` escapes a dot. */
export function setKeyPath(name: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < name.length; i++) {
    const c = name[i]!;
    if (c === '\\' && i + 1 < name.length) {
      cur += name[++i];
      continue;
    }
    if (c === '.') {
      out.push(cur);
      cur = '';
      continue;
    }
    if (c === '[') {
      const j = name.indexOf(']', i);
      if (j > i) {
        if (cur) out.push(cur);
        out.push(name.slice(i + 1, j));
        cur = '';
        i = j;
        if (name[i + 1] === '.') i++;
        continue;
      }
    }
    cur += c;
  }
  if (cur || !out.length) out.push(cur);
  return out;
}

const prefixOf = (a: readonly string[], b: readonly string[]) => a.length <= b.length && a.every((s, i) => s === b[i]);

function has(value: unknown, path: readonly string[]): boolean {
  let cur = value;
  for (const s of path) {
    if (Array.isArray(cur)) cur = cur[Number(s)];
    else if (isRecord(cur) && s in cur) cur = cur[s];
    else return false;
  }
  return true;
}

export interface AppValuesFindings {
  findings: Finding[];
  /** True when every violation came from the Application (nothing is left to report elsewhere). */
  all: boolean;
}

/** The violations of a failed render that the Application's own inputs cause, as findings at the Application. */
export function appValuesFindings(
  errorMessage: string,
  helm: HelmSource,
  app: { file: string; parsed: ParsedYaml },
  context: { env: string; service: string; chartPath: string },
): AppValuesFindings {
  const violations = schemaViolations(errorMessage);
  const setArgs: Array<{ arg: SetArg; flag: string }> = [
    ...helm.set.map((arg) => ({ arg, flag: 'parameter' })),
    ...helm.setString.map((arg) => ({ arg, flag: 'parameter (forceString)' })),
    ...helm.setFile.map((arg) => ({ arg, flag: 'file parameter' })),
  ];
  let inline: unknown;
  if (helm.inlineValues) {
    const p = parseYaml(helm.inlineValues.text, app.file);
    if (!p.findings.some((f) => f.severity === 'error')) inline = toJs(p)[0];
  }
  const findings: Finding[] = [];
  let attributed = 0;
  for (const v of violations) {
    let hit = false;
    for (const path of v.paths) {
      const shown = `'/${path.join('/')}'`;
      // The last --set of a key wins over value files, so parameters are looked at first.
      const param = [...setArgs].reverse().find(({ arg }) => {
        const k = setKeyPath(arg.name);
        return prefixOf(k, path) || prefixOf(path, k);
      });
      let at: PathSegment[] | undefined;
      let what = '';
      if (param) {
        at = [...param.arg.at, 'name'];
        what = `helm ${param.flag} ${param.arg.name}=${param.arg.value}`;
      } else if (inline !== undefined && has(inline, path) && helm.inlineValues) {
        const key = helm.inlineValues.at[helm.inlineValues.at.length - 1];
        at = key === 'valuesObject' ? [...helm.inlineValues.at, ...path] : helm.inlineValues.at;
        what = `helm.${String(key)} ${path.join('.')}`;
      }
      if (!at) continue;
      hit = true;
      findings.push({
        check: 'app-values',
        severity: 'error',
        message: `${what}: Argo CD's helm template fails, the values do not satisfy ${context.chartPath}/values.schema.json: at ${v.pointer === '' ? "''" : `'${v.pointer}'`}: ${v.message}${v.paths.length > 1 ? ` (here: ${shown})` : ''}`,
        ...locate(app.parsed, 0, at),
        env: context.env,
        service: context.service,
        related: [
          { file: `${context.chartPath}/values.schema.json`, line: 1, column: 1, message: 'the chart values schema' },
        ],
      });
    }
    if (hit) attributed++;
  }
  return { findings, all: violations.length > 0 && attributed === violations.length };
}

/**
 * helm's typing of a `--set` value (strvals typedVal; `--set-string` keeps the string): true/false and null
 * in any case, an int64 not starting with 0 (or 0 itself), else the string; `{a,b}` is a list of such values
 * (`{}` a list of one empty string). Compared with the real helm in test/argocd-render.test.ts.
 * Backslash escapes (Argo CD escapes commas) are read as helm reads them.
 */
export function typedSetValue(raw: string, forceString: boolean): unknown {
  const unescaped = (s: string) => s.replace(/\\(.)/g, '$1');
  const typed = (s: string): unknown => {
    if (forceString) return s;
    const lower = s.toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
    if (lower === 'null') return null;
    if (s === '0') return 0;
    if (/^[1-9][0-9]*$|^[-+][0-9]+$/.test(s)) {
      const n = BigInt(s);
      if (n >= -(2n ** 63n) && n < 2n ** 63n) return Number(n);
    }
    return s;
  };
  if (raw.startsWith('{') && raw.endsWith('}')) {
    // `{}` is a list of one empty string to helm, as a split of the empty text is.
    return raw
      .slice(1, -1)
      .split(/(?<!\\),/)
      .map((p) => typed(unescaped(p)));
  }
  return typed(unescaped(raw));
}

/**
 * The values an Application passes to helm after its value files, as values layers in helm's order (inline
 * values, then parameters, then forceString parameters), each knowing the Application line that sets a key:
 * a finding on such a value is reported there. Undefined when they cannot be followed exactly (a file
 * parameter, whose content is a file's; a list index in a parameter name).
 */
export function appValueLayers(helm: HelmSource, app: { file: string; parsed: ParsedYaml }): ValuesLayer[] | undefined {
  if (helm.setFile.length) return undefined;
  const layers: ValuesLayer[] = [];
  if (helm.inlineValues) {
    const inline = helm.inlineValues;
    const p = parseYaml(inline.text, app.file);
    if (p.findings.some((f) => f.severity === 'error')) return undefined;
    const object = inline.at[inline.at.length - 1] === 'valuesObject';
    layers.push({
      file: app.file,
      get parsed() {
        return app.parsed; // the Application's tree as its reader keeps it (kept-tree.ts)
      },
      value: toJs(p)[0] ?? {},
      // valuesObject is a mapping of the Application (key by key); values is one string (its key).
      position: (key) => locate(app.parsed, 0, object ? [...inline.at, ...key] : inline.at),
    });
  }
  for (const [args, forceString] of [
    [helm.set, false],
    [helm.setString, true],
  ] as const) {
    for (const arg of args) {
      if (arg.name.includes('[')) return undefined;
      const path = setKeyPath(arg.name);
      const value = path.reduceRight<unknown>((v, k) => ({ [k]: v }), typedSetValue(arg.value, forceString));
      layers.push({
        file: app.file,
        get parsed() {
          return app.parsed;
        },
        value,
        position: () => locate(app.parsed, 0, [...arg.at, 'value']),
      });
    }
  }
  return layers;
}

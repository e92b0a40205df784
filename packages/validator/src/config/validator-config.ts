import { locate, parseYaml, toJs } from '@cmsweb/yaml';
import type { Finding, Severity } from '../findings.js';
import { isRecord } from '../resources.js';
import { CHECKS_BY_ID } from '../checks/registry.js';

/**
 * validator.yaml at the repository root: `checks: { <id>: off | warning | error }`, `crds: [<folder or
 * file>, ...]` (CRD manifests, relative to the root, checked like the built-in kinds) and `renderTimeout:
 * <seconds>` (how long one helm render may take before it is stopped).
 */
export interface ValidatorConfig {
  checks: Record<string, 'off' | Severity>;
  crds?: string[];
  renderTimeout?: number;
}

/** The longest render timeout accepted, in seconds (an hour: a render never needs more). */
export const MAX_RENDER_TIMEOUT = 3600;

/** Pure: what is wrong with a render timeout in seconds, or undefined when it is a number in (0, 3600]. */
export function renderTimeoutProblem(value: unknown): string | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 && value <= MAX_RENDER_TIMEOUT
    ? undefined
    : `expected a number of seconds greater than 0 and at most ${MAX_RENDER_TIMEOUT}, such as 60; got ${JSON.stringify(value)}`;
}

export const CONFIG_FILE = 'validator.yaml';
export const DEFAULT_CONFIG: ValidatorConfig = { checks: {} };

/** Pure: parses validator.yaml; problems come back as findings (the CLI treats them as bad input, exit 2). */
/** What is wrong in validator.yaml, where (bad input: not a finding of a check). */
export interface ConfigProblem {
  message: string;
  file?: string;
  line?: number;
  column?: number;
}

export function parseValidatorConfig(
  text: string,
  file = CONFIG_FILE,
): { config: ValidatorConfig; problems: ConfigProblem[] } {
  const parsed = parseYaml(text, file);
  const problems: ConfigProblem[] = parsed.findings
    .filter((f) => f.severity === 'error')
    .map((f) => ({ message: f.message, file: f.file, line: f.line, column: f.column }));
  if (problems.length) return { config: DEFAULT_CONFIG, problems };
  const value = toJs(parsed)[0] ?? {};
  const at = (path: Array<string | number>, message: string) => problems.push({ message, ...locate(parsed, 0, path) });
  const checks: ValidatorConfig['checks'] = {};
  if (!isRecord(value)) {
    at([], 'expected a mapping with the key "checks"');
    return { config: DEFAULT_CONFIG, problems };
  }
  for (const key of Object.keys(value))
    if (key !== 'checks' && key !== 'crds' && key !== 'renderTimeout')
      at([key], `unknown key "${key}": the keys are "checks", "crds" and "renderTimeout"`);
  const timeoutProblem = value.renderTimeout === undefined ? undefined : renderTimeoutProblem(value.renderTimeout);
  if (timeoutProblem) at(['renderTimeout'], `renderTimeout: ${timeoutProblem}`);
  const crds: string[] = [];
  if (value.crds !== undefined) {
    if (!Array.isArray(value.crds))
      at(
        ['crds'],
        'crds must be a list of folders or files holding CustomResourceDefinitions, relative to the repository root',
      );
    else
      value.crds.forEach((p, i) =>
        typeof p === 'string' && p
          ? crds.push(p)
          : at(['crds', i], `crds[${i}] must be a folder or file path, got ${JSON.stringify(p)}`),
      );
  }
  const raw = value.checks ?? {};
  if (!isRecord(raw)) at(['checks'], 'checks must be a mapping of check id to off, warning or error');
  else {
    for (const [id, level] of Object.entries(raw)) {
      if (!CHECKS_BY_ID.has(id))
        at(['checks', id], `unknown check "${id}": run \`npx validator checks\` for the list of ids`);
      // YAML 1.2 reads `off` as a string; accept false too, for YAML 1.1 habits.
      const l = level === false ? 'off' : level;
      if (l !== 'off' && l !== 'warning' && l !== 'error')
        at(['checks', id], `check "${id}" is set to ${JSON.stringify(level)}: expected off, warning or error`);
      else checks[id] = l;
    }
  }
  const renderTimeout = timeoutProblem ? undefined : (value.renderTimeout as number | undefined);
  return {
    config: { checks, ...(crds.length ? { crds } : {}), ...(renderTimeout !== undefined ? { renderTimeout } : {}) },
    problems,
  };
}

export function isEnabled(config: ValidatorConfig, id: string): boolean {
  return config.checks[id] !== 'off';
}

/** Pure: drops switched-off checks and applies severity overrides. */
export function applyConfig(findings: Finding[], config: ValidatorConfig): Finding[] {
  const out: Finding[] = [];
  for (const f of findings) {
    const level = config.checks[f.check];
    if (level === 'off') continue;
    out.push(level ? { ...f, severity: level } : f);
  }
  return out;
}

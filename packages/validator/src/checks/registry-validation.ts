import { closest, distance } from 'fastest-levenshtein';
import type { CheckDefinition, CheckTemplate, ParamSpec } from './check.js';

/**
 * Pure: refuses a registry that would silently misbehave, with a message naming the check and what is
 * wrong: a duplicate id, an unknown template, a parameter the template does not read (a misspelt one
 * would otherwise leave the check on its default), a missing required parameter, a value of the wrong
 * type, a regular expression that does not compile. Runs once, when the registry module loads.
 */
export function validateRegistry<C extends CheckDefinition>(
  checks: readonly C[],
  templates: Readonly<Record<string, CheckTemplate>>,
): readonly C[] {
  const errors: string[] = [];
  const seen = new Set<string>();
  for (const check of checks) {
    if (seen.has(check.id)) errors.push(`check ${check.id} is declared twice`);
    seen.add(check.id);
    if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(check.id))
      errors.push(`check id ${JSON.stringify(check.id)} is not kebab-case (e.g. run-as-root)`);
    if (check.template === undefined) {
      if (check.params !== undefined) errors.push(`check ${check.id} has params but no template`);
      continue;
    }
    const template = templates[check.template];
    if (!template) {
      errors.push(
        `check ${check.id} names template ${JSON.stringify(check.template)}, which does not exist: expected one of ${Object.keys(templates).sort().join(', ')}`,
      );
      continue;
    }
    const params = check.params ?? {};
    for (const [name, value] of Object.entries(params)) {
      const spec = template.params[name];
      if (!spec) {
        const known = Object.keys(template.params);
        errors.push(
          `check ${check.id}: template ${template.name} has no parameter ${JSON.stringify(name)}${suggestion(name, known)}: expected ${known.length ? `one of ${known.join(', ')}` : 'no parameters'}`,
        );
        continue;
      }
      const problem = paramProblem(spec, value);
      if (problem) errors.push(`check ${check.id}: parameter ${name} of template ${template.name} ${problem}`);
    }
    for (const [name, spec] of Object.entries(template.params)) {
      if (spec.required && !(name in params))
        errors.push(`check ${check.id}: template ${template.name} needs parameter ${name} (${spec.description})`);
    }
  }
  if (errors.length)
    throw new Error(
      `the check registry (src/checks/registry.ts) is invalid:\n${errors.map((e) => `  - ${e}`).join('\n')}`,
    );
  return checks;
}

function paramProblem(spec: ParamSpec, value: unknown): string | undefined {
  switch (spec.type) {
    case 'string':
      if (typeof value !== 'string') return `must be a string, got ${JSON.stringify(value)}`;
      if (spec.oneOf && !spec.oneOf.includes(value))
        return `must be one of ${spec.oneOf.join(', ')}, got ${JSON.stringify(value)}`;
      return undefined;
    case 'string[]':
      return Array.isArray(value) && value.every((v) => typeof v === 'string')
        ? undefined
        : `must be a list of strings, got ${JSON.stringify(value)}`;
    case 'boolean':
      return typeof value === 'boolean' ? undefined : `must be true or false, got ${JSON.stringify(value)}`;
    case 'regexp':
      if (typeof value !== 'string') return `must be a regular expression (a string), got ${JSON.stringify(value)}`;
      try {
        new RegExp(value);
        return undefined;
      } catch (e) {
        return `is not a valid regular expression: ${(e as Error).message}`;
      }
  }
}

function suggestion(name: string, known: string[]): string {
  if (!known.length) return '';
  const best = closest(name, known);
  return distance(name.toLowerCase(), best.toLowerCase()) <= Math.max(2, Math.floor(name.length / 3))
    ? ` (did you mean ${best}?)`
    : '';
}

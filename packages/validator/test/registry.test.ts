import { describe, expect, it } from 'vitest';
import { CHECKS } from '../src/checks/registry.js';
import { validateRegistry } from '../src/checks/registry-validation.js';
import { TEMPLATES } from '../src/checks/templates/index.js';
import type { CheckDefinition } from '../src/checks/check.js';
import { fromSourceFinding } from '../src/sources/yaml-findings.js';

// The registry is checked when it loads: a misspelt template parameter is a startup error naming the
// check, the parameter and the closest known one, never a check that silently runs on its defaults.

const base = { severity: 'error', scope: 'object', description: 'd', remediation: 'r' } as const;

describe('check registry validation', () => {
  it('the shipped registry is valid and every template declares the parameters its checks use', () => {
    expect(validateRegistry(CHECKS, TEMPLATES)).toBe(CHECKS);
  });

  it('refuses a misspelt parameter, naming the check and suggesting the parameter', () => {
    const checks: CheckDefinition[] = [
      { ...base, id: 'liveness-probe', template: 'container-field-present', params: { feild: 'livenessProbe' } },
    ];
    expect(() => validateRegistry(checks, TEMPLATES)).toThrow(
      'the check registry (src/checks/registry.ts) is invalid:\n' +
        '  - check liveness-probe: template container-field-present has no parameter "feild" (did you mean field?): expected one of field, what, kinds, servingOnly\n' +
        '  - check liveness-probe: template container-field-present needs parameter field (the container field that must be set (e.g. livenessProbe))',
    );
  });

  it('refuses unknown templates, wrong parameter types, bad regular expressions, values outside oneOf, duplicate ids', () => {
    const checks: CheckDefinition[] = [
      { ...base, id: 'a', template: 'no-such-template' },
      { ...base, id: 'b', template: 'required-labels', params: { labels: 'app' } },
      { ...base, id: 'c', template: 'frontend-rules-unique', params: { dataKey: '(' } },
      { ...base, id: 'd', template: 'container-security', params: { property: 'root' } },
      { ...base, id: 'd' },
    ];
    const message = (() => {
      try {
        validateRegistry(checks, TEMPLATES);
        return '';
      } catch (e) {
        return (e as Error).message;
      }
    })();
    expect(message).toContain('check a names template "no-such-template", which does not exist: expected one of ');
    expect(message).toContain(
      'check b: parameter labels of template required-labels must be a list of strings, got "app"',
    );
    expect(message).toMatch(
      /check c: parameter dataKey of template frontend-rules-unique is not a valid regular expression: /,
    );
    expect(message).toContain(
      'check d: parameter property of template container-security must be one of privileged, runAsRoot, got "root"',
    );
    expect(message).toContain('check d is declared twice');
  });

  it('a finding of a library with a check id outside the registry is an internal error', () => {
    expect(() =>
      fromSourceFinding({
        check: 'yaml-nonsense',
        severity: 'error',
        message: 'm',
        file: 'f.yaml',
        line: 1,
        column: 1,
      }),
    ).toThrow('internal: f.yaml:1: check "yaml-nonsense" is not in the validator\'s registry (src/checks/registry.ts)');
  });
});

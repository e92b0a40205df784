import { relatedLabel, resourceLabel, type RelatedLocation, type ValidationResult } from '../findings.js';
import { groupFindings } from './group-findings.js';
import type { Reporter } from './reporter.js';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const related = (rs: RelatedLocation[] | undefined) => (rs ?? []).map((r) => `\nrelated: ${relatedLabel(r)}`).join('');

/** JUnit XML: one test suite per file (or resource), one test case per finding; errors are failures. */
export const junitReporter: Reporter = {
  name: 'junit',
  format(result: ValidationResult) {
    const groups = groupFindings(result.findings);
    const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
    out.push(
      `<testsuites name="validator" tests="${Math.max(1, result.findings.length)}" failures="${result.summary.errors}">`,
    );
    if (groups.length === 0) {
      out.push(`  <testsuite name="validator" tests="1" failures="0">`);
      out.push(`    <testcase classname="validator" name="${result.summary.resources} resources validated"/>`);
      out.push('  </testsuite>');
    }
    for (const g of groups) {
      const failures = g.findings.filter((f) => f.severity === 'error').length;
      out.push(`  <testsuite name="${esc(g.title)}" tests="${g.findings.length}" failures="${failures}">`);
      for (const f of g.findings) {
        const at = `${f.line ?? 1}:${f.column ?? 1}`;
        const name = `${f.check} ${at}${f.resource ? ` ${resourceLabel(f.resource)}` : ''}${f.envs.length ? ` [${f.envs.join(', ')}]` : ''}`;
        const location = f.file ? `${f.file}:${at}` : g.title;
        if (f.severity === 'error') {
          out.push(`    <testcase classname="${esc(f.check)}" name="${esc(name)}">`);
          out.push(
            `      <failure message="${esc(f.message)}" type="${esc(f.check)}">${esc(`${location}${f.path ? ` ${f.path}` : ''}: ${f.message}${related(f.related)}`)}</failure>`,
          );
          out.push('    </testcase>');
        } else {
          out.push(
            `    <testcase classname="${esc(f.check)}" name="${esc(name)}"><system-out>${esc(`warning: ${location}: ${f.message}${related(f.related)}`)}</system-out></testcase>`,
          );
        }
      }
      out.push('  </testsuite>');
    }
    out.push('</testsuites>');
    return `${out.join('\n')}\n`;
  },
};

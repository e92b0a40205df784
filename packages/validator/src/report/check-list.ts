import type { CheckDefinition } from '../checks/check.js';

/** Pure: the check registry as text, JSON or the README's Markdown table. */
export function formatCheckList(checks: readonly CheckDefinition[], format: 'text' | 'json' | 'markdown'): string {
  if (format === 'json') {
    return `${JSON.stringify(
      checks.map(({ id, severity, scope, description, remediation, template, params }) => ({
        id,
        severity,
        scope,
        description,
        remediation,
        ...(template ? { template } : {}),
        ...(params ? { params } : {}),
      })),
      null,
      2,
    )}\n`;
  }
  if (format === 'markdown') {
    const cell = (s: string) => s.replace(/\|/g, '\\|');
    const rows = checks.map(
      (c) => `| \`${c.id}\` | ${c.severity} | ${c.scope} | ${cell(c.description)} | ${cell(c.remediation)} |`,
    );
    return `| id | default severity | looks at | what it checks | how to fix |\n|---|---|---|---|---|\n${rows.join('\n')}\n`;
  }
  const width = Math.max(...checks.map((c) => c.id.length));
  return `${checks.map((c) => `${c.id.padEnd(width)}  ${c.severity.padEnd(7)}  ${c.description}`).join('\n')}\n`;
}

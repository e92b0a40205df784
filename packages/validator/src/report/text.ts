import pc from 'picocolors';
import { relatedLabel, resourceLabel, type ValidationResult } from '../findings.js';
import { groupFindings } from './group-findings.js';
import type { Reporter } from './reporter.js';

/** Human output: findings grouped by file, each line starting with file:line:column; one summary line. */
export const textReporter: Reporter = {
  name: 'text',
  format(result: ValidationResult, { color }) {
    const c = pc.createColors(color);
    const lines: string[] = [];
    for (const group of groupFindings(result.findings)) {
      lines.push(c.underline(group.title));
      for (const f of group.findings) {
        const where = f.file
          ? `${f.file}:${f.line ?? 1}:${f.column ?? 1}`
          : f.resource
            ? resourceLabel(f.resource)
            : '';
        const sev = f.severity === 'error' ? c.red('error  ') : c.yellow('warning');
        const envs = f.envs.length ? c.dim(` [${f.envs.join(', ')}]`) : '';
        const what =
          f.resource && f.file
            ? c.dim(` (${resourceLabel(f.resource)}${f.path ? ` ${f.path}` : ''})`)
            : f.path
              ? c.dim(` (${f.path})`)
              : '';
        lines.push(`  ${where}  ${sev}  ${f.message}  ${c.dim(f.check)}${envs}${what}`);
        for (const r of f.related ?? []) lines.push(c.dim(`      related: ${relatedLabel(r)}`));
      }
      lines.push('');
    }
    const { resources, errors, warnings } = result.summary;
    const counts = `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'} in ${resources} resource${resources === 1 ? '' : 's'}`;
    lines.push(errors ? c.red(`✖ ${counts}`) : warnings ? c.yellow(`✔ ${counts}`) : c.green(`✔ ${counts}`));
    return `${lines.join('\n')}\n`;
  },
};

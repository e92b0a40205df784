import { resourceLabel, type Finding } from '../findings.js';

export interface FindingGroup {
  /** A file path, or a resource label for findings without a file. */
  title: string;
  findings: Array<Finding & { envs: string[] }>;
}

/** Pure: groups findings by file (or resource) and folds the same finding of several environments into one. */
export function groupFindings(findings: Finding[]): FindingGroup[] {
  const groups = new Map<string, Map<string, Finding & { envs: string[] }>>();
  for (const f of findings) {
    const title = f.file ?? (f.resource ? resourceLabel(f.resource) : '(repository)');
    const g = groups.get(title) ?? groups.set(title, new Map()).get(title)!;
    const key = JSON.stringify([f.check, f.severity, f.message, f.line, f.column, f.service, f.resource, f.path]);
    const prev = g.get(key);
    if (prev) {
      if (f.env && !prev.envs.includes(f.env)) prev.envs.push(f.env);
    } else g.set(key, { ...f, envs: f.env ? [f.env] : [] });
  }
  return [...groups.entries()].map(([title, m]) => ({ title, findings: [...m.values()] }));
}

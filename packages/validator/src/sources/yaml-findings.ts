import type { SourceFinding } from '@cmsweb/yaml';
import type { Finding } from '../findings.js';

/** Converts a finding of @cmsweb/yaml, naming the duplicated key (the library only says "Map keys must be unique"). */
export function fromSourceFinding(f: SourceFinding, text: string | undefined, extra: Partial<Finding> = {}, lineOffset = 0): Finding {
  let message = f.message;
  if (f.check === 'yaml-duplicate-key' && text !== undefined) {
    const key = keyAt(text, f.line, f.column);
    if (key) message = `duplicate key "${key}": ${key} already appears in this mapping; the second one silently replaces the first in most tools (keep one)`;
  }
  return { check: f.check, severity: f.severity, message, file: f.file, line: f.line + lineOffset, column: f.column, ...extra };
}

/** The mapping key that starts at line:column of `text` (1-based), if any. */
export function keyAt(text: string, line: number, column: number): string | undefined {
  let start = 0;
  for (let l = 1; l < line; l++) {
    const nl = text.indexOf('\n', start);
    if (nl < 0) return undefined;
    start = nl + 1;
  }
  const end = text.indexOf('\n', start);
  const rest = text.slice(start + column - 1, end < 0 ? undefined : end).replace(/^-\s+/, '');
  const m = /^("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^:#\s][^:#]*?)\s*:(\s|$)/.exec(rest);
  return m ? m[1]!.replace(/^["']|["']$/g, '') : undefined;
}

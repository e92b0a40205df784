import type { SourceFinding } from '@cmsweb/yaml';
import type { Finding } from '../findings.js';

/** A finding of @cmsweb/yaml (syntax, duplicate keys, tabs, alias bombs) as a validator finding. */
export function fromSourceFinding(f: SourceFinding, extra: Partial<Finding> = {}, lineOffset = 0): Finding {
  return { check: f.check, severity: f.severity, message: f.message, file: f.file, line: f.line + lineOffset, column: f.column, ...extra };
}

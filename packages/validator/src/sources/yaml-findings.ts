import type { SourceFinding } from '@cmsweb/yaml';
import type { Finding } from '../findings.js';
import { isCheckId } from '../checks/registry.js';

/**
 * A finding of @cmsweb/yaml or @cmsweb/catalog (syntax, duplicate keys, tabs, alias bombs, catalog rules)
 * as a validator finding. Their check ids must be checks of the registry (a closed type): one that is not
 * is an internal error, never a finding nobody can switch off or look up.
 */
export function fromSourceFinding(f: SourceFinding, extra: Partial<Finding> = {}, lineOffset = 0): Finding {
  if (!isCheckId(f.check))
    throw new Error(
      `internal: ${f.file}:${f.line}: check "${f.check}" is not in the validator's registry (src/checks/registry.ts)`,
    );
  return {
    check: f.check,
    severity: f.severity,
    message: f.message,
    file: f.file,
    line: f.line + lineOffset,
    column: f.column,
    ...extra,
  };
}

import type { ValidationResult } from '../findings.js';

/** Who reports, for formats that name the tool (SARIF): the repository's organisation, from its catalog. */
export interface ReportTool {
  /** `<cluster name>-validator` (cmsweb-validator for CMSWEB); `validator` without a catalog. */
  name: string;
  /** For people: `<displayName> validator` (cluster.yaml displayName, else name). */
  fullName?: string;
  /** The repository's https git URL (cluster.yaml git.repoURL without .git), when it is one. */
  informationUri?: string;
}

/** One output format of a validation result; one file per format. */
export interface Reporter {
  name: string;
  format(result: ValidationResult, options: { color: boolean; tool?: ReportTool }): string;
}

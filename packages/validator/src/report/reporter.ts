import type { ValidationResult } from '../findings.js';

/** One output format of a validation result; one file per format. */
export interface Reporter {
  name: string;
  format(result: ValidationResult, options: { color: boolean }): string;
}

/** Where something is in a source file. Lines and columns are 1-based, as editors show them. */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

/** A problem found in a source file: data, never an exception. */
export interface SourceFinding extends SourceLocation {
  /** Stable identifier of the rule that produced the finding, e.g. `yaml-duplicate-key`. */
  check: string;
  severity: 'error' | 'warning';
  message: string;
}

export function formatLocation(loc: SourceLocation): string {
  return `${loc.file}:${loc.line}:${loc.column}`;
}

/** Sorts findings by file, line, column, then message: stable output for humans and goldens. */
export function sortFindings<T extends SourceLocation & { message: string }>(findings: T[]): T[] {
  return [...findings].sort(
    (a, b) =>
      a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.message.localeCompare(b.message),
  );
}

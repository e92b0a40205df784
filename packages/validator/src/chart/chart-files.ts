import type { RefusedFileError } from '@cmsweb/yaml';

/** The files of one chart the validator reads (contents by chart-relative path). */
export interface ChartFiles {
  /** How the chart directory is shown in findings (repository-relative, or as given on the command line). */
  path: string;
  chartYaml?: string;
  valuesYaml?: string;
  valuesSchema?: string;
  /** templates/**, charts/<sub>/templates/** and <file:// dependency>/templates/** by chart-relative path. */
  templates: Record<string, string>;
  /** Entries of the chart's charts/ directory (subchart directories and .tgz archives). */
  subcharts: string[];
  /** Files refused by the safe reader (paths shown with the chart's path): such a chart is not rendered. */
  refused?: RefusedFileError[];
}

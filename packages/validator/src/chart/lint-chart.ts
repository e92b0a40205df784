import type { ValidateFunction } from 'ajv';
import semver from 'semver';
import { locate, parseYaml, toJs, type ParsedYaml } from '@cmsweb/yaml';
import type { Finding } from '../findings.js';
import { isRecord } from '../resources.js';
import { parseHelmYaml } from '../sources/helm-yaml.js';
import { fromSourceFinding } from '../sources/yaml-findings.js';
import { checkValues, compileValuesSchema } from '../sources/values-schema.js';
import type { ChartFiles } from './chart-files.js';

export interface LintedChart {
  findings: Finding[];
  /** The compiled values.schema.json, when present and valid. */
  validateValues?: ValidateFunction;
  /** values.yaml parsed (for coalescing with overlays). */
  values?: { parsed: ParsedYaml; value: unknown };
}

/** Pure: Chart.yaml rules, values.yaml syntax, values.schema.json validity and the defaults against it. */
export function lintChart(chart: ChartFiles): LintedChart {
  const findings: Finding[] = [];
  const file = (name: string) => `${chart.path}/${name}`;
  lintChartYaml(chart, file('Chart.yaml'), findings);

  let values: LintedChart['values'];
  if (chart.valuesYaml !== undefined) {
    const { parsed, findings: yamlFindings } = parseHelmYaml(chart.valuesYaml, file('values.yaml'));
    findings.push(...yamlFindings.map((f) => fromSourceFinding(f)));
    if (!yamlFindings.some((f) => f.severity === 'error')) {
      const value = toJs(parsed)[0] ?? {};
      if (!isRecord(value))
        findings.push({
          check: 'chart-values-schema',
          severity: 'error',
          message: 'values.yaml must be a mapping of value names',
          file: file('values.yaml'),
          line: 1,
          column: 1,
        });
      else values = { parsed, value };
    }
  }
  let validateValues: ValidateFunction | undefined;
  if (chart.valuesSchema !== undefined) {
    const compiled = compileValuesSchema(chart.valuesSchema, file('values.schema.json'));
    findings.push(...compiled.findings);
    validateValues = compiled.validate;
    if (validateValues && values) findings.push(...checkValues(validateValues, [values], 'chart-values-schema'));
  }
  return { findings, validateValues, values };
}

function lintChartYaml(chart: ChartFiles, file: string, findings: Finding[]): void {
  const bad = (message: string, at = { line: 1, column: 1 }) =>
    findings.push({ check: 'chart-yaml', severity: 'error', message, file, ...at });
  if (chart.chartYaml === undefined) {
    bad('the chart has no Chart.yaml: expected apiVersion, name and version');
    return;
  }
  const parsed = parseYaml(chart.chartYaml, file);
  findings.push(...parsed.findings.map((f) => fromSourceFinding(f)));
  if (parsed.findings.some((f) => f.severity === 'error')) return;
  const meta = toJs(parsed)[0];
  if (!isRecord(meta)) {
    bad('Chart.yaml must be a mapping with apiVersion, name and version');
    return;
  }
  const at = (key: string) => locate(parsed, 0, [key]);
  if (meta.apiVersion === undefined) bad('missing apiVersion: expected v2 (or v1 for old charts)');
  else if (meta.apiVersion !== 'v1' && meta.apiVersion !== 'v2')
    bad(
      `apiVersion ${JSON.stringify(meta.apiVersion)} is not a Helm chart API version: expected v2 (or v1); helm refuses the chart`,
      at('apiVersion'),
    );
  if (typeof meta.name !== 'string' || meta.name === '')
    bad('missing name: expected the chart name', meta.name === undefined ? undefined : at('name'));
  if (meta.version === undefined) bad('missing version: expected a SemVer version such as 0.1.0');
  else if (typeof meta.version !== 'string' || !semver.valid(meta.version))
    bad(
      `version ${JSON.stringify(meta.version)} is not SemVer: expected MAJOR.MINOR.PATCH such as 0.1.0 (quote it if YAML reads a number)`,
      at('version'),
    );
  if (meta.type !== undefined && meta.type !== 'application' && meta.type !== 'library')
    bad(`type ${JSON.stringify(meta.type)} is unknown: expected application or library`, at('type'));
  if (Array.isArray(meta.dependencies)) {
    meta.dependencies.forEach((d, i) => {
      if (!isRecord(d) || typeof d.name !== 'string') return;
      const name = d.name;
      const present = chart.subcharts.some((s) => s === name || (s.startsWith(`${name}-`) && s.endsWith('.tgz')));
      if (!present && typeof d.repository === 'string' && !d.repository.startsWith('file://') && d.repository !== '') {
        const loc = locate(parsed, 0, ['dependencies', i, 'name']);
        bad(
          `dependency "${name}" is not vendored in charts/: expected charts/${name}/ or charts/${name}-<version>.tgz (run helm dependency build; rendering offline cannot fetch it)`,
          loc,
        );
      }
    });
  }
}

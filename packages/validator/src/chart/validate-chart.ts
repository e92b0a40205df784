import { existsSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { parseYaml, readSafeFile, refusedFinding, RefusedFileError, toJs } from '@cmsweb/yaml';
import { buildResult, type Finding, type ValidationResult } from '../findings.js';
import { UsageError } from '../errors.js';
import { applyConfig, isEnabled, type ValidatorConfig } from '../config/validator-config.js';
import type { PolicyContext } from '../checks/check.js';
import { parseRenderedManifests } from '../render/rendered-manifests.js';
import type { Renderer } from '../render/renderer.js';
import type { CreateKubeSchemaValidator } from '../schema/schema-validator.js';
import { checkValues, type ValuesSource } from '../sources/values-schema.js';
import { fromSourceFinding } from '../sources/yaml-findings.js';
import { validateObjects } from '../validate-objects.js';
import { lintChart } from './lint-chart.js';
import { readChart } from './read-chart.js';
import { renderErrorFinding } from './render-findings.js';

export interface ChartValidationOptions {
  /** Chart directory as given (also how findings show it). */
  dir: string;
  valueFiles: string[];
  namespace: string;
  releaseName?: string;
  kubernetesVersion: string;
  renderer: Renderer;
  createSchemas: CreateKubeSchemaValidator;
  schemaLocations?: string[];
  config: ValidatorConfig;
  context: PolicyContext;
}

/** Shell: lints, renders and checks any Helm chart with the given values. */
export async function validateChart(opts: ChartValidationOptions): Promise<ValidationResult> {
  if (!existsSync(opts.dir) || !statSync(opts.dir).isDirectory())
    throw new UsageError(`${opts.dir}: not a directory (expected a Helm chart directory with Chart.yaml)`);
  const valueTexts = opts.valueFiles.map((f) => {
    try {
      const text = readSafeFile(f);
      if (text === undefined) throw new UsageError(`${f}: no such values file`);
      return text;
    } catch (e) {
      if (e instanceof RefusedFileError) throw new UsageError(`values file ${e.message}`);
      throw e;
    }
  });
  const display = opts.dir.replace(/\/+$/, '') || '.';
  const chart = await readChart(opts.dir, display);
  const lint = lintChart(chart);
  const findings: Finding[] = [
    ...lint.findings,
    ...(chart.refused ?? []).map((e) => fromSourceFinding(refusedFinding(e))),
  ];
  const enabled = (id: string) => isEnabled(opts.config, id);

  const overlays: ValuesSource[] = [];
  let overlayBroken = false;
  for (const [i, f] of opts.valueFiles.entries()) {
    const parsed = parseYaml(valueTexts[i]!, f);
    findings.push(...parsed.findings.map((x) => fromSourceFinding(x)));
    if (parsed.findings.some((x) => x.severity === 'error')) overlayBroken = true;
    else overlays.push({ parsed, value: toJs(parsed)[0] ?? {} });
  }
  let overlayErrors = false;
  if (lint.validateValues && overlays.length && enabled('overlay-schema')) {
    const own = new Set(opts.valueFiles);
    const fs = checkValues(
      lint.validateValues,
      [...(lint.values ? [lint.values] : []), ...overlays],
      'overlay-schema',
    ).filter((x) => own.has(x.file!));
    overlayErrors = fs.length > 0;
    findings.push(...fs);
  }
  // helm follows symlinks and quotes files in its errors: a chart with a refused file is not rendered.
  if (overlayBroken || chart.refused?.length) return buildResult(applyConfig(findings, opts.config), 0);

  const rendered = await opts.renderer.render({
    chartDir: resolve(opts.dir),
    releaseName: opts.releaseName ?? basename(resolve(opts.dir)),
    namespace: opts.namespace,
    valueFiles: opts.valueFiles.map((f) => resolve(f)),
    kubeVersion: opts.kubernetesVersion,
  });
  if (rendered.error) {
    if (!(rendered.error.kind === 'values-schema' && overlayErrors))
      findings.push(renderErrorFinding(rendered.error, display, {}));
    return buildResult(applyConfig(findings, opts.config), 0);
  }
  const parsed = parseRenderedManifests({
    manifests: rendered.manifests,
    chartPath: display,
    templates: chart.templates,
    namespace: opts.namespace,
  });
  findings.push(...parsed.findings);
  const schemas = await opts.createSchemas({
    kubernetesVersion: opts.kubernetesVersion,
    schemaLocations: opts.schemaLocations,
  });
  await schemas.prepare(parsed.resources.map((r) => r.ref));
  findings.push(
    ...validateObjects(parsed.resources, {
      schemas,
      kubernetesVersion: opts.kubernetesVersion,
      context: opts.context,
      enabled,
    }),
  );
  return buildResult(applyConfig(findings, opts.config), parsed.resources.length);
}

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseYaml, stringifyYaml, toJs } from '@cmsweb/yaml';
import { isRecord } from '../resources.js';
import { mergeMaps, type FluxRender } from '../render/flux-release.js';
import type { Renderer, RenderResult } from '../render/renderer.js';

/**
 * Shell: renders a HelmRelease as helm-controller would. source-controller replaces the chart's values.yaml
 * with the merged valuesFiles (RenderRequest.chartValues); the release values (valuesFrom, then
 * spec.values) are passed as the user values. The renderer resolves the chart's file:// dependencies.
 */
export async function renderFluxRelease(
  root: string,
  flux: FluxRender,
  kubeVersion: string,
  renderer: Renderer,
  /** Values files the repository reader parsed already (repository-relative path → value; undefined: read it). */
  known?: (file: string) => unknown,
): Promise<RenderResult> {
  let chartValues: string | undefined;
  if (flux.valuesFiles.length) {
    let merged: Record<string, unknown> = {};
    for (const f of flux.valuesFiles) {
      let v = known?.(f);
      if (v === undefined) {
        const parsed = parseYaml(await readFile(join(root, f), 'utf8'), f);
        v = parsed.findings.some((x) => x.severity === 'error') ? undefined : toJs(parsed)[0];
      }
      if (isRecord(v)) merged = mergeMaps(merged, v);
    }
    chartValues = stringifyYaml(merged);
  }
  return renderer.render({
    chartDir: join(root, flux.chartPath),
    releaseName: flux.releaseName,
    namespace: flux.namespace,
    valueFiles: [],
    kubeVersion,
    ...(chartValues === undefined ? {} : { chartValues }),
    inlineValues: flux.values ? stringifyYaml(flux.values) : undefined,
    skipCrds: flux.skipCrds,
  });
}

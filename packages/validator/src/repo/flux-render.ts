import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseYaml, stringifyYaml, toJs } from '@cmsweb/yaml';
import { isRecord } from '../resources.js';
import { mergeMaps, type FluxRender } from '../render/flux-release.js';
import type { Renderer, RenderResult } from '../render/renderer.js';

/**
 * Shell: renders a HelmRelease as helm-controller would. source-controller replaces the chart's values.yaml
 * with the merged valuesFiles, so the chart is copied to a temporary directory with that values.yaml; the
 * release values (valuesFrom, then spec.values) are passed as the user values.
 */
export async function renderFluxRelease(root: string, flux: FluxRender, kubeVersion: string, renderer: Renderer): Promise<RenderResult> {
  const dir = await mkdtemp(join(tmpdir(), 'validator-flux-'));
  try {
    const chartDir = join(dir, 'chart');
    await cp(join(root, flux.chartPath), chartDir, { recursive: true });
    if (flux.valuesFiles.length) {
      let merged: Record<string, unknown> = {};
      for (const f of flux.valuesFiles) {
        const parsed = parseYaml(await readFile(join(root, f), 'utf8'), f);
        const v = parsed.findings.some((x) => x.severity === 'error') ? undefined : toJs(parsed)[0];
        if (isRecord(v)) merged = mergeMaps(merged, v);
      }
      await writeFile(join(chartDir, 'values.yaml'), stringifyYaml(merged));
    }
    return await renderer.render({
      chartDir, releaseName: flux.releaseName, namespace: flux.namespace, valueFiles: [], kubeVersion,
      inlineValues: flux.values ? stringifyYaml(flux.values) : undefined, skipCrds: flux.skipCrds,
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

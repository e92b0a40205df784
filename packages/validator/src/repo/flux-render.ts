import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseYaml, stringifyYaml, toJs } from '@cmsweb/yaml';
import { isRecord } from '../resources.js';
import { mergeMaps, type FluxRender } from '../render/flux-release.js';
import type { Renderer, RenderResult } from '../render/renderer.js';
import { withLocalDependencies } from '../render/local-dependencies.js';

/**
 * Shell: renders a HelmRelease as helm-controller would. source-controller replaces the chart's values.yaml
 * with the merged valuesFiles, so a temporary copy of the chart gets that values.yaml; the
 * release values (valuesFrom, then spec.values) are passed as the user values.
 */
export async function renderFluxRelease(
  root: string,
  flux: FluxRender,
  kubeVersion: string,
  renderer: Renderer,
): Promise<RenderResult> {
  // A temp copy of the chart with its file:// dependencies (the library chart) in charts/, as
  // source-controller loads them; the repository is never written.
  const local = await withLocalDependencies(join(root, flux.chartPath));
  if ('error' in local) return { manifests: '', error: { kind: 'chart', message: local.error } };
  try {
    if (flux.valuesFiles.length) {
      let merged: Record<string, unknown> = {};
      for (const f of flux.valuesFiles) {
        const parsed = parseYaml(await readFile(join(root, f), 'utf8'), f);
        const v = parsed.findings.some((x) => x.severity === 'error') ? undefined : toJs(parsed)[0];
        if (isRecord(v)) merged = mergeMaps(merged, v);
      }
      await writeFile(join(local.dir, 'values.yaml'), stringifyYaml(merged));
    }
    return await renderer.render({
      chartDir: local.dir,
      releaseName: flux.releaseName,
      namespace: flux.namespace,
      valueFiles: [],
      kubeVersion,
      inlineValues: flux.values ? stringifyYaml(flux.values) : undefined,
      skipCrds: flux.skipCrds,
    });
  } finally {
    await local.remove();
  }
}

import { runHelm } from '@cmsweb/toolchain';
import { parseHelmError } from './helm-errors.js';
import { isMissingDependency, withLocalDependencies } from './local-dependencies.js';
import type { Renderer, RenderRequest, RenderResult } from './renderer.js';

/** Renders with the real helm binary: `helm template <release> <chart> -f ... --namespace ... --kube-version ...`. */
export function helmTemplateArgs(req: RenderRequest): string[] {
  return [
    'template', req.releaseName, req.chartDir,
    ...req.valueFiles.flatMap((f) => ['-f', f]),
    '--namespace', req.namespace,
    '--kube-version', req.kubeVersion,
    // Argo CD renders CRDs of the chart too (unless skipCrds).
    '--include-crds',
  ];
}

export const helmRenderer: Renderer = {
  name: 'helm',
  async render(req: RenderRequest): Promise<RenderResult> {
    let r = await runHelm(helmTemplateArgs(req));
    if (r.code !== 0 && isMissingDependency(r.stderr)) {
      // As Argo CD: a missing dependency is resolved (here in a temp copy), then the chart rendered again.
      const local = await withLocalDependencies(req.chartDir);
      if ('error' in local) return { manifests: '', error: { kind: 'chart', message: local.error } };
      try {
        r = await runHelm(helmTemplateArgs({ ...req, chartDir: local.dir }));
      } finally {
        await local.remove();
      }
    }
    if (r.code !== 0) return { manifests: '', error: parseHelmError(r.stderr || r.stdout) };
    return { manifests: r.stdout };
  },
};

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runHelm } from '@cmsweb/toolchain';
import { parseHelmError } from './helm-errors.js';
import { dependenciesSurelyMissing, isMissingDependency, withLocalDependencies } from './local-dependencies.js';
import type { Renderer, RenderRequest, RenderResult } from './renderer.js';

/**
 * Pure: the arguments Argo CD's repo server gives helm (argo-cd util/helm/cmd.go `template`), in its order:
 * `template <chart> --name-template <release> --namespace --kube-version --set... --set-string...
 * --set-file... --values <each file> --values <inline values file> --api-versions... --include-crds`.
 * Helm itself applies value files in order, then --set, --set-string, --set-file, whatever the order here.
 */
export function helmTemplateArgs(req: RenderRequest, inlineValuesFile?: string): string[] {
  return [
    'template',
    req.chartDir,
    '--name-template',
    req.releaseName,
    ...(req.namespace ? ['--namespace', req.namespace] : []),
    '--kube-version',
    req.kubeVersion,
    ...(req.set ?? []).flatMap((s) => ['--set', `${s.name}=${s.value}`]),
    ...(req.setString ?? []).flatMap((s) => ['--set-string', `${s.name}=${s.value}`]),
    ...(req.setFile ?? []).flatMap((s) => ['--set-file', `${s.name}=${s.value}`]),
    ...req.valueFiles.flatMap((f) => ['--values', f]),
    ...(inlineValuesFile ? ['--values', inlineValuesFile] : []),
    ...(req.apiVersions ?? []).flatMap((v) => ['--api-versions', v]),
    ...(req.skipCrds ? [] : ['--include-crds']),
    ...(req.skipSchemaValidation ? ['--skip-schema-validation'] : []),
    ...(req.skipTests ? ['--skip-tests'] : []),
  ];
}

/**
 * helm reads a chart's values.yaml from the chart directory: a temp copy of the chart (with its file://
 * dependencies in charts/, as source-controller packages it) gets the replacement values.yaml.
 */
async function renderWithChartValues(
  req: RenderRequest,
  chartValues: string,
  inline: string | undefined,
  run: (args: string[]) => ReturnType<typeof runHelm>,
): Promise<RenderResult> {
  const local = await withLocalDependencies(req.chartDir);
  if ('error' in local) return { manifests: '', error: { kind: 'chart', message: local.error } };
  try {
    await writeFile(join(local.dir, 'values.yaml'), chartValues);
    const r = await run(helmTemplateArgs({ ...req, chartDir: local.dir }, inline));
    if (r.timedOut)
      return { manifests: '', error: { kind: 'timeout', message: `helm did not finish in ${r.timedOut.seconds} s` } };
    if (r.code !== 0) return { manifests: '', error: parseHelmError(r.stderr || r.stdout) };
    return { manifests: r.stdout };
  } finally {
    await local.remove();
  }
}

export const helmRenderer: Renderer = {
  name: 'helm',
  async render(req: RenderRequest): Promise<RenderResult> {
    let dir: string | undefined;
    try {
      let inline: string | undefined;
      if (req.inlineValues !== undefined) {
        dir = await mkdtemp(join(tmpdir(), 'validator-values-'));
        inline = join(dir, 'values.yaml');
        await writeFile(inline, req.inlineValues);
      }
      const run = (args: string[]) => runHelm(args, { timeoutSeconds: req.timeoutSeconds });
      if (req.chartValues !== undefined) return await renderWithChartValues(req, req.chartValues, inline, run);
      // As Argo CD: a missing dependency is resolved (here in a temp copy), then the chart rendered again.
      const withDependencies = async () => {
        const local = await withLocalDependencies(req.chartDir);
        if ('error' in local) return local;
        try {
          return await run(helmTemplateArgs({ ...req, chartDir: local.dir }, inline));
        } finally {
          await local.remove();
        }
      };
      let r: Awaited<ReturnType<typeof run>> | { error: string };
      if (await dependenciesSurelyMissing(req.chartDir)) {
        // helm's first answer is known (the dependency is missing): skip it. A render that still fails is asked
        // of the chart itself, and its refusal wins unless it is that missing dependency, as in Argo CD's order.
        r = await withDependencies();
        if ('error' in r || r.code !== 0) {
          const first = await run(helmTemplateArgs(req, inline));
          if (!(first.code !== 0 && isMissingDependency(first.stderr))) r = first;
        }
      } else {
        r = await run(helmTemplateArgs(req, inline));
        if (r.code !== 0 && isMissingDependency(r.stderr)) r = await withDependencies();
      }
      if ('error' in r) return { manifests: '', error: { kind: 'chart', message: r.error } };
      if (r.timedOut)
        return { manifests: '', error: { kind: 'timeout', message: `helm did not finish in ${r.timedOut.seconds} s` } };
      if (r.code !== 0) return { manifests: '', error: parseHelmError(r.stderr || r.stdout) };
      return { manifests: r.stdout };
    } finally {
      if (dir) await rm(dir, { recursive: true, force: true });
    }
  },
};

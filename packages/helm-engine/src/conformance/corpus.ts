// Conformance (c): the real CMSWEB charts of ../shared/corpus/cmskubernetes/helm, each with its values.yaml
// alone and with each of its values-*.yaml / values-*.yml.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { RenderCase } from './generated-charts.js';

export function corpusCases(dir: string, kubeVersion = '1.33'): RenderCase[] {
  if (!existsSync(dir)) return [];
  const cases: RenderCase[] = [];
  for (const name of readdirSync(dir).sort()) {
    const chartDir = join(dir, name);
    if (!existsSync(join(chartDir, 'Chart.yaml'))) continue;
    const base = { chartDir, releaseName: name, namespace: 'default', kubeVersion };
    cases.push({ ...base, name: `${name} (values.yaml)`, valueFiles: [] });
    for (const f of readdirSync(chartDir).sort())
      if (/^values-.+\.ya?ml$/.test(f))
        cases.push({ ...base, name: `${name} (${f})`, valueFiles: [join(chartDir, f)] });
  }
  return cases;
}

// The manifests-mode bench input "this repository's own rendered prod manifests": every prod service
// rendered with the real helm exactly as its Argo CD Application says, plus the generated Argo CD, Flux and
// cluster objects of prod, repeated (namespaces suffixed per copy) up to `n` documents. They carry the
// repository's real findings (probes, privileged containers, sidecars without limits, ...).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { helmRenderer } from '../src/render/helm-renderer.js';
import { planValidation } from '../src/repo/plan-validation.js';
import { readRepo } from '../src/repo/read-repo.js';
import { splitDocuments } from '../src/manifests/split-documents.js';

function yamlFiles(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir).sort()) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) yamlFiles(p, out);
    else if (/\.ya?ml$/.test(e) && e !== 'kustomization.yaml') out.push(p);
  }
  return out;
}

export async function prodDocs(root: string, n: number): Promise<string> {
  const repo = await readRepo(root, ['prod']);
  if (!repo.snapshot) throw new Error('the catalog has errors: nothing to render');
  const plan = planValidation(repo.snapshot, { envs: ['prod'] });
  const docs: string[] = [];
  for (const job of plan.jobs) {
    const r = await helmRenderer.render({
      chartDir: join(root, job.chartPath),
      releaseName: job.releaseName,
      namespace: job.namespace,
      valueFiles: job.valueFiles.map((f) => join(root, f)),
      kubeVersion: job.kubernetesVersion,
    });
    if (r.error) throw new Error(`${job.chartPath}: ${r.error.message}`);
    docs.push(...splitDocuments(r.manifests).map((c) => c.text));
  }
  for (const f of yamlFiles(join(root, 'environments', 'prod')).filter((p) => !p.includes('/values/')))
    docs.push(...splitDocuments(readFileSync(f, 'utf8')).map((c) => c.text));
  const objects = docs.map((d) => d.replace(/^---.*\n/, '')).filter((d) => /^kind:/m.test(d));
  const out: string[] = [];
  for (let copy = 0; out.length < n; copy++) {
    for (const d of objects) {
      if (out.length >= n) break;
      let t = d.replace(/^(\s+namespace: )(\S+)$/gm, `$1$2-${copy}`);
      if (/^kind: Namespace$/m.test(t)) t = t.replace(/^( {2}name: )(\S+)$/m, `$1$2-${copy}`);
      out.push(t.endsWith('\n') ? t : `${t}\n`);
    }
  }
  return out.join('---\n');
}

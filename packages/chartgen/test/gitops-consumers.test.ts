import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { loadEnvironmentFile } from '@cmsweb/catalog';
import { createRenderer, generate, planGeneration, readTemplateSources } from '../src/index.js';
import { consumerCatalogs, copyRepo, loadCatalogFrom, removeTempDirs } from './helpers.js';
import type { K8sObject } from './render.js';

// What Argo CD and Flux do with the generated objects, modelled on their documented behaviour:
// - Argo CD (argo-cd docs "Automated Sync Policy", "Sync Phases and Waves", "App Deletion"): an Application
//   without spec.syncPolicy.automated never deploys by itself; the root app applies its children wave by wave
//   (lowest first); only an Application with resources-finalizer.argocd.argoproj.io deletes its objects.
// - Flux (kustomize-controller docs "Path", "Dependencies", "Generating a kustomization.yaml file"): a path
//   with a kustomization.yaml applies what it lists, a path without one applies every YAML file under it
//   (recursively), and a Kustomization waits for its dependsOn to be Ready.

afterAll(removeTempDirs);

const objectsOf = (text: string) =>
  parseAllDocuments(text)
    .map((d) => d.toJS() as K8sObject)
    .filter(Boolean);

/**
 * The plan of a catalog with every environment's default sync, made once per catalog: the tests only read it
 * (planning the repository's catalog is most of this file's time).
 */
const defaultPlans = new Map<string, ReturnType<typeof makePlan>>();
function plan(root: string, sync?: Record<string, 'automated' | 'manual'>): ReturnType<typeof makePlan> {
  if (sync) return makePlan(root, sync);
  let p = defaultPlans.get(root);
  if (!p) defaultPlans.set(root, (p = makePlan(root)));
  return p;
}

async function makePlan(root: string, sync?: Record<string, 'automated' | 'manual'>) {
  const catalog = loadCatalogFrom(root);
  const environmentFiles = new Map(
    Object.entries(sync ?? {}).map(([env, mode]) => {
      const text = `name: ${env}\ncluster: c\npromotesFrom: null\nargocd:\n  sync: ${mode}\n`;
      return [env, loadEnvironmentFile(`environments/${env}/environment.yaml`, text).environment!];
    }),
  );
  return {
    catalog,
    planned: planGeneration({
      catalog,
      existing: new Set(),
      renderer: createRenderer(await readTemplateSources()),
      environmentFiles,
    }),
  };
}

/** What kustomize-controller applies for `path`: the kustomization.yaml's resources, else every YAML file under it. */
function fluxApplies(planned: Map<string, string>, path: string): string[] {
  const dir = path.replace(/^\.\//, '');
  const k = planned.get(`${dir}/kustomization.yaml`);
  if (k) return (parse(k) as { resources: string[] }).resources.map((r) => `${dir}/${r}`);
  return [...planned.keys()].filter((p) => p.startsWith(`${dir}/`) && /\.ya?ml$/.test(p));
}

describe.each(consumerCatalogs)('Argo CD and Flux on the %s catalog', { timeout: 60_000 }, (_what, root) => {
  it('Argo CD: by default every Application syncs automatically (prune, selfHeal), retries with backoff, cascades deletes', async () => {
    const { catalog, planned } = await plan(root);
    for (const env of catalog.cluster.environments) {
      const apps = [...planned]
        .filter(([p]) => p.startsWith(`environments/${env.name}/argocd/apps/`))
        .flatMap(([, t]) => objectsOf(t));
      expect(apps.length).toBe(catalog.services.filter((s) => !s.vm).length + 1);
      for (const a of apps) {
        expect(a.spec.syncPolicy.automated, a.metadata.name).toEqual({ prune: true, selfHeal: true });
        expect(a.spec.syncPolicy.retry.limit).toBeGreaterThan(0);
        expect(a.spec.syncPolicy.retry.backoff.factor).toBeGreaterThan(1);
        expect(a.metadata.finalizers).toEqual(['resources-finalizer.argocd.argoproj.io']);
      }
      const rootApp = objectsOf(planned.get(`environments/${env.name}/argocd/root.yaml`)!)[0]!;
      expect(rootApp.spec.syncPolicy.automated).toEqual({ prune: true, selfHeal: true });
      expect(rootApp.metadata.finalizers).toBeUndefined();
    }
  });

  it('Argo CD: the root app applies the project, then the cluster objects, then the services (sync waves); services create their namespace', async () => {
    const { catalog, planned } = await plan(root);
    for (const env of catalog.cluster.environments) {
      const children = [...planned]
        .filter(([p]) => p.startsWith(`environments/${env.name}/argocd/`) && !p.endsWith('/root.yaml'))
        .flatMap(([, t]) => objectsOf(t));
      const wave = (o: K8sObject) => Number(o.metadata.annotations?.['argocd.argoproj.io/sync-wave'] ?? 0);
      const project = children.find((o) => o.kind === 'AppProject')!;
      const clusterApp = children.find((o) => o.metadata.name === `cluster-${env.name}`)!;
      const services = children.filter((o) => o.kind === 'Application' && o !== clusterApp);
      for (const s of services) {
        expect(wave(project)).toBeLessThan(wave(clusterApp));
        expect(wave(clusterApp)).toBeLessThan(wave(s));
        expect(s.spec.syncPolicy.syncOptions).toContain('CreateNamespace=true');
      }
      // The cluster Application's Namespaces are never pruned (deleting one deletes everything in it).
      for (const ns of objectsOf(planned.get(`environments/${env.name}/cluster/namespaces.yaml`)!)) {
        expect(ns.metadata.annotations['argocd.argoproj.io/sync-options']).toBe('Prune=false');
        expect(ns.metadata.annotations['kustomize.toolkit.fluxcd.io/prune']).toBe('disabled');
      }
    }
  });

  it('Argo CD: an environment with argocd.sync: manual gets Applications a person syncs; the root stays automated', async () => {
    const { catalog, planned } = await plan(root);
    const last = catalog.cluster.environments.at(-1)!.name;
    const manual = (await plan(root, { [last]: 'manual' })).planned;
    for (const [path, text] of manual) {
      if (!path.startsWith('environments/') || !path.includes('/argocd/')) continue;
      const o = objectsOf(text)[0]!;
      if (o.kind !== 'Application') continue;
      const inLast = path.startsWith(`environments/${last}/`);
      const expectAutomated = !inLast || path.endsWith('/root.yaml');
      expect(o.spec.syncPolicy.automated === undefined, path).toBe(!expectAutomated);
      expect(o.spec.syncPolicy.retry, path).toBeDefined();
      if (!inLast) expect(text).toBe(planned.get(path));
    }
  });

  it('Flux: the bootstrap (GitRepository + root Kustomization) reaches every Flux object; cluster objects come before the HelmReleases', async () => {
    const { catalog, planned } = await plan(root);
    for (const env of catalog.cluster.environments) {
      const base = `environments/${env.name}`;
      const bootstrap = [`${base}/flux/gitrepository.yaml`, `${base}/flux/root.yaml`];
      const source = objectsOf(planned.get(bootstrap[0]!)!)[0]!;
      // Walk what Flux applies from the bootstrap, Kustomization by Kustomization.
      const applied = new Set<string>(bootstrap);
      const kustomizations = new Map<string, K8sObject>();
      // The first Kustomization (in the order of the walk) that applies each file: its owner.
      const owners = new Map<string, K8sObject>();
      const queue = objectsOf(planned.get(bootstrap[1]!)!);
      while (queue.length) {
        const k = queue.shift()!;
        if (kustomizations.has(k.metadata.name)) continue;
        kustomizations.set(k.metadata.name, k);
        expect(k.spec.sourceRef).toEqual({ kind: 'GitRepository', name: source.metadata.name });
        expect(k.spec.prune).toBe(true);
        for (const file of fluxApplies(planned, k.spec.path)) {
          expect(planned.has(file), `${k.metadata.name} applies ${file}`).toBe(true);
          applied.add(file);
          if (!owners.has(file)) owners.set(file, k);
          queue.push(
            ...objectsOf(planned.get(file)!).filter(
              (o) => o.kind === 'Kustomization' && o.apiVersion.startsWith('kustomize.toolkit.fluxcd.io/'),
            ),
          );
        }
      }
      // Every generated manifest of flux/ and cluster/ is applied by some Kustomization, nothing by hand.
      const manifests = [...planned.keys()].filter(
        (p) => new RegExp(`^${base}/(flux|cluster)/.*\\.yaml$`).test(p) && !p.endsWith('/kustomization.yaml'),
      );
      expect(manifests.filter((p) => !applied.has(p))).toEqual([]);
      // Every YAML file under a path without kustomization.yaml is a Kubernetes object (Flux refuses others).
      for (const p of applied)
        for (const o of objectsOf(planned.get(p)!)) expect(o.apiVersion && o.kind && o.metadata?.name, p).toBeTruthy();

      const owner = (file: string) => owners.get(file)!;
      const nsOwner = owner(`${base}/cluster/namespaces.yaml`);
      for (const s of catalog.services.filter((x) => !x.vm)) {
        const hrOwner = owner(`${base}/flux/helmreleases/${s.name}.yaml`);
        expect(hrOwner.spec.dependsOn.map((d: K8sObject) => d.name)).toContain(nsOwner.metadata.name);
        expect(nsOwner.spec.wait).toBe(true);
        const hr = objectsOf(planned.get(`${base}/flux/helmreleases/${s.name}.yaml`)!)[0]!;
        expect(hr.spec.install.createNamespace).toBe(true);
        expect(hr.spec.install.remediation.retries).toBeGreaterThan(0);
        expect(hr.spec.upgrade.remediation.retries).toBeGreaterThan(0);
        expect(hr.spec.upgrade.remediation.remediateLastFailure).toBe(true);
      }
      // No dependency cycle: the dependsOn graph is acyclic.
      const visiting = new Set<string>();
      const visit = (name: string): void => {
        expect(visiting.has(name), `cycle through ${name}`).toBe(false);
        visiting.add(name);
        for (const d of kustomizations.get(name)?.spec.dependsOn ?? []) visit(d.name);
        visiting.delete(name);
      };
      for (const name of kustomizations.keys()) visit(name);
    }
  });
});

describe('chartgen generate reads argocd.sync from environment.yaml', () => {
  it('a manual environment regenerates its Applications without automated; a broken value is refused with file:line', async () => {
    const dir = copyRepo(consumerCatalogs[1]![1]);
    expect((await generate({ root: dir, check: false })).status).toBe('ok');
    const envFile = join(dir, 'environments/prod/environment.yaml');
    writeFileSync(envFile, `${readFileSync(envFile, 'utf8')}argocd:\n  sync: manual\n`);
    const r = await generate({ root: dir, check: false });
    expect(r.status).toBe('ok');
    const app = parse(readFileSync(join(dir, 'environments/prod/argocd/apps/cluster.yaml'), 'utf8'));
    expect(app.spec.syncPolicy.automated).toBeUndefined();

    writeFileSync(envFile, `${readFileSync(envFile, 'utf8').replace('sync: manual', 'sync: sometimes')}`);
    const bad = await generate({ root: dir, check: false });
    expect(bad.status).toBe('bad-catalog');
    if (bad.status !== 'bad-catalog') return;
    expect(bad.findings[0]).toMatchObject({ file: 'environments/prod/environment.yaml', check: 'environment-schema' });
    expect(bad.findings[0]!.line).toBeGreaterThan(1);
    expect(bad.findings[0]!.message).toMatch(/automated|manual/);
  });
});

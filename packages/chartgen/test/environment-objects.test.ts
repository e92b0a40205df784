import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { loadCatalog, type Catalog } from '@cmsweb/catalog';
import { checkGenerationRules } from '../src/index.js';
import { fixtureRepo, loadCatalogFrom, planFrom, repoRoot } from './helpers.js';
import type { K8sObject } from './render.js';

// The Argo CD, Flux and cluster objects under environments/<env>/, read back from the plan as YAML: the
// labels the validator's standard-labels check wants, and an AppProject that admits exactly what the
// environment's Applications deploy (Argo CD's own project checks, modelled here).

const STANDARD = [
  'app.kubernetes.io/name',
  'app.kubernetes.io/instance',
  'app.kubernetes.io/managed-by',
  'app.kubernetes.io/part-of',
];

interface Placed {
  path: string;
  object: K8sObject;
}

/** Every object of every generated YAML file under environments/<env>/{argocd,flux,cluster}/. */
function environmentObjects(planned: Map<string, string>, env: string): Placed[] {
  const out: Placed[] = [];
  for (const [path, text] of planned) {
    if (!new RegExp(`^environments/${env}/(argocd|flux|cluster)/.*\\.yaml$`).test(path)) continue;
    if (path.endsWith('/kustomization.yaml')) continue; // kustomize's build file, not an object
    for (const d of parseAllDocuments(text)) {
      expect(d.errors, path).toEqual([]);
      const object = d.toJS() as K8sObject | null;
      if (object) out.push({ path, object });
    }
  }
  return out;
}

/** Argo CD's glob match for project fields (`*` matches any run of characters). */
function globMatch(pattern: string, value: string): boolean {
  const re = new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  return re.test(value);
}

function permitted(project: K8sObject, cluster: string, namespace: string): boolean {
  return (project.spec.destinations as K8sObject[]).some(
    (d) => (d.name ? globMatch(d.name, cluster) : false) && globMatch(d.namespace, namespace),
  );
}

const cases: Array<[string, string]> = [
  ['fixture', fixtureRepo],
  ['repository', repoRoot],
];

describe.each(cases)('environment objects of the %s catalog', { timeout: 60_000 }, (_what, root) => {
  const catalog: Catalog = loadCatalogFrom(root);
  const plannedP = planFrom(root);

  for (const env of catalog.cluster.environments) {
    describe(env.name, () => {
      it('every object carries the standard labels: name, <name>-<env> instance, managed-by chartgen, part-of the cluster', async () => {
        const objects = environmentObjects(await plannedP, env.name);
        expect(objects.length).toBeGreaterThan(0);
        const problems: string[] = [];
        for (const { path, object } of objects) {
          const labels = (object.metadata?.labels ?? {}) as Record<string, string>;
          const missing = STANDARD.filter((l) => !labels[l]);
          if (missing.length)
            problems.push(`${path} ${object.kind}/${object.metadata?.name}: missing ${missing.join(', ')}`);
          else {
            if (labels['app.kubernetes.io/instance'] !== `${labels['app.kubernetes.io/name']}-${env.name}`)
              problems.push(`${path}: instance ${labels['app.kubernetes.io/instance']}`);
            if (labels['app.kubernetes.io/managed-by'] !== 'chartgen')
              problems.push(`${path}: managed-by ${labels['app.kubernetes.io/managed-by']}`);
            if (labels['app.kubernetes.io/part-of'] !== catalog.cluster.name)
              problems.push(`${path}: part-of ${labels['app.kubernetes.io/part-of']}`);
          }
        }
        expect(problems).toEqual([]);
      });

      it('names each object after its service, namespace or role', async () => {
        const objects = environmentObjects(await plannedP, env.name);
        const nameOf = (path: string, kind: string, name?: string) => {
          const o = objects.find(
            (x) => x.path === path && x.object.kind === kind && (name === undefined || x.object.metadata.name === name),
          );
          return o?.object.metadata.labels['app.kubernetes.io/name'];
        };
        const base = `environments/${env.name}`;
        for (const s of catalog.services.filter((x) => !x.vm)) {
          expect(nameOf(`${base}/argocd/apps/${s.name}.yaml`, 'Application')).toBe(s.name);
          expect(nameOf(`${base}/flux/helmreleases/${s.name}.yaml`, 'HelmRelease')).toBe(s.name);
        }
        for (const n of catalog.cluster.namespaces)
          expect(nameOf(`${base}/cluster/namespaces.yaml`, 'Namespace', n.name)).toBe(n.name);
        expect(nameOf(`${base}/argocd/root.yaml`, 'Application')).toBe(`${catalog.cluster.name}-root`);
        expect(nameOf(`${base}/argocd/project.yaml`, 'AppProject')).toBe(`${catalog.cluster.name}-project`);
        expect(nameOf(`${base}/argocd/apps/cluster.yaml`, 'Application')).toBe('cluster-objects');
        expect(nameOf(`${base}/flux/gitrepository.yaml`, 'GitRepository')).toBe(
          `${catalog.cluster.name}-gitrepository`,
        );
        expect(nameOf(`${base}/cluster/frontend-rules.yaml`, 'ConfigMap')).toBe('frontend-rules');
        expect(nameOf(`${base}/cluster/prometheus-adapter.yaml`, 'ConfigMap')).toBe('prometheus-adapter');
      });

      it('the AppProject admits every Application of the environment, its source and every object of the cluster Application', async () => {
        const planned = await plannedP;
        const objects = environmentObjects(planned, env.name);
        const projects = objects.filter((o) => o.object.kind === 'AppProject');
        expect(projects.map((p) => p.path)).toEqual([`environments/${env.name}/argocd/project.yaml`]);
        const project = projects[0]!.object;
        expect(project.metadata).toMatchObject({
          name: `${catalog.cluster.name}-${env.name}`,
          namespace: 'argocd',
          annotations: { 'argocd.argoproj.io/sync-wave': '-1' },
        });
        expect(project.spec.sourceRepos).toEqual([catalog.cluster.git.repoURL]);
        expect(project.spec.clusterResourceWhitelist).toEqual([{ group: '', kind: 'Namespace' }]);
        expect(project.spec.description).toContain(env.cluster);

        const problems: string[] = [];
        const apps = objects.filter((o) => o.path.startsWith(`environments/${env.name}/argocd/apps/`));
        expect(apps.length).toBe(catalog.services.filter((s) => !s.vm).length + 1);
        for (const { path, object: app } of apps) {
          if (app.kind !== 'Application') problems.push(`${path}: ${app.kind}`);
          if (app.spec.project !== project.metadata.name) problems.push(`${path}: project ${app.spec.project}`);
          if (!project.spec.sourceRepos.includes(app.spec.source.repoURL))
            problems.push(`${path}: source ${app.spec.source.repoURL}`);
          if (!permitted(project, app.spec.destination.name, app.spec.destination.namespace))
            problems.push(`${path}: destination ${JSON.stringify(app.spec.destination)}`);
        }
        for (const { path, object } of objects.filter((o) => o.path.startsWith(`environments/${env.name}/cluster/`))) {
          const ns = object.metadata.namespace as string | undefined;
          if (ns === undefined) {
            if (
              !project.spec.clusterResourceWhitelist.some(
                (w: K8sObject) =>
                  w.kind === object.kind &&
                  w.group === (object.apiVersion.includes('/') ? object.apiVersion.split('/')[0] : ''),
              )
            )
              problems.push(`${path}: cluster-scoped ${object.kind} not whitelisted`);
          } else if (!permitted(project, env.cluster, ns)) problems.push(`${path}: ${object.kind} in namespace ${ns}`);
        }
        expect(problems).toEqual([]);
      });

      it('the AppProject admits no namespace the environment does not deploy into', async () => {
        const project = environmentObjects(await plannedP, env.name).find(
          (o) => o.object.kind === 'AppProject',
        )!.object;
        const serviceNamespaces = catalog.services.filter((s) => !s.vm).map((s) => s.namespace);
        const expected = [
          ...new Set([
            ...serviceNamespaces,
            catalog.cluster.frontend!.namespace,
            catalog.cluster.prometheus.namespace,
            'default',
          ]),
        ].sort();
        expect(project.spec.destinations).toEqual(expected.map((namespace) => ({ name: env.cluster, namespace })));
      });

      it("the root application syncs project.yaml and apps/ (not itself) from Argo CD's default project", async () => {
        const planned = await plannedP;
        const root = environmentObjects(planned, env.name).find((o) => o.path.endsWith('/argocd/root.yaml'))!.object;
        expect(root.spec.project).toBe('default');
        expect(root.spec.destination).toEqual({ name: 'in-cluster', namespace: 'argocd' });
        const { path, directory } = root.spec.source;
        expect(path).toBe(`environments/${env.name}/argocd`);
        expect(directory).toEqual({ recurse: true, exclude: 'root.yaml' });
        // What Argo CD reads: every YAML file under the path (recursively), relative paths matched against exclude.
        const synced = [...planned.keys()]
          .filter((p) => p.startsWith(`${path}/`) && p.endsWith('.yaml'))
          .map((p) => p.slice(path.length + 1))
          .filter((rel) => !globMatch(directory.exclude, rel));
        const kinds = synced.flatMap((rel) =>
          parseAllDocuments(planned.get(`${path}/${rel}`)!).map((d) => (d.toJS() as K8sObject).kind as string),
        );
        expect(synced).toContain('project.yaml');
        expect(synced).not.toContain('root.yaml');
        expect(kinds.filter((k) => k === 'AppProject')).toHaveLength(1);
        expect(kinds.filter((k) => k === 'Application')).toHaveLength(catalog.services.filter((s) => !s.vm).length + 1);
      });
    });
  }

  it('projects and Applications have names unique across environments (one Argo CD may hold all of them)', async () => {
    const planned = await plannedP;
    const names = catalog.cluster.environments.flatMap((e) =>
      environmentObjects(planned, e.name)
        .filter((o) => o.path.includes('/argocd/'))
        .map((o) => `${o.object.kind}/${o.object.metadata.name}`),
    );
    expect(names.length).toBeGreaterThan(0);
    expect(new Set(names).size).toBe(names.length);
  });
});

describe('generation rule: instance labels are valid label values', () => {
  const clusterText = readFileSync(join(fixtureRepo, 'catalog/cluster.yaml'), 'utf8');
  const service = {
    path: 'catalog/services/s.yaml',
    text: 'name: s\nnamespace: web\nimage: {repository: r}\nports: {http: 8000}\n',
  };
  const findingsFor = (envName: string) => {
    const loaded = loadCatalog(
      { path: 'catalog/cluster.yaml', text: clusterText.replace('  - name: prod\n', `  - name: ${envName}\n`) },
      [service],
    );
    expect(loaded.findings).toEqual([]);
    return checkGenerationRules(loaded.catalog!, loaded.parsed).map(
      (f) => `${f.file}:${f.line}:${f.column}: ${f.message}`,
    );
  };

  it('accepts the fixture environments', () => {
    expect(findingsFor('prod')).toEqual([]);
  });

  it('rejects an environment name that makes <name>-<env> longer than 63 characters, at the name', () => {
    const env = `p${'r'.repeat(45)}`;
    const findings = findingsFor(env);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatch(
      new RegExp(
        `^catalog/cluster\\.yaml:11:5: environment name "${env}" makes app.kubernetes.io/instance of \\d+ generated object\\(s\\) an invalid label value, e\\.g\\. "fixture-gitrepository-${env}"`,
      ),
    );
  });

  it('rejects an environment name ending in "-"', () => {
    const findings = findingsFor('prod-');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toContain('environment name "prod-" makes app.kubernetes.io/instance of');
  });
});

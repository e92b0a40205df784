import { displayName, type Catalog, type EnvironmentFile } from '@cmsweb/catalog';
import { orderKubernetesKeys, stringifyYaml } from '@cmsweb/yaml';
import { buildChartValues } from './chart-values.js';
import { LIBRARY, libraryName, planChart, planLibrary, trimEnd, type ChartContext } from './chart-files.js';
import { buildValuesSchema, formatValuesSchema } from './values-schema.js';
import {
  buildEnvironmentValues,
  buildOverlayValues,
  environmentValuesComments,
  overlayComments,
} from './overlay-values.js';
import { formatCommentedYaml } from './commented-yaml.js';
import {
  buildAppProject,
  buildClusterApplication,
  buildRootApplication,
  buildServiceApplication,
} from './argocd-objects.js';
import {
  buildFluxKustomizeFile,
  buildGitRepository,
  buildHelmRelease,
  buildKustomizations,
  buildRootKustomization,
} from './flux-objects.js';
import { buildFrontendRules, formatFrontendRule } from './frontend-rules.js';
import { buildAdapterRules } from './adapter-rules.js';
import { buildAdapterConfigMap, buildFrontendRulesConfigMap, buildNamespaces } from './cluster-objects.js';
import { buildEnvironmentFile } from './environment-scaffold.js';
import type { Renderer } from './templates.js';

export interface GenerationInput {
  catalog: Catalog;
  /**
   * Repository-relative paths of the overlays (environments/<env>/values/<svc>.yaml) and environment
   * files (environments/<env>/environment.yaml) that exist: those are never written again.
   */
  existing: ReadonlySet<string>;
  renderer: Renderer;
  /** The environment.yaml files that exist, by environment name (their `argocd.sync` shapes the Applications). */
  environmentFiles?: ReadonlyMap<string, EnvironmentFile>;
}

/** Pure: every file chartgen generates for the catalog, by repository-relative path, in path order. */
export function planGeneration({
  catalog,
  existing,
  renderer,
  environmentFiles = new Map(),
}: GenerationInput): Map<string, string> {
  const { cluster } = catalog;
  const files = new Map<string, string>();
  const fileOf = (name: string) => catalog.serviceFiles[name] ?? `catalog/services/${name}.yaml`;
  const k8s = (objects: object[]) => trimEnd(objects.map((o) => stringifyYaml(orderKubernetesKeys(o))).join('---\n'));
  const charted = catalog.services.filter((s) => !s.vm);
  const schema = buildValuesSchema(
    cluster.environments.map((e) => e.name),
    { library: libraryName(cluster), displayName: displayName(cluster) },
  );
  const context: ChartContext = {
    renderer,
    cache: new Map(),
    schemaJson: formatValuesSchema(schema),
    namespaceOf: new Map(charted.map((s) => [s.name, s.namespace])),
  };

  if (charted.length) {
    for (const [path, text] of planLibrary(cluster, catalog.clusterFile, renderer)) files.set(path, text);
  }

  for (const s of charted) {
    for (const [path, text] of planChart(cluster, s, fileOf(s.name), context)) files.set(path, text);
  }

  cluster.environments.forEach((env, index) => {
    const base = `environments/${env.name}`;
    const envFile = `${base}/environment.yaml`;
    if (!existing.has(envFile)) {
      files.set(
        envFile,
        renderer.render('environment/environment.yaml', {
          name: env.name,
          body: trimEnd(stringifyYaml(buildEnvironmentFile(cluster, index))),
        }),
      );
    }
    const envData = { env: env.name };
    /** An environment file holding Kubernetes objects: `environment/<template>` over them, at `<base>/<path>`. */
    const put = (path: string, template: string, data: object, objects: object[]) =>
      files.set(`${base}/${path}`, renderer.render(`environment/${template}`, { ...data, body: k8s(objects) }));
    const sync = environmentFiles.get(env.name)?.argocd?.sync ?? 'automated';
    for (const s of charted) {
      const common = { ...envData, name: s.name, catalogFile: fileOf(s.name) };
      const envValues = buildEnvironmentValues(cluster, s, env.name, buildChartValues(cluster, s, context.namespaceOf));
      files.set(
        environmentValuesFile(s.name, env.name),
        renderer.render('chart/values-env.yaml', {
          ...common,
          body: trimEnd(formatCommentedYaml(envValues, environmentValuesComments(env.name), context.cache)),
        }),
      );
      const overlay = `${base}/values/${s.name}.yaml`;
      if (!existing.has(overlay)) {
        const values = buildOverlayValues(cluster, s, env.name);
        files.set(
          overlay,
          renderer.render('environment/overlay.yaml', {
            ...common,
            body: trimEnd(formatCommentedYaml(values, overlayComments(env.name), context.cache)),
          }),
        );
      }
      put(`argocd/apps/${s.name}.yaml`, 'argocd-app.yaml', common, [buildServiceApplication(cluster, env, s, sync)]);
      put(`flux/helmreleases/${s.name}.yaml`, 'flux-helmrelease.yaml', common, [buildHelmRelease(cluster, env, s)]);
    }
    put('argocd/root.yaml', 'argocd-root.yaml', envData, [buildRootApplication(cluster, env)]);
    put('argocd/project.yaml', 'argocd-project.yaml', envData, [buildAppProject(cluster, env, charted)]);
    put('argocd/apps/cluster.yaml', 'argocd-cluster-app.yaml', envData, [buildClusterApplication(cluster, env, sync)]);
    put('flux/gitrepository.yaml', 'flux-gitrepository.yaml', envData, [buildGitRepository(cluster, env)]);
    put('flux/root.yaml', 'flux-root.yaml', envData, [buildRootKustomization(cluster, env)]);
    put('flux/kustomizations.yaml', 'flux-kustomizations.yaml', envData, buildKustomizations(cluster, env));
    files.set(
      `${base}/flux/kustomization.yaml`,
      renderer.render('environment/flux-kustomization.yaml', {
        ...envData,
        body: trimEnd(stringifyYaml(buildFluxKustomizeFile())),
      }),
    );

    // The frontend is an optional feature: without it there are no routing rules to generate.
    if (cluster.frontend) {
      const rulesText = renderer.render('environment/backends.txt', {
        rules: buildFrontendRules(cluster, catalog.services, env.name).map(formatFrontendRule),
      });
      files.set(`${base}/cluster/backends-k8s-${env.name}.txt`, rulesText);
      put('cluster/frontend-rules.yaml', 'frontend-rules.yaml', envData, [
        buildFrontendRulesConfigMap(cluster, env.name, rulesText),
      ]);
    }
    put('cluster/namespaces.yaml', 'namespaces.yaml', envData, buildNamespaces(cluster, env.name));
    put('cluster/prometheus-adapter.yaml', 'prometheus-adapter.yaml', envData, [
      buildAdapterConfigMap(cluster, env.name, buildAdapterRules(cluster, catalog.services, env.name)),
    ]);
  });

  return new Map([...files.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The generated values file of `service` in `env`, between the chart's values.yaml and the overlay. */
export function environmentValuesFile(service: string, env: string): string {
  return `charts/${service}/values-${env}.yaml`;
}

/** Subdirectories of environments/<env>/ that chartgen generates whole (the rest belongs to people). */
export const GENERATED_ENVIRONMENT_DIRS = ['argocd', 'flux', 'cluster'] as const;

/**
 * Directories whose whole content chartgen owns for this catalog: a file in them that the plan does not
 * contain is stale and gets removed. Overlays and environment.yaml are outside them on purpose.
 */
export function ownedDirectories(catalog: Catalog): string[] {
  const out = [LIBRARY.dir, ...catalog.services.filter((s) => !s.vm).map((s) => `charts/${s.name}`)];
  for (const env of catalog.cluster.environments) {
    for (const d of GENERATED_ENVIRONMENT_DIRS) out.push(`environments/${env.name}/${d}`);
  }
  return out.sort();
}

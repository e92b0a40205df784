import type { Catalog, EnvironmentFile } from '@cmsweb/catalog';
import type { ParsedYaml } from '@cmsweb/yaml';

/** A YAML file of the repository, parsed with positions (value undefined when it does not parse). */
export interface RepoYaml {
  file: string;
  parsed: ParsedYaml;
  value: unknown;
}

export interface RepoEnvironment {
  name: string;
  /** environments/<env>/environment.yaml when it exists and is valid. */
  file?: EnvironmentFile;
  kubernetesVersion: string;
  /** catalog/cluster.yaml `production: true`: production is a property of an environment, not its name. */
  production: boolean;
}

/** What plan-validation needs to know about the repository: read by validate-repo, planned purely. */
export interface RepoSnapshot {
  catalog: Catalog;
  environments: RepoEnvironment[];
  /** Repository-relative paths of every file under charts/ and environments/. */
  files: ReadonlySet<string>;
  /** environments/<env>/argocd/apps/<service>.yaml, by repository-relative path. */
  apps: Record<string, RepoYaml>;
  /** environments/<env>/flux/helmreleases/<service>.yaml, by repository-relative path. */
  helmReleases: Record<string, RepoYaml>;
}

import { posix } from 'node:path';
import { stringifyYaml } from '@cmsweb/yaml';
import { isRecord } from '../resources.js';
import { getIn } from '../checks/workloads.js';

// Pure: what Argo CD's repo server passes to `helm template` for one Helm source of an Application, read
// from argoproj/argo-cd reposerver/repository/repository.go `helmTemplate` and util/helm/cmd.go `template`:
//   - release name: helm.releaseName, else the Application's name;
//   - namespace: helm.namespace, else destination.namespace; Kubernetes version: helm.kubeVersion, else
//     the cluster's; API versions: helm.apiVersions;
//   - value files resolved against the chart path (an absolute one against the repository root), never
//     outside the repository; a missing one is skipped with ignoreMissingValueFiles, otherwise passed on
//     (and helm fails); globs expand in lexical order; duplicates keep their first position;
//   - `values` (a string) or `valuesObject` (which wins) written to one more value file, after the others;
//   - parameters → --set (or --set-string with forceString), fileParameters → --set-file; helm applies
//     them after every value file, --set before --set-string before --set-file. A later parameter of the
//     same name replaces an earlier one (Argo CD keeps them in a map). Commas are escaped unless the value
//     is a {list}; $VAR and ${VAR} of the build environment are substituted in value file paths and
//     parameter values ($$ is a literal $);
//   - --include-crds unless skipCrds; --skip-schema-validation, --skip-tests when set.

export type PathSegment = string | number;

/** One `--set`-like argument and where the Application wrote it. */
export interface SetArg {
  name: string;
  value: string;
  /** Path into the Application document (for findings). */
  at: PathSegment[];
}

export interface HelmSource {
  chartPath: string;
  /** Repository-relative value files, in helm's order (after the chart's own values.yaml). */
  valueFiles: string[];
  /** Value files left out because they are missing and ignoreMissingValueFiles is set. */
  ignoredValueFiles: string[];
  /** The YAML text Argo CD writes to a temporary value file (from values or valuesObject), passed last. */
  inlineValues?: { text: string; at: PathSegment[] };
  set: SetArg[];
  setString: SetArg[];
  /** --set-file: value is the repository-relative file path. */
  setFile: SetArg[];
  releaseName: string;
  namespace: string;
  kubernetesVersion: string;
  apiVersions: string[];
  skipCrds: boolean;
  skipSchemaValidation: boolean;
  skipTests: boolean;
}

export interface SourceProblem {
  at: PathSegment[];
  message: string;
}

export interface ReadHelmSourceInput {
  /** The Application as plain data. */
  app: unknown;
  /** Path into the Application of the source (['spec', 'source'] or ['spec', 'sources', i]). */
  sourcePath: PathSegment[];
  /** The cluster's Kubernetes version (MAJOR.MINOR), used unless helm.kubeVersion is set. */
  kubernetesVersion: string;
  /** Repository-relative paths of the files of the repository (for existence and globs). */
  files: ReadonlySet<string>;
  /** Named sources of the Application (`ref:`) that are this repository: `$name/x` resolves to `x`. */
  refs?: ReadonlySet<string>;
}

/** The render Argo CD would run for this source, or the problems that stop it. */
export function readHelmSource(input: ReadHelmSourceInput): { source?: HelmSource; problems: SourceProblem[] } {
  const problems: SourceProblem[] = [];
  const app = isRecord(input.app) ? input.app : {};
  const spec = isRecord(app.spec) ? app.spec : {};
  const source = getIn(app, input.sourcePath);
  const sp = input.sourcePath;
  if (!isRecord(source) || typeof source.path !== 'string' || !source.path) {
    return {
      problems: [
        {
          at: sp,
          message:
            'the Application source has no path: expected path: charts/<service> (a Helm chart of this repository)',
        },
      ],
    };
  }
  const chartPath = posix.normalize(source.path).replace(/^\/+/, '').replace(/\/+$/, '');
  const helm = isRecord(source.helm) ? source.helm : {};
  const hp = [...sp, 'helm'];
  const metadata = isRecord(app.metadata) ? app.metadata : {};
  const appName = typeof metadata.name === 'string' ? metadata.name : '';
  const destination = isRecord(spec.destination) ? spec.destination : {};
  const namespace = str(helm.namespace) || str(destination.namespace);
  const kubernetesVersion = str(helm.kubeVersion)
    ? normaliseKubeVersion(str(helm.kubeVersion))
    : input.kubernetesVersion;
  if (!kubernetesVersion)
    problems.push({
      at: [...hp, 'kubeVersion'],
      message: `helm.kubeVersion ${JSON.stringify(helm.kubeVersion)} is not a Kubernetes version: expected e.g. "1.33" or "v1.33.2"`,
    });
  const apiVersions = Array.isArray(helm.apiVersions) ? helm.apiVersions.map(String) : [];

  const env: Record<string, string> = {
    ARGOCD_APP_NAME: appName,
    ARGOCD_APP_NAMESPACE: str(destination.namespace),
    ARGOCD_APP_PROJECT_NAME: str(spec.project),
    ARGOCD_APP_SOURCE_REPO_URL: str(source.repoURL),
    ARGOCD_APP_SOURCE_PATH: str(source.path),
    ARGOCD_APP_SOURCE_TARGET_REVISION: str(source.targetRevision),
    KUBE_VERSION: kubernetesVersion,
    KUBE_API_VERSIONS: apiVersions.join(','),
  };

  // Value files.
  const valueFiles: string[] = [];
  const ignoredValueFiles: string[] = [];
  const ignoreMissing = helm.ignoreMissingValueFiles === true;
  const raw = Array.isArray(helm.valueFiles) ? helm.valueFiles : [];
  const resolved = raw.map((v) => resolvePath(chartPath, envsubst(String(v), env), input.refs));
  const explicit = new Set(resolved.filter((r): r is string => typeof r === 'string' && !isGlob(r)));
  const push = (p: string) => {
    if (!valueFiles.includes(p)) valueFiles.push(p);
  };
  raw.forEach((v, i) => {
    const r = resolved[i]!;
    const at = [...hp, 'valueFiles', i];
    if (typeof r !== 'string') {
      problems.push({ at, message: `value file ${JSON.stringify(v)}: ${r.error}` });
      return;
    }
    if (isGlob(r)) {
      const re = globRegExp(r);
      const matches = [...input.files].filter((f) => re.test(f)).sort();
      if (!matches.length) {
        if (!ignoreMissing)
          problems.push({
            at,
            message: `value file pattern ${JSON.stringify(v)} matches no file (as ${r}): Argo CD fails to render the application (or set ignoreMissingValueFiles: true)`,
          });
        return;
      }
      for (const m of matches) if (!explicit.has(m)) push(m);
      return;
    }
    if (!input.files.has(r)) {
      if (ignoreMissing) {
        ignoredValueFiles.push(r);
        return;
      }
      problems.push({
        at,
        message: `value file ${JSON.stringify(v)} resolves to ${r}, which does not exist: Argo CD fails to render the application (or set ignoreMissingValueFiles: true)`,
      });
      return;
    }
    push(r);
  });

  // values / valuesObject: valuesObject wins (ApplicationSourceHelm.ValuesYAML).
  let inlineValues: HelmSource['inlineValues'];
  if (isRecord(helm.valuesObject)) {
    const text = stringifyYaml(helm.valuesObject);
    if (text.trim() && text.trim() !== '{}') inlineValues = { text, at: [...hp, 'valuesObject'] };
  } else if (typeof helm.values === 'string' && helm.values.length) {
    inlineValues = { text: helm.values, at: [...hp, 'values'] };
  } else if (helm.values !== undefined && helm.values !== null && typeof helm.values !== 'string') {
    problems.push({
      at: [...hp, 'values'],
      message: 'helm.values must be a string of YAML (use valuesObject for a mapping)',
    });
  }

  // Parameters: a map in Argo CD, so the last of one name wins (in its first position here, for a stable order).
  const set = new Map<string, SetArg>();
  const setString = new Map<string, SetArg>();
  (Array.isArray(helm.parameters) ? helm.parameters : []).forEach((p, i) => {
    const at = [...hp, 'parameters', i];
    if (!isRecord(p) || typeof p.name !== 'string' || !p.name) {
      problems.push({
        at,
        message: 'a helm parameter needs a name (and a value): expected {name: replicaCount, value: "2"}',
      });
      return;
    }
    const arg = { name: p.name, value: cleanSetParameter(envsubst(scalar(p.value), env)), at };
    const target = p.forceString === true ? setString : set;
    (p.forceString === true ? set : setString).delete(p.name);
    target.set(p.name, arg);
  });
  const setFile = new Map<string, SetArg>();
  (Array.isArray(helm.fileParameters) ? helm.fileParameters : []).forEach((p, i) => {
    const at = [...hp, 'fileParameters', i];
    if (!isRecord(p) || typeof p.name !== 'string' || !p.name || typeof p.path !== 'string') {
      problems.push({
        at,
        message: 'a helm file parameter needs a name and a path: expected {name: config, path: files/config.json}',
      });
      return;
    }
    const r = resolvePath(chartPath, envsubst(p.path, env), input.refs);
    if (typeof r !== 'string') {
      problems.push({ at: [...at, 'path'], message: `file parameter ${p.name}: ${r.error}` });
      return;
    }
    if (!input.files.has(r)) {
      problems.push({
        at: [...at, 'path'],
        message: `file parameter ${p.name}: ${p.path} resolves to ${r}, which does not exist: helm fails with --set-file`,
      });
      return;
    }
    setFile.set(p.name, { name: p.name, value: r, at });
  });

  if (problems.length) return { problems };
  return {
    problems,
    source: {
      chartPath,
      valueFiles,
      ignoredValueFiles,
      inlineValues,
      set: [...set.values()],
      setString: [...setString.values()],
      setFile: [...setFile.values()],
      releaseName: str(helm.releaseName) || appName,
      namespace,
      kubernetesVersion,
      apiVersions,
      skipCrds: helm.skipCrds === true,
      skipSchemaValidation: helm.skipSchemaValidation === true,
      skipTests: helm.skipTests === true,
    },
  };
}

/** The Helm sources of an Application: spec.source, or each spec.sources[] entry with a path. */
export function helmSourcePaths(app: unknown): { sourcePaths: PathSegment[][]; refs: Set<string> } {
  const spec = isRecord(app) && isRecord(app.spec) ? app.spec : {};
  if (Array.isArray(spec.sources)) {
    const refs = new Set<string>();
    const sourcePaths: PathSegment[][] = [];
    spec.sources.forEach((s, i) => {
      if (isRecord(s) && typeof s.ref === 'string' && s.ref) refs.add(s.ref);
      if (isRecord(s) && typeof s.path === 'string' && s.path) sourcePaths.push(['spec', 'sources', i]);
    });
    return { sourcePaths, refs };
  }
  return { sourcePaths: [['spec', 'source']], refs: new Set() };
}

/** Argo CD's cleanSetParameters: escape commas (unless already escaped) except in a {list} value. */
export function cleanSetParameter(value: string): string {
  if (value.startsWith('{') && value.endsWith('}')) return value;
  let out = '';
  let prev = '';
  for (const ch of value) {
    out += ch === ',' && prev !== '\\' ? '\\,' : ch;
    prev = ch;
  }
  return out;
}

/** Go's os.Expand with Argo CD's mapping: $VAR and ${VAR} (unknown ones become empty), $$ is $. */
export function envsubst(s: string, env: Record<string, string>): string {
  return s.replace(
    /\$(?:\{([^}]*)\}|([A-Za-z0-9_]+)|(\$))/g,
    (_m, braced: string | undefined, plain: string | undefined, dollar: string | undefined) =>
      dollar ? '$' : (env[braced ?? plain ?? ''] ?? ''),
  );
}

/** A path of the Application resolved to a repository-relative path (Argo CD's resolveFileOrDirectory). */
function resolvePath(chartPath: string, p: string, refs: ReadonlySet<string> | undefined): string | { error: string } {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(p))
    return { error: 'a remote URL cannot be read offline: keep value files in the repository' };
  const ref = /^\$([^/]+)\/(.*)$/.exec(p);
  let joined: string;
  if (ref) {
    if (!refs?.has(ref[1]!)) return { error: `$${ref[1]} names no source of the Application (sources[].ref)` };
    joined = posix.normalize(ref[2]!);
  } else {
    joined = p.startsWith('/') ? posix.normalize(p.slice(1) || '.') : posix.normalize(posix.join(chartPath, p));
  }
  if (joined === '.' || joined === '') return { error: 'resolves to the repository root, which Argo CD refuses' };
  if (joined.startsWith('../') || joined === '..')
    return { error: `resolves outside the repository (${joined}), which Argo CD refuses` };
  return joined;
}

function isGlob(p: string): boolean {
  return /[*?[]/.test(p);
}

/** doublestar semantics: * and ? within a segment, ** across segments, [...] classes. */
function globRegExp(p: string): RegExp {
  let re = '';
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === '*' && p[i + 1] === '*') {
      re += p[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += p[i + 2] === '/' ? 2 : 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const j = p.indexOf(']', i);
      if (j < 0) {
        re += '\\[';
      } else {
        re += `[${p.slice(i + 1, j).replace(/^!/, '^')}]`;
        i = j;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

function normaliseKubeVersion(v: string): string {
  const m = /^v?(\d+)\.(\d+)(?:\.\d+)?(?:[-+].*)?$/.exec(v.trim());
  return m ? `${m[1]}.${m[2]}` : '';
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function scalar(v: unknown): string {
  if (v === undefined || v === null) return '';
  return typeof v === 'string' ? v : String(v);
}

import { lstat, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { loadEnvironmentFile, readCatalog, type EnvironmentFile } from '@cmsweb/catalog';
import { readSafeFile, refusedFinding, RefusedFileError, sortFindings, type SourceFinding } from '@cmsweb/yaml';
import { checkGenerationRules } from './generation-rules.js';
import { GENERATED_ENVIRONMENT_DIRS, ownedDirectories, planGeneration } from './plan-generation.js';
import { diffTree, type TreeChange } from './diff-tree.js';
import {
  existingPaths,
  readGeneratedChartDirs,
  readRemovedEnvironmentDirs,
  readTree,
  atomicTempsBeside,
  REFUSED_CONTENT,
} from './read-tree.js';
import { formatManifest, hasGeneratedHeader, MANIFEST_PATH, parseManifest } from './generated-manifest.js';
import { generatedMarker } from './chart-files.js';
import { writeTree } from './write-tree.js';
import { createRenderer } from './templates.js';
import { readTemplateSources } from './read-templates.js';
import { atomicWriteTemp, processAlive, UsageError } from '@cmsweb/toolkit';

export interface GenerateOptions {
  /** Repository root holding catalog/, charts/ and environments/. */
  root: string;
  /** Only compare: write nothing. */
  check: boolean;
  /** Called as each file is written (`done` of `total`): the CLI's progress line. */
  onWritten?: (done: number, total: number) => void;
}

export type GenerateResult =
  | { status: 'bad-catalog'; findings: SourceFinding[] }
  | { status: 'ok'; changes: TreeChange[]; planned: number; written: boolean; warnings: SourceFinding[] };

/** Thrown for a usage problem the user can fix (exit 2), as opposed to a bug or broken I/O: one class for the three tools. */
export { UsageError } from '@cmsweb/toolkit';

/** Shell: read the catalog and the tree, plan, diff, and (unless checking) write the difference. */
export async function generate(options: GenerateOptions): Promise<GenerateResult> {
  const { root } = options;
  const isDir = await stat(root).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isDir) throw new UsageError(`--root ${root} is not a directory`);
  const hasCluster = await lstat(join(root, 'catalog', 'cluster.yaml')).then(
    () => true,
    () => false,
  );
  if (!hasCluster)
    throw new UsageError(
      `${join(root, 'catalog', 'cluster.yaml')} does not exist; --root must be a repository with catalog/cluster.yaml and catalog/services/`,
    );

  try {
    return await generateIn(root, options);
  } catch (e) {
    if (e instanceof RefusedFileError) throw new UsageError(`${e.message}; nothing written`);
    throw e;
  }
}

async function generateIn(root: string, options: GenerateOptions): Promise<GenerateResult> {
  const loaded = await readCatalog(root);
  const errors = (f: SourceFinding[]) => f.filter((x) => x.severity === 'error');
  if (!loaded.catalog || errors(loaded.findings).length)
    return { status: 'bad-catalog', findings: sortFindings(loaded.findings) };
  const catalog = loaded.catalog;
  const ruleFindings = checkGenerationRules(catalog, loaded.parsed);
  if (errors(ruleFindings).length)
    return { status: 'bad-catalog', findings: sortFindings([...loaded.findings, ...ruleFindings]) };

  const envs = catalog.cluster.environments.map((e) => e.name);
  const charted = catalog.services.filter((s) => !s.vm).map((s) => s.name);
  const candidates = envs.flatMap((env) => [
    `environments/${env}/environment.yaml`,
    ...charted.map((s) => `environments/${env}/values/${s}.yaml`),
  ]);
  const existing = existingPaths(root, candidates);

  // environment.yaml is owned by release managers; chartgen reads its argocd.sync (and refuses a broken one).
  const environmentFiles = new Map<string, EnvironmentFile>();
  const envFindings: SourceFinding[] = [];
  for (const env of envs) {
    const path = `environments/${env}/environment.yaml`;
    if (!existing.has(path)) continue;
    let text: string | undefined;
    try {
      text = readSafeFile(path, { root });
    } catch (e) {
      if (!(e instanceof RefusedFileError)) throw e;
      envFindings.push(refusedFinding(e));
      continue;
    }
    if (text === undefined) continue;
    const r = loadEnvironmentFile(path, text);
    envFindings.push(
      ...r.findings.map((f) => ({ ...f, check: f.check.startsWith('yaml-') ? f.check : 'environment-schema' })),
    );
    if (r.environment) environmentFiles.set(env, r.environment);
  }
  if (errors(envFindings).length)
    return { status: 'bad-catalog', findings: sortFindings([...loaded.findings, ...ruleFindings, ...envFindings]) };

  const renderer = createRenderer(await readTemplateSources());
  const planned = planGeneration({ catalog, existing, renderer, environmentFiles });

  const catalogOwned = ownedDirectories(catalog);
  const marker = generatedMarker(catalog.cluster);
  // What chartgen wrote last time: a refused or missing manifest proves nothing (headers still do).
  const manifestText = readTree(root, [], [MANIFEST_PATH]).get(MANIFEST_PATH);
  const listed = parseManifest(manifestText === REFUSED_CONTENT ? undefined : manifestText);
  // Also what chartgen generated for charts and environments the catalog no longer has: it goes.
  const removedEnvs = readRemovedEnvironmentDirs(root, envs, GENERATED_ENVIRONMENT_DIRS);
  const owned = [
    ...new Set([
      ...catalogOwned,
      ...readGeneratedChartDirs(root, new Set(catalogOwned), marker.key, listed),
      ...removedEnvs,
    ]),
  ].sort();
  planned.set(MANIFEST_PATH, formatManifest(planned.keys(), owned));
  const current = readTree(root, owned, [...planned.keys(), ...atomicTempsBeside(root, owned, planned.keys())]);
  const proven = (path: string, text: string) =>
    listed.has(path) || (text !== REFUSED_CONTENT && hasGeneratedHeader(text, marker)) || deadWritersTemp(path);
  // A chartgen killed while writing leaves the temporary file of an atomic write: named after a file chartgen
  // writes, by a process that no longer runs. It goes (pid reuse can only keep one, as foreign).
  const deadWritersTemp = (path: string) => {
    const temp = atomicWriteTemp(path);
    return temp !== undefined && (planned.has(temp.target) || listed.has(temp.target)) && !processAlive(temp.pid);
  };
  const changes = diffTree(planned, current, owned, proven);
  const edits = changes.filter((c) => c.kind !== 'foreign');
  if (!options.check && edits.length) {
    await writeTree(
      root,
      edits,
      planned,
      ['charts', 'environments', ...envs.map((e) => `environments/${e}`)],
      options.onWritten,
    );
  }
  return {
    status: 'ok',
    changes,
    planned: planned.size,
    written: !options.check && edits.length > 0,
    warnings: sortFindings([...loaded.findings, ...ruleFindings]),
  };
}

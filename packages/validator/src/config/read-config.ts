import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readSafeFile, RefusedFileError } from '@cmsweb/yaml';
import { UsageError } from '../errors.js';
import { EMPTY_CONTEXT, type PolicyContext } from '../checks/check.js';
import { CONFIG_FILE, DEFAULT_CONFIG, parseValidatorConfig, type ValidatorConfig } from './validator-config.js';

/** Shell: <root>/validator.yaml, or the defaults when there is none; a broken file is bad input (exit 2). */
export async function readValidatorConfig(root: string): Promise<ValidatorConfig> {
  let text: string | undefined;
  try {
    text = readSafeFile(CONFIG_FILE, { root });
  } catch (e) {
    if (e instanceof RefusedFileError) throw new UsageError(`${e.path}:${e.line}:${e.column}: refused: ${e.reason}`);
    throw e;
  }
  if (text === undefined) return DEFAULT_CONFIG;
  const { config, problems } = parseValidatorConfig(text, CONFIG_FILE);
  if (problems.length) {
    throw new UsageError(
      problems.map((p) => `${p.file ?? CONFIG_FILE}:${p.line}:${p.column}: ${p.message}`).join('\n'),
    );
  }
  return config;
}

/** What `readCatalog` of @cmsweb/catalog returns (a type only: the catalog is loaded when a command needs it). */
export type LoadedCatalog = Awaited<ReturnType<typeof import('@cmsweb/catalog').readCatalog>>;

/**
 * Shell: the catalog at `root` when it has one (catalog/cluster.yaml), read at most once however often it is
 * asked for: chart and manifests mode take both the Kubernetes version and the policy context from it, and
 * reading a catalog of ~100 services costs up to a second.
 */
export function catalogOnce(root: string): () => Promise<LoadedCatalog | undefined> {
  let read: Promise<LoadedCatalog | undefined> | undefined;
  return () => {
    // Imported here: outside a repository (plain manifests) the catalog and its schema are never loaded.
    read ??= existsSync(join(root, 'catalog', 'cluster.yaml'))
      ? import('@cmsweb/catalog').then((c) => c.readCatalog(root))
      : Promise.resolve(undefined);
    return read;
  };
}

/**
 * Shell: the repository's policy knowledge for chart and manifests mode (allowed host paths, frontend),
 * when the repository holds a valid catalog; otherwise none (no host path allowed, no frontend known).
 */
export async function readPolicyContext(
  catalog: () => Promise<LoadedCatalog | undefined>,
  complete: boolean,
): Promise<PolicyContext> {
  const loaded = await catalog();
  if (!loaded?.catalog) return { ...EMPTY_CONTEXT, complete };
  const { policyContextFromCatalog } = await import('../repo/policy-context.js');
  return { ...policyContextFromCatalog(loaded.catalog, complete, false), allowances: {}, routedServices: [] };
}

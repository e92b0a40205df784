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

/**
 * Shell: the repository's policy knowledge for chart and manifests mode (allowed host paths, frontend),
 * when `root` holds a valid catalog; otherwise none (no host path allowed, no frontend known).
 */
export async function readPolicyContext(root: string, complete: boolean): Promise<PolicyContext> {
  if (!existsSync(join(root, 'catalog', 'cluster.yaml'))) return { ...EMPTY_CONTEXT, complete };
  // Imported here: outside a repository (plain manifests) the catalog and its schema are never loaded.
  const [{ readCatalog }, { policyContextFromCatalog }] = await Promise.all([
    import('@cmsweb/catalog'),
    import('../repo/policy-context.js'),
  ]);
  const loaded = await readCatalog(root);
  return loaded.catalog
    ? { ...policyContextFromCatalog(loaded.catalog, complete, false), allowances: {}, routedServices: [] }
    : { ...EMPTY_CONTEXT, complete };
}

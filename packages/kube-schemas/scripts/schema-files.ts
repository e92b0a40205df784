// Build-time I/O for the generator and its test: reads the reference definitions and the client models,
// returns every data file's text (path relative to data/ → content).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { collectEnums } from '../src/generate/collect-enums.js';
import { convertDefinitions, formatRecordLines, type DefinitionMap } from '../src/generate/convert-definitions.js';
import { createBuiltinSource } from '../src/generate/client-models/builtin-source.js';
import { toGvk } from '../src/gvk.js';
import { convertCrd } from '../src/crd/convert-crd.js';
import { parseAllDocuments } from 'yaml';

export const SCHEMA_DATA_DIR = fileURLToPath(new URL('../data/', import.meta.url));
export const REFERENCE_DIR = fileURLToPath(new URL('../../../../shared/reference/', import.meta.url));
/** The client models' release: enums are paired with that release's definitions. */
const ENUM_RELEASE = '1.34';

export function readReleases(referenceDir: string): Record<string, DefinitionMap> {
  const dir = join(referenceDir, 'kubernetes-openapi');
  const releases: Record<string, DefinitionMap> = {};
  for (const file of readdirSync(dir).sort()) {
    const m = /^v(\d+\.\d+)\.0-definitions\.json$/.exec(file);
    if (m)
      releases[m[1]!] = (
        JSON.parse(readFileSync(join(dir, file), 'utf8')) as { definitions: DefinitionMap }
      ).definitions;
  }
  return releases;
}

export function generateSchemaFiles(referenceDir: string): Record<string, string> {
  const releases = readReleases(referenceDir);
  const data = convertDefinitions(releases);
  const files: Record<string, string> = {};
  files['kubernetes/definitions.json'] = formatRecordLines(data.pool);
  for (const [version, index] of Object.entries(data.versions)) {
    files[`kubernetes/v${version}.json`] =
      `{"kinds":${formatRecordLines(index.kinds).trimEnd()},\n"definitions":${JSON.stringify(index.definitions)}}\n`;
  }
  const builtin = createBuiltinSource();
  const kinds = Object.entries(data.versions[ENUM_RELEASE]!.kinds).map(([key, name]) => {
    const [apiVersion, kind] = key.split(' ') as [string, string];
    return [name, builtin.loadSync(toGvk(apiVersion, kind), ENUM_RELEASE) as never] as [string, never];
  });
  files['kubernetes/enums.json'] = formatRecordLines(collectEnums(releases[ENUM_RELEASE]!, kinds));
  return files;
}

/**
 * CRDs of the objects chartgen emits whose upstream files are not among ../shared/reference/crds (Flux's
 * Kustomization), kept verbatim in the package with their provenance (upstream-crds/README.md).
 */
export const UPSTREAM_CRD_DIR = fileURLToPath(new URL('../upstream-crds/', import.meta.url));

/**
 * data/crds/<group>_<version>_<Kind>.json for every served version of every CRD in reference/crds and in
 * upstream-crds/ (each file's `source` says which).
 */
export function generateCrdFiles(referenceDir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const [dir, label] of [
    [join(referenceDir, 'crds'), 'reference/crds'],
    [UPSTREAM_CRD_DIR, 'packages/kube-schemas/upstream-crds'],
  ] as const) {
    for (const file of readdirSync(dir).sort()) {
      if (!/\.ya?ml$/.test(file)) continue;
      for (const doc of parseAllDocuments(readFileSync(join(dir, file), 'utf8'))) {
        const crd = doc.toJS();
        if (!crd) continue;
        for (const v of convertCrd(crd, `${label}/${file}`)) {
          if (v.deprecated) continue; // e.g. HelmRelease v2beta2: the data ships current versions only
          const data = { source: `${label}/${file}`, ...v };
          files[`crds/${v.group}_${v.version}_${v.kind}.json`] = `${JSON.stringify(data)}\n`;
        }
      }
    }
  }
  return files;
}

import {
  checkApiVersion,
  createSchemaValidator,
  CRD_LOCATION_PREFIX,
  readCrdManifests,
  type SchemaValidator,
  supportedVersionError,
} from '@cmsweb/kube-schemas';
import { existsSync } from 'node:fs';
import { UsageError } from '../errors.js';
import { compiledSchemaStore, schemaCacheDir } from '../sources/compiled-schema-cache.js';
import type { CreateKubeSchemaValidator, KubeSchemaValidator, SchemaViolation } from './schema-validator.js';

/**
 * The one place that knows @cmsweb/kube-schemas: strict validation (unknown fields are errors) against the
 * built-in kinds and bundled Argo CD / Flux CRDs, or the kubeconform-style locations given.
 */
export const createKubeSchemaValidator: CreateKubeSchemaValidator = async (options) => {
  // A version without shipped schemas (e.g. from an environment.yaml) is bad input, not an internal error.
  const unsupported = schemaOptionsProblem(options.kubernetesVersion, [], options.schemaLocations ?? []);
  if (unsupported) throw new UsageError(unsupported);
  const v = schemaValidatorFor(options.kubernetesVersion, options.schemaLocations);
  const validator: KubeSchemaValidator = {
    validate: (object) =>
      object !== null && typeof object === 'object'
        ? (v.validate(object) as SchemaViolation[] | 'unknown-kind')
        : 'unknown-kind',
    checkApiVersion: (apiVersion, kind) => checkApiVersion(apiVersion, kind, options.kubernetesVersion),
    prepare: (kinds) => v.warmUp(kinds),
  };
  return validator;
};

// The built-in kinds and bundled CRDs are data shipped with the package: what ajv compiles from them for one
// Kubernetes version is the same for every run of the process, so it is compiled once per version (a test
// file, or gitops-sync's gate, validating many trees in one process pays the compilation once). Validators
// over --schema-location / --crd folders read files that may change between runs: never shared.
const builtIn = new Map<string, SchemaValidator>();

function schemaValidatorFor(kubernetesVersion: string, schemaLocations?: readonly string[]): SchemaValidator {
  const shared = !schemaLocations?.length || (schemaLocations.length === 1 && schemaLocations[0] === 'default');
  const cached = shared ? builtIn.get(kubernetesVersion) : undefined;
  if (cached) return cached;
  // The shipped data only: what is compiled from it is kept on disk between processes too (a one-service
  // nx target spent most of its time compiling the Deployment schema). The key covers the schema's text, but
  // files given by --schema-location and --crd are user input, read once per run, not worth keeping.
  const dir = shared ? schemaCacheDir() : undefined;
  const v = createSchemaValidator({
    kubernetesVersion,
    schemaLocations,
    strict: true,
    ...(dir ? { compiledSchemas: compiledSchemaStore(dir) } : {}),
  });
  if (shared) builtIn.set(kubernetesVersion, v);
  return v;
}

/** The schema location that stands for a folder (or file) of CRD manifests. */
export const crdLocation = (absolutePath: string): string => `${CRD_LOCATION_PREFIX}${absolutePath}`;

/**
 * Checks what would make every later schema lookup fail, before any work starts: a Kubernetes version
 * without shipped schemas, a CRD folder that is missing or holds a broken CRD. The problem, or undefined.
 */
/** Shell: the directory a local schema location needs (itself, or the part of a template before `{{`), when it is missing. */
function missingLocationDirectory(location: string): string | undefined {
  if (location === 'default' || /^https?:\/\//i.test(location)) return undefined; // URLs: refused with their own message
  const fixed = location.split('{{')[0]!;
  const dir = location.includes('{{') ? fixed.slice(0, fixed.lastIndexOf('/') + 1) || '.' : location;
  return existsSync(dir) ? undefined : dir;
}

export function schemaOptionsProblem(
  kubernetesVersion: string | undefined,
  crdPaths: readonly string[],
  schemaLocations: readonly string[],
): string | undefined {
  try {
    if (crdPaths.length) readCrdManifests(crdPaths);
  } catch (err) {
    return (err as Error).message;
  }
  const others = schemaLocations.filter((l) => !l.startsWith(CRD_LOCATION_PREFIX));
  for (const location of others) {
    const missing = missingLocationDirectory(location);
    if (missing)
      return `--schema-location ${JSON.stringify(location)}: ${missing} does not exist: expected "default", a directory of JSON schemas in kubeconform's layout, or a path template (such as dir/{{ .ResourceKind }}{{ .KindSuffix }}.json) under an existing directory`;
  }
  const usesDefault = !others.length || others.includes('default');
  return kubernetesVersion && usesDefault ? supportedVersionError(kubernetesVersion) : undefined;
}

// createSchemaValidator: finds the schema of each resource's kind in the configured sources, compiles it
// once with ajv and validates synchronously. Compiled validators are cached per kind.
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { _, Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import standaloneCodeImport from 'ajv/dist/standalone/index.js';
import { checkApiVersion } from './api-versions.js';
import { addKubernetesFormats } from './formats.js';
import { addCelRules, CEL_RULES_MODULE, rulesCheck } from './crd/cel-rules.js';
import { apiVersionOf, gvkKey, gvkOfResource, parseKubernetesVersion, toGvk } from './gvk.js';
import { SharedDefinitions } from './shared-definitions.js';
import { schemaSourcesFor } from './sources/locations.js';
import { CRD_LOCATION_PREFIX } from './sources/crd-manifest-source.js';
import type { GroupVersionKind, JSONSchema, SchemaSource, SchemaViolation } from './types.js';
import { didYouMean, toViolations, type FieldNote } from './violations.js';
import { minorVersion, supportedVersionError } from './sources/kubernetes-source.js';

export interface SchemaValidatorOptions {
  /** Target Kubernetes version: '1.33', '1.33.2' or 'v1.33.2'. */
  readonly kubernetesVersion: string;
  /**
   * kubeconform -schema-location values, tried in order: a directory, or a path template with
   * {{ .NormalizedKubernetesVersion }} etc. 'default' stands for the built-in kinds plus the bundled
   * CRDs. Omitted or empty: ['default'] (kubeconform without -schema-location).
   */
  readonly schemaLocations?: readonly string[];
  /** Reject unknown fields (kubeconform -strict). Default true. */
  readonly strict?: boolean;
  /** Base directory for relative schema locations. Default process.cwd(). */
  readonly cwd?: string;
  /** Use these sources instead of the ones schemaLocations describe. */
  readonly sources?: readonly SchemaSource[];
  /** Where compiled schemas are kept between processes (see CompiledSchemaStore); none: compiled each time. */
  readonly compiledSchemas?: CompiledSchemaStore;
}

/**
 * Keeps the code ajv generates for a schema (ajv "standalone" code) under a key that covers everything
 * that shapes it; loading it is ~40x cheaper than compiling (a Deployment: ~0.6 CPU s against ~15 ms), and
 * the compilation of the few kinds one small run meets is most of its time. `read` must return exactly
 * what `write` was given under that key, or undefined (the store checks its own integrity): the code is run.
 */
export interface CompiledSchemaStore {
  read(key: string): string | undefined;
  write(key: string, code: string): void;
  /**
   * Optional: reads the code under `key` and runs it as a CommonJS module whose `require` is `requireIn`,
   * returning its exports (undefined when `read` would be): a store may run it faster than `new Function`
   * (the validator's keeps V8's code cache beside the code).
   */
  load?(key: string, requireIn: (id: string) => unknown): { default?: unknown } | undefined;
}

const require = createRequire(import.meta.url);
// ajv's standalone module is CommonJS; under NodeNext its default export arrives wrapped.
const standaloneCode = ((standaloneCodeImport as unknown as { default?: unknown }).default ?? standaloneCodeImport) as (
  ajv: Ajv,
  validate: ValidateFunction,
) => string;
/** Bump when what is stored, or how the key is made, changes. */
const STORE_FORMAT = 2;
const STORE_VERSIONS = ['ajv', 'ajv-formats'].map(
  (p) => `${p}@${(require(`${p}/package.json`) as { version: string }).version}`,
);
/** What the stored code requires for the formats: answered with the ajv instance's own formats when loading. */
const FORMATS_MODULE = '@cmsweb/kube-schemas:formats';

export interface KindRef {
  readonly apiVersion: string;
  readonly kind: string;
}

export interface SchemaValidator {
  readonly kubernetesVersion: string;
  readonly strict: boolean;
  readonly sources: readonly SchemaSource[];
  /** Violations of the resource's schema ([] = valid), or 'unknown-kind' when no source has its kind. */
  validate(resource: object): SchemaViolation[] | 'unknown-kind';
  /** Like validate, with an unknown kind reported as a 'schema-unknown-kind' violation. */
  validateOrReport(resource: object): SchemaViolation[];
  /** Loads and compiles ahead of time, also from sources that only load asynchronously. */
  warmUp(kinds: Iterable<KindRef>): Promise<void>;
  /** Name of the source that supplied the kind's schema, if any. */
  sourceOf(apiVersion: string, kind: string): string | undefined;
}

/** A compiled check of a whole object: ajv's validate function, or one composed of several (deferredFields). */
interface ObjectCheck {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

interface Compiled {
  readonly validate: ObjectCheck;
  readonly source: string;
  readonly fieldNote: FieldNote;
}
/** A kind's schema: compiled, none known (null), or one that failed to load or compile. */
type Entry = Compiled | null | { readonly unusable: string };

/** Drops what would make ajv resolve remote meta-schemas or reject a second schema with the same id. */
function forCompile(schema: JSONSchema): JSONSchema {
  const { $schema: _s, $id: _i, id: _d, ...rest } = schema;
  return rest;
}

/** Top-level fields of an object that every manifest carries: always compiled with the root. */
const EAGER_FIELDS = new Set(['apiVersion', 'kind', 'metadata', 'spec']);

/**
 * Splits off the top-level fields a manifest in a repository seldom carries (`status`, Argo CD's `operation`)
 * so they are compiled only when an object has them: Application's status schema alone is two thirds of its
 * CRD, and compiling it took ~0.8 s of every run. Schemas of the `$ref` form (built-in kinds) stay whole.
 */
function deferredFields(schema: JSONSchema): { root: JSONSchema; deferred: Array<[string, JSONSchema]> } {
  const properties = schema['properties'] as Record<string, JSONSchema> | undefined;
  if (!properties || typeof properties !== 'object') return { root: schema, deferred: [] };
  // A subschema with a $ref may point into the root's definitions: it stays with the root.
  const deferred = Object.entries(properties).filter(
    ([name, sub]) =>
      !EAGER_FIELDS.has(name) && sub && typeof sub === 'object' && !JSON.stringify(sub).includes('"$ref"'),
  );
  if (!deferred.length) return { root: schema, deferred: [] };
  // `true` keeps the field known (strict mode) while its own schema waits for an object that has it.
  const kept = Object.fromEntries(Object.entries(properties).map(([n, sub]) => [n, EAGER_FIELDS.has(n) ? sub : true]));
  return { root: { ...schema, properties: kept }, deferred };
}

/** The root's check followed by each deferred field's, compiled on the first object that has the field. */
function composeChecks(
  root: ObjectCheck,
  deferred: Array<[string, JSONSchema]>,
  compile: (schema: JSONSchema) => ObjectCheck,
): ObjectCheck {
  if (!deferred.length) return root;
  const compiled = new Map<string, ObjectCheck>();
  const pointers = deferred.map(([name]) => `/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`);
  const check: ObjectCheck = (data) => {
    let ok = root(data);
    const errors: ErrorObject[] = ok ? [] : [...(root.errors ?? [])];
    if (data && typeof data === 'object' && !Array.isArray(data)) {
      for (let i = 0; i < deferred.length; i++) {
        const [name, schema] = deferred[i]!;
        const value = (data as Record<string, unknown>)[name];
        if (value === undefined) continue;
        const pointer = pointers[i]!;
        let field = compiled.get(name);
        if (!field) {
          try {
            field = compile(schema);
          } catch (err) {
            // Fail closed, as an unusable schema does: a finding on the field, never a pass.
            field = Object.assign(() => false, {
              errors: [
                {
                  keyword: 'x-kubernetes-validations',
                  instancePath: '',
                  schemaPath: '',
                  params: {},
                  message: `the schema of field "${name}" does not compile (${(err as Error).message}): the field was not validated`,
                },
              ],
            });
          }
          compiled.set(name, field);
        }
        if (field(value)) continue;
        ok = false;
        for (const e of field.errors ?? [])
          errors.push({
            ...e,
            instancePath: pointer + e.instancePath,
            schemaPath: e.schemaPath.replace(/^#/, `#/properties${pointer}`),
          });
      }
    }
    check.errors = ok ? null : errors;
    return ok;
  };
  return check;
}

export function createSchemaValidator(options: SchemaValidatorOptions): SchemaValidator {
  const { kubernetesVersion } = options;
  if (!parseKubernetesVersion(kubernetesVersion)) {
    throw new Error(`invalid Kubernetes version "${kubernetesVersion}" (expected e.g. "1.33" or "v1.33.2")`);
  }
  const strict = options.strict ?? true;
  const locations = options.schemaLocations?.length ? options.schemaLocations : ['default'];
  if (
    !options.sources &&
    (locations.includes('default') || locations.every((l) => l.startsWith(CRD_LOCATION_PREFIX)))
  ) {
    const unsupported = supportedVersionError(kubernetesVersion);
    if (unsupported) throw new Error(unsupported);
  }
  const sources = options.sources ?? schemaSourcesFor(locations, { strict, cwd: options.cwd });
  const target = minorVersion(kubernetesVersion)!;
  const store = options.compiledSchemas;
  const ajvOptions = { allErrors: true, verbose: true, strict: false, logger: false } as const;
  const ajv = addCelRules(
    // code.optimize off: ajv's optimisation passes cost ~40% of compiling a pod-bearing kind and gain
    // nothing measurable in validation (20,000 documents of this repository's prod manifests).
    // With a store, ajv keeps each function's source, and its standalone code requires the formats from
    // FORMATS_MODULE, which loadStored answers with this instance's formats.
    addKubernetesFormats(
      new Ajv({
        ...ajvOptions,
        code: { optimize: false, ...(store ? { source: true, formats: _`require(${FORMATS_MODULE})` } : {}) },
      }),
    ),
  );
  const cache = new Map<string, Entry>();
  const shared = new SharedDefinitions(ajv);
  const storeKey = (part: string, schema: JSONSchema): string =>
    createHash('sha256')
      .update(JSON.stringify([STORE_FORMAT, STORE_VERSIONS, ajvOptions, part]))
      // Which formats exist and which only describe a type decides the code generated for a `format`.
      .update(JSON.stringify(Object.entries(ajv.formats).map(([n, f]) => [n, f === true ? true : typeof f])))
      .update('\0')
      .update(JSON.stringify(schema))
      .digest('hex');
  const loadStored = (key: string): ObjectCheck | undefined => {
    // The stored code requires the formats and the CEL rules' checks (cel-rules.ts) by these names.
    const requireIn = (id: string) =>
      id === FORMATS_MODULE ? ajv.formats : id === CEL_RULES_MODULE ? { rulesCheck } : require(id);
    try {
      let exports: { default?: unknown } | undefined;
      if (store?.load) exports = store.load(key, requireIn);
      else {
        const code = store?.read(key);
        if (code === undefined) return undefined;
        const module = { exports: {} as { default?: unknown } };
        new Function('require', 'module', 'exports', code)(requireIn, module, module.exports);
        exports = module.exports;
      }
      return typeof exports?.default === 'function' ? (exports.default as ObjectCheck) : undefined;
    } catch {
      return undefined; // compiled again below, and stored again
    }
  };

  /**
   * ajv.compile through the store: `part` names what `schema` is a part of (the source and kind, or the
   * deferred field), so that two identical subschemas never share an entry by accident of their text.
   */
  const compileStored = (part: string, schema: JSONSchema, compileIt: () => ValidateFunction): ObjectCheck => {
    if (!store) return compileIt();
    const key = storeKey(part, schema);
    const stored = loadStored(key);
    if (stored) return stored;
    const validate = compileIt();
    try {
      store.write(key, standaloneCode(ajv, validate));
    } catch {
      // a schema ajv cannot write as standalone code is compiled in each process
    }
    return validate;
  };

  const compile = (gvk: GroupVersionKind, schema: JSONSchema, source: SchemaSource): Compiled => {
    try {
      const fieldNote: FieldNote = (definition, field) => {
        const note = source.fieldNote?.(definition, field, kubernetesVersion);
        return note && `it does not exist in Kubernetes ${target}; ${note}`;
      };
      const part = `${source.name}:${gvkKey(gvk)}`;
      if (source.sharedDefinitions && SharedDefinitions.applies(schema)) {
        const namespace = String(sources.indexOf(source));
        // A stored function holds the code of the definitions it uses: they are registered only to compile.
        const validate = compileStored(`${part}:${namespace}`, schema, () =>
          ajv.compile(shared.rootFor(namespace, schema)!),
        );
        return { validate, source: source.name, fieldNote };
      }
      const split = source.crdSchemas ? deferredFields(forCompile(schema)) : { root: forCompile(schema), deferred: [] };
      const validate = composeChecks(
        compileStored(part, split.root, () => ajv.compile(split.root)),
        split.deferred,
        (sub) => compileStored(part, sub, () => ajv.compile(sub)),
      );
      return { validate, source: source.name, fieldNote };
    } catch (err) {
      throw new Error(`schema for ${gvkKey(gvk)} from ${source.name} does not compile: ${(err as Error).message}`);
    }
  };

  // A schema file that cannot be read, parsed or compiled (a --schema-location is user input) makes the
  // objects of its kind unvalidatable: a finding on each of them, like kubeconform's per-resource error,
  // never an internal error that stops the whole run.
  const loadWith = (gvk: GroupVersionKind, load: (source: SchemaSource) => JSONSchema | undefined): Entry => {
    try {
      for (const source of sources) {
        const schema = load(source);
        if (schema) return compile(gvk, schema, source);
      }
      return null;
    } catch (err) {
      return { unusable: (err as Error).message };
    }
  };

  const lookupSync = (gvk: GroupVersionKind): Entry => {
    const key = gvkKey(gvk);
    let hit = cache.get(key);
    if (hit === undefined) {
      hit = loadWith(gvk, (source) => source.loadSync?.(gvk, kubernetesVersion));
      cache.set(key, hit);
    }
    return hit;
  };

  // The entry of each apiVersion and kind seen, by the two strings as they appear (no GVK object per object).
  const byTypeMeta = new Map<string, Entry>();
  const validate = (resource: object): SchemaViolation[] | 'unknown-kind' => {
    const { apiVersion, kind } = (resource ?? {}) as { apiVersion?: unknown; kind?: unknown };
    let compiled: Entry | undefined;
    if (typeof apiVersion === 'string' && typeof kind === 'string' && !Array.isArray(resource)) {
      const key = `${apiVersion}\n${kind}`;
      compiled = byTypeMeta.get(key);
      if (compiled === undefined) {
        const gvk = gvkOfResource(resource);
        if (!gvk) return typeMetaViolations(resource);
        byTypeMeta.set(key, (compiled = lookupSync(gvk)));
      }
    } else {
      const gvk = gvkOfResource(resource);
      if (!gvk) return typeMetaViolations(resource);
      compiled = lookupSync(gvk);
    }
    if (!compiled) return 'unknown-kind';
    if ('unusable' in compiled) {
      const gvk = gvkOfResource(resource)!;
      return [
        {
          path: '/kind',
          message: `the schema for ${apiVersionOf(gvk)} ${gvk.kind} cannot be used (${compiled.unusable}): the object was not validated; fix that schema file or leave out its --schema-location`,
          check: 'schema-unusable',
        },
      ];
    }
    return compiled.validate(resource) ? [] : toViolations(compiled.validate.errors, compiled.fieldNote);
  };

  return {
    kubernetesVersion,
    strict,
    sources,
    validate,
    validateOrReport(resource) {
      const result = validate(resource);
      return result === 'unknown-kind'
        ? [unknownKindViolation(resource as KindRef, kubernetesVersion, sources)]
        : result;
    },
    async warmUp(kinds) {
      // What a kind resolves to may change below (a schema only an async source has): look it up again.
      byTypeMeta.clear();
      for (const { apiVersion, kind } of kinds) {
        const gvk = toGvk(apiVersion, kind);
        const key = gvkKey(gvk);
        if (cache.get(key)) continue;
        let hit: Entry = null;
        try {
          for (const source of sources) {
            const schema = await source.load(gvk, kubernetesVersion);
            if (schema) {
              hit = compile(gvk, schema, source);
              break;
            }
          }
        } catch (err) {
          hit = { unusable: (err as Error).message };
        }
        cache.set(key, hit);
      }
    },
    sourceOf(apiVersion, kind) {
      const hit = lookupSync(toGvk(apiVersion, kind));
      return hit && 'source' in hit ? hit.source : undefined;
    },
  };
}

/** A resource without usable apiVersion/kind cannot be matched to any schema. */
function typeMetaViolations(resource: unknown): SchemaViolation[] {
  if (!resource || typeof resource !== 'object' || Array.isArray(resource)) {
    return [
      {
        path: '',
        message: `expected a Kubernetes object, got ${Array.isArray(resource) ? 'array' : typeof resource}`,
        check: 'schema-type',
      },
    ];
  }
  const out: SchemaViolation[] = [];
  for (const field of ['apiVersion', 'kind'] as const) {
    const value = (resource as Record<string, unknown>)[field];
    if (value === undefined || value === null || value === '') {
      out.push({ path: `/${field}`, message: `missing required field "${field}"`, check: 'schema-required' });
    } else if (typeof value !== 'string') {
      out.push({ path: `/${field}`, message: `expected string, got ${typeof value}`, check: 'schema-type' });
    }
  }
  return out;
}

export function unknownKindViolation(
  resource: KindRef,
  kubernetesVersion: string,
  sources: readonly SchemaSource[],
): SchemaViolation {
  const { apiVersion, kind } = resource;
  const lifecycle = checkApiVersion(apiVersion, kind, kubernetesVersion);
  const gvk = toGvk(apiVersion, kind);
  const note = sources.map((s) => s.kindNote?.(gvk, kubernetesVersion)).find(Boolean);
  const why = lifecycle.status === 'removed' ? `: ${lifecycle.message}` : note ? `: ${note}` : '';
  const where = sources.map((s) => s.name).join(', ');
  const served = (k: GroupVersionKind) =>
    checkApiVersion(apiVersionOf(k), k.kind, kubernetesVersion).status !== 'removed';
  const known = sources.flatMap((s) => s.kinds?.(kubernetesVersion) ?? []).filter(served);
  const sameKind = [...new Set(known.filter((k) => k.kind === kind).map((k) => `${apiVersionOf(k)} ${k.kind}`))];
  const closeKind = sameKind.length ? undefined : didYouMean(kind, [...new Set(known.map((k) => k.kind))]);
  const hint = sameKind.length
    ? `; known: ${sameKind.sort().join(', ')}`
    : closeKind
      ? ` (did you mean kind "${closeKind}"?)`
      : '';
  return {
    path: '/kind',
    message: `no schema for ${apiVersion} ${kind} in Kubernetes ${kubernetesVersion} (looked in: ${where})${why}${hint}`,
    check: 'schema-unknown-kind',
  };
}

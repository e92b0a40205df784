import { Ajv, type AnySchema, type ValidateFunction } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { _ } from 'ajv/dist/compile/codegen/index.js';
import standaloneCodeImport from 'ajv/dist/standalone/index.js';
import addFormatsImport from 'ajv-formats';
import { loadCompiledSchema, schemaCacheDir, schemaCacheKey, storeCompiledSchema } from './compiled-schema-cache.js';

// ajv-formats and ajv's standalone module are CommonJS; under NodeNext their default exports arrive wrapped.
const addFormats = addFormatsImport as unknown as typeof addFormatsImport.default;
const standaloneCode = standaloneCodeImport as unknown as typeof standaloneCodeImport.default;

const OPTIONS = { allErrors: true, strict: false, verbose: true, validateFormats: true } as const;
/** What the standalone code requires for the formats addFormats gives (its default, "full" mode). */
const FORMATS_CODE = _`require("ajv-formats/dist/formats").fullFormats`;

/**
 * Compiles a chart's values schema with the draft its $schema names (draft-07 by default, as Helm 3). The
 * code ajv generates is kept on disk (compiled-schema-cache.ts): the next process loads it instead of
 * compiling again; the function is the same either way.
 */
export function compileJsonSchema(schema: AnySchema): ValidateFunction {
  const draft =
    typeof schema === 'object' && schema !== null ? String((schema as Record<string, unknown>).$schema ?? '') : '';
  const dir = schemaCacheDir();
  const key = dir && schemaCacheKey(JSON.stringify(schema), draft, OPTIONS);
  const cached = dir && key ? loadCompiledSchema(dir, key) : undefined;
  if (cached) return cached;
  const options = dir ? { ...OPTIONS, code: { source: true, formats: FORMATS_CODE } } : OPTIONS;
  const ajv = /2020-12/.test(draft)
    ? new Ajv2020(options)
    : /2019-09/.test(draft)
      ? new Ajv2019(options)
      : new Ajv(options);
  addFormats(ajv);
  const validate = ajv.compile(schema);
  if (dir && key) storeCompiledSchema(dir, key, standaloneCode(ajv, validate));
  return validate;
}

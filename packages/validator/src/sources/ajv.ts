import { Ajv, type AnySchema, type ValidateFunction } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsImport from 'ajv-formats';

// ajv-formats is CommonJS; under NodeNext its default export arrives wrapped.
const addFormats = addFormatsImport as unknown as typeof addFormatsImport.default;

/** Compiles a chart's values schema with the draft its $schema names (draft-07 by default, as Helm 3). */
export function compileJsonSchema(schema: AnySchema): ValidateFunction {
  const draft =
    typeof schema === 'object' && schema !== null ? String((schema as Record<string, unknown>).$schema ?? '') : '';
  const options = { allErrors: true, strict: false, verbose: true, validateFormats: true } as const;
  const ajv = /2020-12/.test(draft)
    ? new Ajv2020(options)
    : /2019-09/.test(draft)
      ? new Ajv2019(options)
      : new Ajv(options);
  addFormats(ajv);
  return ajv.compile(schema);
}

import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomicSync } from '@cmsweb/toolkit';
import type { ValidateFunction } from 'ajv';

// Shell: compiled values schemas kept on disk as ajv standalone code. Every generated chart shares one ~45 KB
// values.schema.json whose compilation costs 0.3-0.6 CPU s, paid twice per process (the chart lint on the
// main thread, helm's values check in the render worker): most of a one-service `validate` target. Loading
// the code ajv generated for it takes ~40 ms. The key holds everything that shapes the code (ajv and
// ajv-formats versions, the draft, the options, the schema), so a hit is the function a compile would give;
// each file carries the sha256 of its code, so a torn or edited file is a miss, never a wrong check.

const require = createRequire(import.meta.url);
const VERSIONS = ['ajv', 'ajv-formats'].map(
  (p) => `${p}@${(require(`${p}/package.json`) as { version: string }).version}`,
);
/** The cache's own format: bump when the stored code or the options of compileJsonSchema change. */
const FORMAT = 1;

/**
 * Where compiled schemas are kept: `VALIDATOR_SCHEMA_CACHE` (a directory, or `off`), else
 * `node_modules/.cache/validator-schemas` beside the validator's package, which the user installing the tools
 * owns (the code found there is run: never a shared or world-writable directory such as /tmp).
 */
export function schemaCacheDir(): string | undefined {
  const env = process.env.VALIDATOR_SCHEMA_CACHE;
  if (env === 'off') return undefined;
  if (env) return env;
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'node_modules', '.cache', 'validator-schemas');
}

/** Pure: the cache key of a schema compiled with the given draft and options. */
export function schemaCacheKey(schemaText: string, draft: string, options: object): string {
  return createHash('sha256')
    .update(JSON.stringify([FORMAT, VERSIONS, draft, options]))
    .update('\0')
    .update(schemaText)
    .digest('hex');
}

const digest = (code: string) => createHash('sha256').update(code).digest('hex');

/** The code stored under `key`, or undefined (absent, unreadable, or not matching its digest). */
export function readCompiledCode(dir: string, key: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(join(dir, `${key}.js`), 'utf8');
  } catch {
    return undefined;
  }
  const nl = text.indexOf('\n');
  const code = text.slice(nl + 1);
  return nl < 0 || text.slice(0, nl) !== `// sha256:${digest(code)}` ? undefined : code;
}

/**
 * The store of @cmsweb/kube-schemas's compiled Kubernetes schemas in `dir`: the same files and checks as the
 * values schemas' (kube-schemas keys them by everything that shapes its code, and loads them itself).
 */
export function compiledSchemaStore(dir: string): {
  read(key: string): string | undefined;
  write(key: string, code: string): void;
} {
  return { read: (key) => readCompiledCode(dir, key), write: (key, code) => storeCompiledSchema(dir, key, code) };
}

/** The function stored under `key`, or undefined (absent, unreadable, or its code does not match its digest). */
export function loadCompiledSchema(dir: string, key: string): ValidateFunction | undefined {
  const code = readCompiledCode(dir, key);
  if (code === undefined) return undefined;
  try {
    const module = { exports: {} as { default?: ValidateFunction } };
    // ajv's own way of running standalone code: a CommonJS module whose requires are ajv's runtime helpers.
    new Function('require', 'module', 'exports', code)(require, module, module.exports);
    return typeof module.exports.default === 'function' ? module.exports.default : undefined;
  } catch {
    return undefined;
  }
}

/** Keeps `code` under `key`; the cache is an optimisation, so a directory that cannot be written is ignored. */
export function storeCompiledSchema(dir: string, key: string, code: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    writeFileAtomicSync(join(dir, `${key}.js`), `// sha256:${digest(code)}\n${code}`, { syncDirectory: false });
  } catch {
    // read-only install, full disk: the next process compiles again
  }
}

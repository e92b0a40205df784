import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';
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

const digest = (code: string | Uint8Array) => createHash('sha256').update(code).digest('hex');

// V8's code cache of each stored module, `<key>.v8` beside `<key>.js`: the stored code is up to 900 KB of
// JavaScript, and parsing it and compiling its functions on their first call cost ~100 ms CPU per schema and
// thread (the values schema is loaded on the main thread and in the render thread; then the Kubernetes kinds
// of one service), about a tenth of a one-service run. With the cache V8 takes the compiled functions as they
// were at the end of the run that wrote it. V8 checks only the code's length against a cache, so the file
// starts with the digest of the code it was made for and the digest of its own bytes: any other code, or a
// torn or edited file, is not given to V8 (then the code is compiled as without a cache, and the cache written
// again at exit).
const V8_HEADER = 128; // two hex sha256 digests

/** Scripts run without a usable code cache this process: their cache is written at exit, once their functions ran. */
const pendingCaches = new Map<string, { script: Script; codeDigest: string }>();
let exitHook = false;

/** The code cache in `file` when it was made for the code of digest `codeDigest` and is intact (exported for the tests). */
export function readCodeCache(file: string, codeDigest: string): Buffer | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    return undefined;
  }
  if (bytes.length <= V8_HEADER) return undefined;
  const head = bytes.subarray(0, V8_HEADER).toString('latin1');
  const data = bytes.subarray(V8_HEADER);
  return head === `${codeDigest}${digest(data)}` ? data : undefined;
}

/** Writes the code caches of this process's pending scripts (at exit; exported for the tests): how many. */
export function writeCodeCaches(): number {
  const count = pendingCaches.size;
  for (const [file, { script, codeDigest }] of pendingCaches) {
    try {
      const data = script.createCachedData();
      writeFileAtomicSync(file, Buffer.concat([Buffer.from(`${codeDigest}${digest(data)}`, 'latin1'), data]), {
        syncDirectory: false,
      });
    } catch {
      // read-only install, full disk: the next process compiles again
    }
  }
  pendingCaches.clear();
  return count;
}

/**
 * Runs stored standalone code the way ajv's standalone modules run (CommonJS, `require` answering its runtime
 * helpers) through V8's code cache kept beside it; its module.exports.
 */
export function runStoredModule(
  dir: string,
  key: string,
  code: string,
  requireIn: (id: string) => unknown,
  codeDigest: string = digest(code),
): { default?: unknown } {
  const cacheFile = join(dir, `${key}.v8`);
  const cachedData = readCodeCache(cacheFile, codeDigest);
  const script = new Script(`(function (require, module, exports) {${code}\n})`, {
    filename: join(dir, `${key}.js`),
    ...(cachedData ? { cachedData } : {}),
  });
  const module = { exports: {} as { default?: unknown } };
  (script.runInThisContext() as (r: unknown, m: unknown, e: unknown) => void)(requireIn, module, module.exports);
  if (!cachedData || script.cachedDataRejected) {
    pendingCaches.set(cacheFile, { script, codeDigest });
    if (!exitHook) {
      exitHook = true;
      process.once('exit', () => writeCodeCaches());
    }
  }
  return module.exports;
}

/** The code stored under `key` and its digest, or undefined (absent, unreadable, or not matching its digest). */
function readVerified(dir: string, key: string): { code: string; sha: string } | undefined {
  let text: string;
  try {
    text = readFileSync(join(dir, `${key}.js`), 'utf8');
  } catch {
    return undefined;
  }
  const nl = text.indexOf('\n');
  const code = text.slice(nl + 1);
  const sha = digest(code);
  return nl < 0 || text.slice(0, nl) !== `// sha256:${sha}` ? undefined : { code, sha };
}

/** The code stored under `key`, or undefined (absent, unreadable, or not matching its digest). */
export function readCompiledCode(dir: string, key: string): string | undefined {
  return readVerified(dir, key)?.code;
}

/**
 * The store of @cmsweb/kube-schemas's compiled Kubernetes schemas in `dir`: the same files and checks as the
 * values schemas' (kube-schemas keys them by everything that shapes its code, and loads them itself).
 */
export function compiledSchemaStore(dir: string): {
  read(key: string): string | undefined;
  write(key: string, code: string): void;
  load(key: string, requireIn: (id: string) => unknown): { default?: unknown } | undefined;
} {
  return {
    read: (key) => readCompiledCode(dir, key),
    write: (key, code) => storeCompiledSchema(dir, key, code),
    load: (key, requireIn) => {
      const stored = readVerified(dir, key);
      return stored && runStoredModule(dir, key, stored.code, requireIn, stored.sha);
    },
  };
}

/** The function stored under `key`, or undefined (absent, unreadable, or its code does not match its digest). */
export function loadCompiledSchema(dir: string, key: string): ValidateFunction | undefined {
  const stored = readVerified(dir, key);
  if (stored === undefined) return undefined;
  try {
    // ajv's own way of running standalone code: a CommonJS module whose requires are ajv's runtime helpers.
    const exports = runStoredModule(dir, key, stored.code, require, stored.sha);
    return typeof exports.default === 'function' ? (exports.default as ValidateFunction) : undefined;
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

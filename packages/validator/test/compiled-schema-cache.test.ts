// The on-disk cache of compiled values schemas (src/sources/compiled-schema-cache.ts): a hit must be the very
// function a compile gives (same verdicts, same error objects), a damaged file must be a miss, never a wrong
// check, and `VALIDATOR_SCHEMA_CACHE=off` must leave no file.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compileJsonSchema } from '../src/sources/ajv.js';
import { createHash } from 'node:crypto';
import {
  loadCompiledSchema,
  readCodeCache,
  readCompiledCode,
  writeCodeCaches,
} from '../src/sources/compiled-schema-cache.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
/** The values schema every generated chart carries (formats, enums, patterns, nested objects). */
const generated = JSON.parse(readFileSync(join(ROOT, 'charts', 'dbs', 'values.schema.json'), 'utf8'));

const draft2020 = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  additionalProperties: false,
  properties: {
    host: { type: 'string', format: 'hostname' },
    ports: { type: 'array', prefixItems: [{ type: 'integer', minimum: 1 }], items: false },
    mail: { type: 'string', format: 'email' },
  },
};

const samples = [
  {},
  { replicaCount: 'two', image: { tag: 5 }, unknownKey: true },
  { resources: { limits: { cpu: [] } }, service: { port: 70000 } },
  { host: 'not a host!', ports: [0, 2], mail: 'nobody' },
  { host: 'example.org', ports: [443], mail: 'a@example.org' },
];

/** Verdicts and errors of a validate function on every sample. */
const judge = (schema: object) => {
  const validate = compileJsonSchema(schema);
  return samples.map((s) => [validate(structuredClone(s)), validate.errors ?? null]);
};

let dir: string;
const saved = process.env.VALIDATOR_SCHEMA_CACHE;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'schema-cache-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
  if (saved === undefined) delete process.env.VALIDATOR_SCHEMA_CACHE;
  else process.env.VALIDATOR_SCHEMA_CACHE = saved;
});

describe('compiled values-schema cache', () => {
  it.each([
    ['the generated charts’ schema (draft-07)', generated],
    ['a draft 2020-12 schema with formats', draft2020],
  ])('a schema loaded from the cache judges exactly as a fresh compile: %s', (_name, schema) => {
    process.env.VALIDATOR_SCHEMA_CACHE = 'off';
    const fresh = judge(schema);
    expect(readdirSync(dir)).toEqual([]);
    process.env.VALIDATOR_SCHEMA_CACHE = dir;
    const compiled = judge(schema); // a miss: compiles and stores the code
    const files = readdirSync(dir);
    expect(files).toHaveLength(1);
    const loaded = loadCompiledSchema(dir, files[0]!.replace(/\.js$/, ''));
    expect(loaded).toBeTypeOf('function');
    const cached = judge(schema); // a hit
    expect(compiled).toEqual(fresh);
    expect(cached).toEqual(fresh);
    expect(fresh.some(([ok]) => ok === false)).toBe(true);
  });

  it('a file whose code does not match its digest is a miss, and is written again', () => {
    process.env.VALIDATOR_SCHEMA_CACHE = dir;
    const before = judge(draft2020);
    const [file] = readdirSync(dir);
    const path = join(dir, file!);
    const text = readFileSync(path, 'utf8');
    // A check that accepts everything, under the old digest line: must never be run.
    writeFileSync(path, `${text.split('\n')[0]}\nmodule.exports.default = () => true;\n`);
    expect(loadCompiledSchema(dir, file!.replace(/\.js$/, ''))).toBeUndefined();
    expect(judge(draft2020)).toEqual(before);
    expect(readFileSync(path, 'utf8')).toBe(text);
  });

  it('another schema is another key; an unwritable cache directory only costs a compile', () => {
    process.env.VALIDATOR_SCHEMA_CACHE = dir;
    judge(draft2020);
    judge({ ...draft2020, required: ['host'] });
    expect(readdirSync(dir)).toHaveLength(2);
    process.env.VALIDATOR_SCHEMA_CACHE = join(dir, readdirSync(dir)[0]!, 'below-a-file');
    expect(judge(draft2020)).toEqual(judge(draft2020));
  });

  it('V8’s code cache of loaded code is written beside it, then used, only for that very code and intact', () => {
    process.env.VALIDATOR_SCHEMA_CACHE = dir;
    writeCodeCaches(); // what earlier tests left pending (their directories are gone)
    const fresh = judge(generated); // a miss: compiled, its code stored
    const [file] = readdirSync(dir);
    const key = file!.replace(/\.js$/, '');
    expect(judge(generated)).toEqual(fresh); // loaded from the store, without a code cache yet
    expect(writeCodeCaches(), 'one script ran without a code cache').toBe(1);
    const v8 = join(dir, `${key}.v8`);
    expect(readdirSync(dir).sort()).toEqual([`${key}.js`, `${key}.v8`]);
    const code = readCompiledCode(dir, key)!;
    const sha = (t: string) => createHash('sha256').update(t).digest('hex');
    expect(readCodeCache(v8, sha(code))).toBeInstanceOf(Buffer);
    // Loaded with it: V8 took it (nothing left to write) and the verdicts and errors are the same.
    expect(judge(generated)).toEqual(fresh);
    expect(writeCodeCaches(), 'the cache was accepted').toBe(0);
    // V8 checks only the length of the code against a cache: a cache made for other code is never given to it.
    expect(readCodeCache(v8, sha(`${code} `))).toBeUndefined();
    // A flipped byte: not given to V8; the code compiles as without a cache, and the cache is written again.
    const bytes = readFileSync(v8);
    bytes[bytes.length - 1]! ^= 1;
    writeFileSync(v8, bytes);
    expect(readCodeCache(v8, sha(code))).toBeUndefined();
    expect(judge(generated)).toEqual(fresh);
    expect(writeCodeCaches()).toBe(1);
    expect(readCodeCache(v8, sha(code))).toBeInstanceOf(Buffer);
  });
});

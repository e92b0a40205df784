// Reads the generated model files of @kubernetes/client-node as data: every model's `attributeTypeMap`
// (JSON field name, type, format) and, from its .d.ts, which fields are required (no `?`). The package's
// JavaScript is never imported: loading the whole client costs time and memory we do not need.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export interface ModelField {
  /** Field name in JSON (the model's `baseName`, e.g. "$ref"). */
  readonly json: string;
  /** Type as the generator wrote it: 'string', 'Array<V1Container>', '{ [key: string]: string; }', ... */
  readonly type: string;
  /** OpenAPI format: int32, int64, double, byte, date-time, date-time-micro, int-or-string, or ''. */
  readonly format: string;
  readonly required: boolean;
}

export interface ModelInfo {
  readonly name: string;
  readonly fields: readonly ModelField[];
}

export type ModelReader = (name: string) => ModelInfo | undefined;

/** The client's package directory (as installed by npm ci). */
export function clientNodeDir(): string {
  const require = createRequire(import.meta.url);
  return dirname(require.resolve('@kubernetes/client-node/package.json'));
}

interface RawAttribute {
  name: string;
  baseName: string;
  type: string;
  format: string;
}

/** Parses one model from its .js and .d.ts text; undefined when the text holds no attribute map. */
export function parseModel(name: string, js: string, dts: string): ModelInfo | undefined {
  const map = /\.attributeTypeMap = (\[[\s\S]*?\n\]);/.exec(js);
  if (!map?.[1]) return undefined;
  const attributes = JSON.parse(map[1]) as RawAttribute[];
  const optional = new Set<string>();
  const required = new Set<string>();
  for (const m of dts.matchAll(/^\s+'([^']+)'(\?)?:/gm)) (m[2] ? optional : required).add(m[1]!);
  return {
    name,
    fields: attributes.map((a) => ({
      json: a.baseName,
      type: a.type,
      format: a.format,
      required: required.has(a.name) && !optional.has(a.name),
    })),
  };
}

/** A cached reader over the installed client's models directory. */
export function createModelReader(dir = join(clientNodeDir(), 'dist', 'gen', 'models')): ModelReader {
  const cache = new Map<string, ModelInfo | undefined>();
  return (name) => {
    if (cache.has(name)) return cache.get(name);
    let model: ModelInfo | undefined;
    const js = join(dir, `${name}.js`);
    // Model names come from the client's own files; the guard keeps odd input from escaping the directory.
    if (/^\w+$/.test(name) && existsSync(js)) {
      model = parseModel(name, readFileSync(js, 'utf8'), readFileSync(join(dir, `${name}.d.ts`), 'utf8'));
    }
    cache.set(name, model);
    return model;
  };
}

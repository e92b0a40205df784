import { locate, parseYaml, type ParsedYaml } from '@cmsweb/yaml';
import type { Resource } from '../resources.js';
import type { Chunk, PlainResource } from './chunk-checks.js';

/**
 * Pure: resources back from plain data. Positions are found by parsing the chunk again, only when a
 * finding asks for one (cross-object findings are few; keeping every syntax tree would cost memory).
 */
export function rehydrate(plain: PlainResource[], chunks: ReadonlyMap<number, Chunk>): Resource[] {
  const parsed = new Map<number, ParsedYaml>();
  return plain.map((p) => {
    const chunk = chunks.get(p.chunk)!;
    return {
      object: p.object,
      ref: p.ref,
      source: {
        file: chunk.file,
        locate: (path) => {
          let doc = parsed.get(chunk.id);
          if (!doc) parsed.set(chunk.id, (doc = parseYaml(chunk.text, chunk.file)));
          const loc = locate(doc, p.docIndex, [...p.base, ...path]);
          return { line: loc.line + chunk.startLine - 1, column: loc.column };
        },
      },
    };
  });
}

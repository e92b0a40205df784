import { locate, parseYaml, type ParsedYaml } from '@cmsweb/yaml';
import type { Resource } from '../resources.js';
import type { Chunk, PlainResource } from './chunk-checks.js';
import { fastLoad } from './fast-parse.js';
import { textLocator } from './text-locate.js';

/**
 * Pure but for `chunkOf` (which may read a file again): resources back from plain data. Positions are found only when a finding asks for one (cross-object
 * findings are few; keeping every syntax tree would cost memory): read from the text (text-locate.ts) for
 * a one-document chunk the fast path accepts, else by parsing the chunk again.
 */
export function rehydrate(
  plain: PlainResource[],
  refs: ReadonlyArray<{ file: string }>,
  chunkOf: (id: number) => Chunk,
): Resource[] {
  const parsed = new Map<number, ParsedYaml>();
  // Texts of the chunks positions were asked of (few: the chunks with a cross-object finding).
  const texts = new Map<number, Chunk>();
  return plain.map((p) => ({
    object: p.object,
    ref: p.ref,
    source: {
      file: refs[p.chunk]!.file,
      locate: (path) => {
        let chunk = texts.get(p.chunk);
        if (!chunk) texts.set(p.chunk, (chunk = chunkOf(p.chunk)));
        const full = [...p.base, ...path];
        if (p.docIndex === 0 && fastLoad(chunk.text)) {
          const at = textLocator(chunk.text)(full);
          if (at) return { line: at.line + chunk.startLine - 1, column: at.column };
        }
        let doc = parsed.get(chunk.id);
        if (!doc) parsed.set(chunk.id, (doc = parseYaml(chunk.text, chunk.file)));
        const loc = locate(doc, p.docIndex, full);
        return { line: loc.line + chunk.startLine - 1, column: loc.column };
      },
    },
  }));
}

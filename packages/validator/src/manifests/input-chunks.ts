import type { Chunk } from './chunk-checks.js';
import { openFileInput, type FileInput, type ManifestInput, type OpenedFile } from './read-inputs.js';
import { splitDocuments } from './split-documents.js';

/** A chunk without its text (see Chunk): what is kept of every document for the whole run. */
export type ChunkRef = Omit<Chunk, 'text'>;

/** The documents of all inputs, numbered in order, and their texts on demand. */
export interface InputChunks {
  refs: ChunkRef[];
  /** The chunks of these refs with their texts: kept texts, or read again from their files. */
  texts(refs: readonly ChunkRef[]): Chunk[];
  /** Closes the files opened to read texts again. */
  close(): void;
}

/**
 * Shell (it reads files again): chunks of every input. An input held as text keeps its chunks' texts; a
 * file on disk has its documents read again, a batch at a time, when they are needed (openFileInput).
 */
export function inputChunks(inputs: readonly ManifestInput[]): InputChunks {
  const refs: ChunkRef[] = [];
  // Per chunk: its kept text, or its file and document index.
  const kept: Array<string | undefined> = [];
  const where: Array<{ input: number; doc: number } | undefined> = [];
  inputs.forEach((input, i) => {
    if ('text' in input) {
      for (const c of splitDocuments(input.text)) {
        kept[refs.length] = c.text;
        refs.push({ id: refs.length, file: input.path, startLine: c.startLine });
      }
    } else {
      input.documents.forEach((d, doc) => {
        where[refs.length] = { input: i, doc };
        refs.push({ id: refs.length, file: input.path, startLine: d.startLine });
      });
    }
  });
  const opened = new Map<number, OpenedFile>();
  return {
    refs,
    close() {
      for (const f of opened.values()) f.close();
      opened.clear();
    },
    texts(wanted) {
      const text = new Map<number, string>();
      // One read per file for the documents of it that are wanted (a batch is a run of neighbours).
      const byInput = new Map<number, Array<{ id: number; doc: number }>>();
      for (const r of wanted) {
        const w = where[r.id];
        if (!w) continue;
        let list = byInput.get(w.input);
        if (!list) byInput.set(w.input, (list = []));
        list.push({ id: r.id, doc: w.doc });
      }
      for (const [i, list] of byInput) {
        list.sort((a, b) => a.doc - b.doc);
        let file = opened.get(i);
        if (!file) opened.set(i, (file = openFileInput(inputs[i] as FileInput)));
        const read = file.read(list.map((l) => l.doc));
        list.forEach((l, k) => text.set(l.id, read[k]!));
      }
      return wanted.map((r) => ({ ...r, text: kept[r.id] ?? text.get(r.id)! }));
    },
  };
}

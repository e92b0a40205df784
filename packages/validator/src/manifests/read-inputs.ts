import { isAscii } from 'node:buffer';
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { lstat, readdir, stat } from 'node:fs/promises';
import { checkUtf8, RefusedFileError, scanSafeBytes } from '@cmsweb/yaml';
import { join } from 'node:path';
import { mapLimit } from '@cmsweb/toolkit';
import { UsageError } from '../errors.js';
import { DocumentSplitter, type DocumentRange } from './split-documents.js';

/** An input held as text (standard input, tests). */
export interface InputFile {
  /** As shown in findings: the path as given (or under the directory given), or "-" for standard input. */
  path: string;
  text: string;
}

/**
 * A manifest file on disk, split into documents by byte range when it was read (and checked: strict UTF-8).
 * Its text is not kept: each document is read again when its batch is checked or a finding needs its
 * position, so memory does not grow with the input (a 29 MB input was a 29 MB string for the whole run).
 */
export interface FileInput {
  /** As shown in findings: the path as given or under the directory given. */
  path: string;
  /** Where it really is (symlinks resolved), and what it was when read: read again, it must be the same file. */
  real: string;
  stat: Stats;
  /** Byte ranges of its documents, after a byte order mark if there was one (`offset`). */
  documents: DocumentRange[];
  offset: number;
}

export type ManifestInput = InputFile | FileInput;

const MANIFEST = /\.(ya?ml|json)$/i;

/** Files read at once (reads overlap with each other, not with parsing). */
const READ_CONCURRENCY = 16;

/** Reads a whole stream as bytes and decodes once, so no multi-byte character or line is ever split. */
export async function readStream(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

async function walk(dir: string, out: string[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const p = join(dir, e.name);
    if (e.isDirectory()) await walk(p, out);
    else if (e.isFile() && MANIFEST.test(e.name)) out.push(p);
  }
}

/**
 * Shell: files, directories (recursively: *.yaml, *.yml, *.json) or "-" for standard input, in the order
 * given. Files are read concurrently; standard input is read completely, once per "-", in order.
 */
export async function readInputs(
  paths: string[],
  stdin: NodeJS.ReadableStream = process.stdin,
): Promise<ManifestInput[]> {
  const files: string[] = [];
  const piped = new Map<number, string>();
  for (const p of paths) {
    if (p === '-') {
      piped.set(files.length, await readStream(stdin));
      files.push('-');
      continue;
    }
    const s = await lstat(p)
      .then((l) => (l.isSymbolicLink() ? stat(p) : l))
      .catch(() => undefined);
    if (!s)
      throw new UsageError(
        `${p}: no such file or directory, or a dangling symlink (expected manifest files, directories, or - for standard input)`,
      );
    if (s.isDirectory()) await walk(p, files);
    else files.push(p);
  }
  return mapLimit(
    files,
    async (path, i): Promise<ManifestInput> => {
      const text = piped.get(i);
      return text === undefined ? readInput(path) : { path, text };
    },
    READ_CONCURRENCY,
  );
}

/** Shell: a manifest file through the safe reader: FIFOs, devices, loops and invalid UTF-8 are bad input (exit 2). */
function readInput(path: string): FileInput {
  try {
    // Split as it is read, a block at a time: the file is never held whole.
    const splitter = new DocumentSplitter();
    const read = scanSafeBytes(path, (block) => splitter.feed(block));
    if (read === undefined) throw new UsageError(`${path}: no such file (it disappeared while being read)`);
    return { path, real: read.real, stat: read.stat, documents: splitter.finish(), offset: read.offset };
  } catch (e) {
    if (e instanceof RefusedFileError)
      throw new UsageError(`${e.message} (expected manifest files, directories, or - for standard input)`);
    throw e;
  }
}

/** An open manifest file whose documents are read again (see FileInput); close it when done. */
export interface OpenedFile {
  /** The texts of some of its documents (`indexes` into its documents, ascending), in one read of the bytes they span. */
  read(indexes: readonly number[]): string[];
  close(): void;
}

/**
 * Shell: a file read before, opened again to read its documents. The file must stay as it was at every
 * read: the same file, size, modification and change times (a write changes the change time, which no
 * user can set back), and the bytes still UTF-8; otherwise it changed while being validated, and the run is
 * refused (findings from two versions of a file would be wrong) rather than report on a mix.
 */
export function openFileInput(input: FileInput): OpenedFile {
  const changed = () =>
    new UsageError(`${input.path}: changed while being validated (expected it to stay as it was read): run again`);
  let fd: number;
  try {
    fd = openSync(input.real, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  } catch {
    throw changed();
  }
  return {
    read(indexes) {
      if (indexes.length === 0) return [];
      const s = fstatSync(fd);
      const was = input.stat;
      if (
        s.ino !== was.ino ||
        s.dev !== was.dev ||
        s.size !== was.size ||
        s.mtimeMs !== was.mtimeMs ||
        s.ctimeMs !== was.ctimeMs
      )
        throw changed();
      const first = input.documents[indexes[0]!]!;
      const last = input.documents[indexes[indexes.length - 1]!]!;
      const span = Buffer.allocUnsafe(last.end - first.start);
      let n = 0;
      while (n < span.length) {
        const r = readSync(fd, span, n, span.length - n, input.offset + first.start + n);
        if (r === 0) throw changed();
        n += r;
      }
      // Mostly ASCII: then the span is decoded once and each document is a slice of it (bytes are characters).
      if (isAscii(span)) {
        const text = span.toString('latin1');
        return indexes.map((i) => {
          const d = input.documents[i]!;
          return text.slice(d.start - first.start, d.end - first.start);
        });
      }
      return indexes.map((i) => {
        const d = input.documents[i]!;
        try {
          return checkUtf8(span.subarray(d.start - first.start, d.end - first.start), input.path).toString('utf8');
        } catch {
          throw changed();
        }
      });
    },
    close: () => closeSync(fd),
  };
}

import { lstat, readdir, stat } from 'node:fs/promises';
import { readSafeFile, RefusedFileError } from '@cmsweb/yaml';
import { join } from 'node:path';
import { mapLimit } from '@cmsweb/toolkit';
import { UsageError } from '../errors.js';

export interface InputFile {
  /** As shown in findings: the path as given (or under the directory given), or "-" for standard input. */
  path: string;
  text: string;
}

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
export async function readInputs(paths: string[], stdin: NodeJS.ReadableStream = process.stdin): Promise<InputFile[]> {
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
  return mapLimit(files, async (path, i) => ({ path, text: piped.get(i) ?? readInput(path) }), READ_CONCURRENCY);
}

/** A manifest file through the safe reader: FIFOs, devices, loops and invalid UTF-8 are bad input (exit 2). */
function readInput(path: string): string {
  try {
    const text = readSafeFile(path);
    if (text === undefined) throw new UsageError(`${path}: no such file (it disappeared while being read)`);
    return text;
  } catch (e) {
    if (e instanceof RefusedFileError)
      throw new UsageError(`${e.message} (expected manifest files, directories, or - for standard input)`);
    throw e;
  }
}

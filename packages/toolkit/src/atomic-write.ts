import { closeSync, existsSync, fsyncSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

// The one atomic file write of the repository's tools. A reader, a crash or a power loss sees either the old
// file or the new one, never part of either: the content goes to a temporary file in the same directory (same
// file system, so the rename is atomic), is fsync'ed, renamed over the target, and the directory is fsync'ed
// so that the rename itself is durable. An existing file keeps its permission bits; a new one gets `mode`.
// On failure the temporary file is removed and the target is untouched.

export interface AtomicWriteOptions {
  /** Permission bits of a new file (default 0o644). */
  mode?: number;
  /** fsync the directory after the rename (default true); a caller writing many files may do it once per directory. */
  syncDirectory?: boolean;
  /**
   * fsync the content before the rename (default true). false keeps the atomicity (a reader sees no file or
   * all of it) but not the durability: after a power loss the file may be empty. For a file that did not
   * exist and that a rerun rewrites (generated output), where the fsync is most of the cost of writing it.
   */
  syncFile?: boolean;
  /** The temporary file (default: a unique hidden name next to `path`); a fixed name lets crash recovery remove a leftover. */
  tempPath?: string;
}

const uniqueTempPath = (path: string) =>
  join(dirname(path), `.${basename(path)}.${process.pid}.${Math.random().toString(36).slice(2, 8)}.tmp`);

const TEMP_NAME = /^(.*\/)?\.([^/]+)\.(\d+)\.([0-9a-z]{1,8})\.tmp$/;
/**
 * Pure: for a `/`-separated path named like the default temporary file of writeFileAtomic
 * (`dir/.name.<pid>.<random>.tmp`), the file it was to replace and the pid of the writer; else undefined.
 * A writer killed between creating and renaming it leaves it behind.
 */
export function atomicWriteTemp(path: string): { target: string; pid: number } | undefined {
  const m = TEMP_NAME.exec(path);
  return m ? { target: `${m[1] ?? ''}${m[2]}`, pid: Number(m[3]) } : undefined;
}
const bytesOf = (content: string | Uint8Array) =>
  typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
/** Some file systems refuse fsync on a directory: their renames are as durable as they get there. */
const directoryFsyncRefused = (e: unknown) =>
  ['EINVAL', 'EISDIR', 'EPERM', 'EBADF'].includes((e as NodeJS.ErrnoException).code ?? '');

/** Atomically replaces `path` with `content` (see above); concurrent calls on different files overlap their I/O. */
export async function writeFileAtomic(
  path: string,
  content: string | Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const tmp = options.tempPath ?? uniqueTempPath(path);
  const mode = await stat(path).then(
    (s) => s.mode & 0o777,
    () => options.mode ?? 0o644,
  );
  try {
    const file = await open(tmp, 'w', mode);
    try {
      await file.writeFile(bytesOf(content));
      if (options.syncFile !== false) await file.sync();
    } finally {
      await file.close();
    }
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
  if (options.syncDirectory !== false) await fsyncDirectory(dirname(path));
}

/** The same, synchronously (for code that must not yield between steps, such as a crash-safe journal). */
export function writeFileAtomicSync(
  path: string,
  content: string | Uint8Array,
  options: AtomicWriteOptions = {},
): void {
  const tmp = options.tempPath ?? uniqueTempPath(path);
  const mode = existsSync(path) ? statSync(path).mode & 0o777 : (options.mode ?? 0o644);
  try {
    const fd = openSync(tmp, 'w', mode);
    try {
      const bytes = bytesOf(content);
      for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done);
      if (options.syncFile !== false) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  if (options.syncDirectory !== false) fsyncDirectorySync(dirname(path));
}

/** Makes the entries of `dir` (a rename, a new or removed file) durable. */
export async function fsyncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync().catch((e: unknown) => {
      if (!directoryFsyncRefused(e)) throw e;
    });
  } finally {
    await handle.close();
  }
}

export function fsyncDirectorySync(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } catch (e) {
    if (!directoryFsyncRefused(e)) throw e;
  } finally {
    closeSync(fd);
  }
}

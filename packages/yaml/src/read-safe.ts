import {
  accessSync,
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  openSync,
  readdirSync,
  readSync,
  realpathSync,
  statSync,
  type Stats,
} from 'node:fs';
import { isAscii, isUtf8 } from 'node:buffer';
import { resolve, sep } from 'node:path';
import type { SourceFinding } from './location.js';

// Shell: the one place every tool reads a repository file through. A merge request is untrusted input:
// a file may be a symlink to /etc/passwd, a dangling or looping symlink, a FIFO that blocks any reader,
// a device, or a directory where a file belongs. Each is refused with a reason naming the path, never
// with the content of the file (a CI log must not leak what a link points at).

/** Bytes read at most from one file (a generated repository's largest file is well under 1 MB). */
export const MAX_FILE_BYTES = 256 * 1024 * 1024;

/** A file that is not a regular file inside the root, or not UTF-8. The message never holds its content. */
export class RefusedFileError extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
    readonly line = 1,
    readonly column = 1,
  ) {
    super(`${path}: ${reason}`);
    this.name = 'RefusedFileError';
  }
}

export interface SafeReadOptions {
  /** Absolute directory the file (and whatever its symlinks point at) must stay inside; none for paths given on a command line. */
  root?: string;
  /** How the path is shown in a refusal (default: relative to root, or as given). */
  display?: string;
  maxBytes?: number;
}

const realRoots = new Map<string, string>();
function realRoot(root: string): string {
  let r = realRoots.get(root);
  if (r === undefined) {
    r = realpathSync.native(root);
    realRoots.set(root, r);
  }
  return r;
}

const inside = (dir: string, p: string) => p === dir || p.startsWith(dir.endsWith(sep) ? dir : dir + sep);

function kindOf(s: Stats): string | undefined {
  if (s.isFile()) return undefined;
  if (s.isDirectory()) return 'is a directory where a file belongs (expected a regular file)';
  if (s.isFIFO()) return 'is a FIFO (named pipe), not a regular file: refused without opening it';
  if (s.isSocket()) return 'is a socket, not a regular file: refused without opening it';
  if (s.isCharacterDevice() || s.isBlockDevice()) return 'is a device, not a regular file: refused without opening it';
  return 'is not a regular file';
}

const code = (e: unknown) => (e as NodeJS.ErrnoException)?.code;

/** lstat, or undefined when nothing is there (missing, or a parent is not a directory). */
function lstatOrMissing(full: string, shown: string, expected: string): Stats | undefined {
  try {
    return lstatSync(full);
  } catch (e) {
    if (code(e) === 'ENOENT' || code(e) === 'ENOTDIR') return undefined;
    if (code(e) === 'ELOOP')
      throw new RefusedFileError(shown, `a directory on its path is a symlink loop (expected ${expected})`);
    if (code(e) === 'EACCES') throw new RefusedFileError(shown, 'cannot be read: permission denied');
    throw e;
  }
}

/**
 * Where `path` really is, after checking it is a regular file inside `root`; undefined when nothing is
 * there (missing, or a parent is not a directory). Throws RefusedFileError otherwise.
 */
export function checkRegularFile(path: string, options: SafeReadOptions = {}): string | undefined {
  const { root } = options;
  const full = root ? resolve(root, path) : resolve(path);
  const shown = options.display ?? path;
  if (root && !inside(resolve(root), full))
    throw new RefusedFileError(shown, 'lies outside the repository root (expected a path inside it)');
  const link = lstatOrMissing(full, shown, 'a regular file');
  if (!link) return undefined;
  let real: string;
  try {
    real = realpathSync.native(full);
  } catch (e) {
    if (code(e) === 'ELOOP') throw new RefusedFileError(shown, 'is a symlink loop (expected a regular file)');
    if (code(e) === 'ENOENT' || code(e) === 'ENOTDIR')
      throw new RefusedFileError(
        shown,
        'is a dangling symlink: what it points at does not exist (expected a regular file)',
      );
    if (code(e) === 'EACCES') throw new RefusedFileError(shown, 'cannot be read: permission denied');
    throw e;
  }
  if (root && !inside(realRoot(resolve(root)), real)) {
    throw new RefusedFileError(
      shown,
      `is a symlink${link.isSymbolicLink() ? '' : ' (through a directory on its path)'} leading outside the repository root (expected a regular file inside it)`,
    );
  }
  const problem = kindOf(link.isSymbolicLink() ? statSync(real) : link);
  if (problem) throw new RefusedFileError(shown, problem);
  return real;
}

/** A file as readSafeBytes read it: where it really is, what it was then, and its bytes. */
export interface SafeBytes {
  /** The file's real path (symlinks resolved). */
  real: string;
  /** fstat of the descriptor it was read through: a later read can tell whether the file changed. */
  stat: Stats;
  /** Strict UTF-8 (checked), a leading byte order mark dropped. */
  bytes: Buffer;
  /** Where `bytes` starts in the file: 3 after a byte order mark, else 0. */
  offset: number;
}

/**
 * Shell: the text of a regular file inside `root` (or anywhere, without root), or undefined when it does
 * not exist. Refuses (RefusedFileError) symlinks leading outside the root, dangling symlinks, loops,
 * FIFOs, sockets, devices, directories, files over `maxBytes` and invalid UTF-8. FIFOs and devices are
 * never opened: they are recognised with lstat/stat first, and the file is opened non-blocking without
 * following a symlink and checked again on the open descriptor.
 */
export function readSafeFile(path: string, options: SafeReadOptions = {}): string | undefined {
  return readSafeBytes(path, options)?.bytes.toString('utf8');
}

/** Shell: readSafeFile's checks, returning the bytes instead of the text (see SafeBytes). */
export function readSafeBytes(path: string, options: SafeReadOptions = {}): SafeBytes | undefined {
  return withCheckedFile(path, options, (fd, s, shown) => {
    const buf = Buffer.allocUnsafe(s.size);
    let n = 0;
    while (n < s.size) {
      const r = readSync(fd, buf, n, s.size - n, null);
      if (r === 0) break;
      n += r;
    }
    const bytes = checkUtf8(buf.subarray(0, n), shown);
    const offset = bomLength(bytes);
    return { stat: s, bytes: bytes.subarray(offset), offset };
  });
}

/** What scanSafeBytes read: SafeBytes without the bytes, which went through its `visit`, and their count. */
export type ScannedFile = Omit<SafeBytes, 'bytes'> & { size: number };

/** Bytes read at once by scanSafeBytes (a line longer than this grows its buffer). */
const SCAN_BLOCK = 1 << 20;

/** A block scanSafeBytes found not to be UTF-8: the file is read whole to say where. */
class NotUtf8 extends Error {}

/**
 * Shell: readSafeBytes's checks and refusals, but the file goes through `visit` in blocks of whole lines
 * (the last may lack its newline), in order, read into one reused buffer: a large input is never held
 * whole (a 29 MB file was a 29 MB buffer, most of whose cost was the kernel mapping fresh pages for it).
 * A block is strict UTF-8 (checked), after the byte order mark, and valid only during its `visit`.
 */
export function scanSafeBytes(
  path: string,
  visit: (block: Buffer) => void,
  options: SafeReadOptions = {},
): ScannedFile | undefined {
  try {
    return withCheckedFile(path, options, (fd, s) => {
      let buf = Buffer.allocUnsafe(Math.max(1, Math.min(SCAN_BLOCK, s.size)));
      let filled = 0; // bytes in `buf`: an unfinished line carried over, then what was read after it
      let read = 0;
      let offset = -1; // the byte order mark's length, once the first bytes are in
      let skip = 0; // bytes at the front of `buf` that are not text (the mark, until it is dropped)
      let size = 0;
      for (;;) {
        if (filled === buf.length) buf = Buffer.concat([buf, Buffer.allocUnsafe(buf.length)]);
        const r = read < s.size ? readSync(fd, buf, filled, Math.min(buf.length - filled, s.size - read), null) : 0;
        read += r;
        filled += r;
        const end = r === 0;
        if (offset < 0) {
          if (filled < 3 && !end) continue;
          skip = offset = bomLength(buf.subarray(0, filled));
        }
        const from = skip;
        // A block ends after its last newline (in UTF-8 always a character boundary); the last, at the end.
        const cut = end ? filled : Math.max(from, buf.lastIndexOf(0x0a, filled - 1) + 1);
        if (cut > from) {
          const block = buf.subarray(from, cut);
          if (!isAscii(block) && !isUtf8(block)) throw new NotUtf8();
          visit(block);
          size += block.length;
        }
        if (end) return { stat: s, offset, size };
        buf.copy(buf, 0, Math.max(cut, from), filled);
        filled -= Math.max(cut, from);
        skip = 0;
      }
    });
  } catch (e) {
    if (!(e instanceof NotUtf8)) throw e;
    // Rare: readSafeBytes refuses the file with the line and column of its first bad byte.
    readSafeBytes(path, options);
    throw new RefusedFileError(options.display ?? path, 'changed while being read (expected it to stay as it was)');
  }
}

/** Length of a leading UTF-8 byte order mark: 3 or 0. */
const bomLength = (b: Uint8Array) => (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 3 : 0);

/**
 * Shell: the checks every safe read makes (checkRegularFile; opened without blocking or following a
 * symlink; checked again on the descriptor; at most `maxBytes`), then `read` on the open descriptor.
 * undefined when the file does not exist.
 */
function withCheckedFile<T extends object>(
  path: string,
  options: SafeReadOptions,
  read: (fd: number, s: Stats, shown: string) => T,
): (T & { real: string }) | undefined {
  const real = checkRegularFile(path, options);
  if (real === undefined) return undefined;
  const shown = options.display ?? path;
  const max = options.maxBytes ?? MAX_FILE_BYTES;
  let fd: number;
  try {
    fd = openSync(real, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  } catch (e) {
    if (code(e) === 'EACCES') throw new RefusedFileError(shown, 'cannot be read: permission denied');
    if (code(e) === 'ENOENT') return undefined;
    if (code(e) === 'ELOOP') throw new RefusedFileError(shown, 'was replaced by a symlink while being read');
    throw e;
  }
  try {
    const s = fstatSync(fd);
    const problem = kindOf(s);
    if (problem) throw new RefusedFileError(shown, problem);
    if (s.size > max)
      throw new RefusedFileError(shown, `is ${s.size} bytes, more than the ${max} bytes a file may have`);
    return { ...read(fd, s, shown), real };
  } catch (e) {
    if (code(e) === 'EISDIR')
      throw new RefusedFileError(shown, 'is a directory where a file belongs (expected a regular file)');
    throw e;
  } finally {
    closeSync(fd);
  }
}

/** Decodes strict UTF-8; invalid bytes are refused with their line and column (a leading BOM is dropped). */
export function decodeUtf8(buf: Uint8Array, shown: string): string {
  const b = checkUtf8(buf, shown);
  const text = b.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** The same bytes as a Buffer when they are strict UTF-8; otherwise refused with the line and column of the first bad byte. */
export function checkUtf8(buf: Uint8Array, shown: string): Buffer {
  // Node's native checks (the same strict UTF-8, test/read-safe.test.ts) first, ASCII (most manifests, and
  // several times faster) before UTF-8: the byte loop takes about 30 ms per MB; it only runs to find where
  // a file is invalid.
  const bad = isAscii(buf) || isUtf8(buf) ? -1 : firstInvalidUtf8(buf);
  if (bad !== -1) {
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < bad; i++) if (buf[i] === 0x0a) line++, (lineStart = i + 1);
    const column = Buffer.from(buf.subarray(lineStart, bad)).toString('utf8').length + 1;
    throw new RefusedFileError(
      shown,
      `invalid UTF-8 at line ${line} column ${column} (byte 0x${buf[bad]!.toString(16).padStart(2, '0')} at offset ${bad}); expected a UTF-8 text file`,
      line,
      column,
    );
  }
  return Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** Offset of the first byte that is not part of a well-formed UTF-8 sequence, or -1. */
export function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  const n = b.length;
  while (i < n) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    if (c >= 0xc2 && c <= 0xdf) (need = 1), (min = 0x80);
    else if (c >= 0xe0 && c <= 0xef) (need = 2), (min = 0x800);
    else if (c >= 0xf0 && c <= 0xf4) (need = 3), (min = 0x10000);
    else return i;
    if (i + need >= n) return i;
    let cp = c & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const d = b[i + k];
      if (d === undefined || (d & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (d & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}

export interface SafeDirEntry {
  name: string;
  /** `file` for regular files and symlinks (read them with readSafeFile, which decides), `dir` for real directories. */
  kind: 'file' | 'dir' | 'other';
}

/**
 * Shell: the entries of a directory inside `root`, sorted by name; undefined when it does not exist.
 * A symlinked directory is not descended (kind `file`, so that reading it is refused with a reason).
 * Throws RefusedFileError when `dir` is a file, a symlink leaving the root or unreadable.
 */
export function listSafeDir(dir: string, options: SafeReadOptions = {}): SafeDirEntry[] | undefined {
  const d = checkedDir(dir, options);
  if (!d) return undefined;
  let entries;
  try {
    entries = readdirSync(d.full, { withFileTypes: true });
  } catch (e) {
    if (code(e) === 'EACCES') throw new RefusedFileError(d.shown, 'cannot be listed: permission denied');
    throw e;
  }
  return entries.map((e): SafeDirEntry => ({ name: e.name, kind: entryKind(e) })).sort(byName);
}

/**
 * Shell: what listSafeDir(dir) gives, restricted to the entries named `names`, without listing the directory:
 * each name is looked up on its own (catalog/services and charts/ hold one entry per service, thousands, of
 * which a one-service validation reads one or two). The same refusals as listSafeDir, an unreadable
 * directory included; names that are not entry names (empty, `.`, `..`, holding `/`) are never entries.
 */
export function lookupSafeDir(
  dir: string,
  names: readonly string[],
  options: SafeReadOptions = {},
): SafeDirEntry[] | undefined {
  const d = checkedDir(dir, options);
  if (!d) return undefined;
  const refused = () => new RefusedFileError(d.shown, 'cannot be listed: permission denied');
  try {
    accessSync(d.full, constants.R_OK);
  } catch (e) {
    if (code(e) === 'EACCES') throw refused();
    throw e;
  }
  const out: SafeDirEntry[] = [];
  for (const name of new Set(names)) {
    if (name === '' || name === '.' || name === '..' || name.includes('/')) continue;
    let s: Stats | undefined;
    try {
      s = lstatSync(`${d.full}${sep}${name}`, { throwIfNoEntry: false });
    } catch (e) {
      if (code(e) === 'EACCES') throw refused();
      throw e;
    }
    if (s) out.push({ name, kind: entryKind(s) });
  }
  return out.sort(byName);
}

const entryKind = (e: {
  isDirectory(): boolean;
  isFile(): boolean;
  isSymbolicLink(): boolean;
}): SafeDirEntry['kind'] => (e.isDirectory() ? 'dir' : e.isFile() || e.isSymbolicLink() ? 'file' : 'other');
const byName = (a: SafeDirEntry, b: SafeDirEntry) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** listSafeDir's checks of `dir` itself: its full and shown paths, undefined when it does not exist. */
function checkedDir(dir: string, options: SafeReadOptions): { full: string; shown: string } | undefined {
  const { root } = options;
  const full = root ? resolve(root, dir) : resolve(dir);
  const shown = options.display ?? dir;
  const s = lstatOrMissing(full, shown, 'a directory');
  if (!s) return undefined;
  if (!s.isDirectory()) {
    if (s.isSymbolicLink())
      throw new RefusedFileError(
        shown,
        'is a symlink where a directory belongs (expected a real directory inside the repository)',
      );
    throw new RefusedFileError(
      shown,
      `is ${s.isFile() ? 'a file' : 'not a directory'} where a directory belongs (expected a directory)`,
    );
  }
  if (root && !inside(realRoot(resolve(root)), realpathSync.native(full)))
    throw new RefusedFileError(shown, 'leads outside the repository root through a symlinked directory');
  return { full, shown };
}

/**
 * Shell: repository-relative paths of every file (and symlink) under `dir`, recursively, sorted; none when
 * missing. `enter` prunes: a subdirectory it refuses is neither listed nor checked.
 */
export function listSafeTree(
  root: string,
  dir: string,
  keep: (name: string) => boolean = () => true,
  enter: (dir: string) => boolean = () => true,
): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const e of listSafeDir(rel, { root }) ?? []) {
      const p = `${rel}/${e.name}`;
      if (e.kind === 'dir') {
        if (enter(p)) walk(p);
      } else if (keep(e.name)) out.push(p);
    }
  };
  walk(dir);
  return out;
}

/** A refusal as a finding (check `file-refused`) at the file's first line, or where its bad byte is. */
export function refusedFinding(e: RefusedFileError): SourceFinding {
  return {
    check: 'file-refused',
    severity: 'error',
    file: e.path,
    line: e.line,
    column: e.column,
    message: `refused: ${e.message}`,
  };
}

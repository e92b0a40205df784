import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';

// Shell: runs a worker thread's bundled CommonJS file (scripts/bundle.mjs: dist/bundle/<name>.cjs, started
// through the small <name>.js it writes beside it) compiled through V8's code cache, as the bin runs the CLI
// bundle (toolkit run-built.mjs runBundle). Started as an ES module, the render thread's ~0.8 MB bundle was
// parsed, compiled and its functions compiled again at every start (~0.25 CPU s of a one-service run, on the
// thread that renders). A thread is terminated rather than left to exit, so its cache cannot wait for an
// 'exit' event: the thread writes it when its code says the functions a run needs are compiled
// (codeCacheReady, e.g. after its first reply), once, and only when it ran without a usable cache.

const HEADER = 128; // two hex sha256 digests: of the code the cache was made for, of the cache's own bytes
const sha256 = (bytes: string | Uint8Array) => createHash('sha256').update(bytes).digest('hex');
/** Where the running bundle left its cache writer (none: not run from a bundle, or the cache was used). */
const WRITER = Symbol.for('cmsweb.validator.bundled-worker.write-code-cache');

/** <package>/node_modules/.cache/code-cache/<name>.v8 for <package>/dist/bundle/<name>, as runBundle keeps it. */
export function workerCodeCacheFile(file: string): string {
  return join(dirname(file), '..', '..', 'node_modules', '.cache', 'code-cache', `${basename(file)}.v8`);
}

/** The cache in `file` when it is intact and was made for the code of digest `codeDigest`. */
function readCache(file: string, codeDigest: string): Buffer | undefined {
  try {
    const bytes = readFileSync(file);
    const data = bytes.subarray(HEADER);
    return bytes.length > HEADER && bytes.subarray(0, HEADER).toString('latin1') === `${codeDigest}${sha256(data)}`
      ? data
      : undefined;
  } catch {
    return undefined;
  }
}

/** Runs the CommonJS bundle at `url` (a file: URL) in this thread, through its code cache. */
export function runBundledWorker(url: URL): void {
  const file = fileURLToPath(url);
  const code = readFileSync(file, 'utf8');
  const codeDigest = sha256(code);
  const cacheFile = workerCodeCacheFile(file);
  const cachedData = readCache(cacheFile, codeDigest);
  // The code on the wrapper's first line, so that stack traces keep the bundle's line numbers.
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${code}\n})`, {
    filename: file,
    ...(cachedData ? { cachedData } : {}),
  });
  if (!cachedData || script.cachedDataRejected) {
    (globalThis as Record<symbol, unknown>)[WRITER] = () => {
      try {
        const data = script.createCachedData();
        mkdirSync(dirname(cacheFile), { recursive: true });
        const tmp = `${cacheFile}.${process.pid}-${threadId}.tmp`;
        writeFileSync(tmp, Buffer.concat([Buffer.from(`${codeDigest}${sha256(data)}`, 'latin1'), data]));
        renameSync(tmp, cacheFile); // whole or absent for a thread starting meanwhile
      } catch {
        // read-only install, full disk: the next thread compiles from source again
      }
    };
  }
  const module = { exports: {} };
  (script.runInThisContext() as (...args: unknown[]) => void)(
    module.exports,
    createRequire(file),
    module,
    file,
    dirname(file),
  );
}

/**
 * Called by a bundled thread's code once the functions its runs need are compiled: writes the thread's code
 * cache if it ran without one (first call only); nothing when not run from a bundle.
 */
export function codeCacheReady(): void {
  const g = globalThis as Record<symbol, unknown>;
  const write = g[WRITER] as (() => void) | undefined;
  if (!write) return;
  delete g[WRITER];
  write();
}

// The one launcher behind every tool's bin: it runs the compiled entry (dist/ is emitted by `npm ci`'s
// postinstall or `npm run build`) and, when it is missing, says how to build it instead of a stack trace.
// Plain JavaScript, so it works before anything is compiled.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';

/**
 * Imports `entry` (a file: URL) or exits 3 naming `tool` and the build command. With `bundle` (the same
 * program bundled into one CommonJS file, e.g. the validator's dist/bundle/cli.cjs), runs that instead while
 * it is fresh (bundleFresh): one file to load instead of hundreds, compiled through V8's code cache (runBundle).
 */
export async function runBuilt(tool, entry, bundle) {
  if (!existsSync(entry)) {
    process.stderr.write(`${tool}: not built: run \`npm run build\` at the repository root (\`npm ci\` does it)\n`);
    process.exit(3);
  }
  if (bundle && !asksHelpOrVersion(process.argv.slice(2)) && bundleFresh(bundle)) runBundle(bundle);
  else await import(entry.href);
}

const HELP_OR_VERSION = new Set(['--help', '-h', '--version', '-V', 'help']);

/**
 * Whether the command line only asks for help or the version: the compiled entry answers those loading
 * little (commander and the tool's option table), where the bundle would load and compile the whole program
 * (validator --help: ~0.05 s above `node -e 0` from dist/, ~0.2 s through the bundle).
 */
export function asksHelpOrVersion(argv) {
  return argv.some((a) => HELP_OR_VERSION.has(a));
}

/**
 * Whether the bundle at `bundle` (a file: URL) is at least as new as every file named in inputs.json beside
 * it (paths relative to it: the .tsbuildinfo of each compiled package it holds, which `tsc -b` rewrites when
 * it emits). A `tsc -b` after the bundle was made, a missing or unreadable list: not fresh, so the compiled
 * modules run, never an outdated bundle.
 */
export function bundleFresh(bundle) {
  try {
    const inputs = JSON.parse(readFileSync(new URL('inputs.json', bundle), 'utf8'));
    const made = statSync(bundle).mtimeMs;
    return (
      Array.isArray(inputs) && inputs.length > 0 && inputs.every((p) => statSync(new URL(p, bundle)).mtimeMs <= made)
    );
  } catch {
    return false;
  }
}

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');
/** Two hex sha256 digests: of the code the cache was made for, and of the cache's own bytes. */
const HEADER = 128;

/**
 * Where the code cache of the bundle `file` (<package>/dist/bundle/<name>) is kept:
 * <package>/node_modules/.cache/code-cache/<name>.v8, beside the validator's compiled schemas (owned by the
 * user who installed the tools; what is found there is run, so never a shared directory such as /tmp).
 */
export function codeCacheFile(file) {
  return join(dirname(file), '..', '..', 'node_modules', '.cache', 'code-cache', `${basename(file)}.v8`);
}

/**
 * Runs a CommonJS bundle as Node would run the file (require, module, __filename, __dirname), compiled with
 * V8's code cache from the last run: the functions that run took ~0.1-0.2 CPU s to parse and compile from
 * the source at every start. V8 checks only the source's length against a cache, so the cache file starts
 * with the digest of the code it was made for and the digest of its own bytes: a cache of other code, or a
 * torn or edited file, is not used (the code is then compiled from source, and the cache written again at
 * exit, once the functions this run needed are compiled).
 */
export function runBundle(bundle) {
  const file = fileURLToPath(bundle);
  const code = readFileSync(file, 'utf8');
  const codeSha = sha256(code);
  const cacheFile = codeCacheFile(file);
  let cachedData;
  try {
    const bytes = readFileSync(cacheFile);
    const data = bytes.subarray(HEADER);
    if (bytes.length > HEADER && bytes.subarray(0, HEADER).toString('latin1') === `${codeSha}${sha256(data)}`)
      cachedData = data;
  } catch {
    // no cache yet
  }
  // One line with the code's first, so that stack traces keep the bundle's line numbers.
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${code}\n})`, {
    filename: file,
    ...(cachedData ? { cachedData } : {}),
  });
  if (!cachedData || script.cachedDataRejected)
    process.once('exit', () => {
      try {
        const data = script.createCachedData();
        mkdirSync(dirname(cacheFile), { recursive: true });
        const tmp = `${cacheFile}.${process.pid}.tmp`;
        writeFileSync(tmp, Buffer.concat([Buffer.from(`${codeSha}${sha256(data)}`, 'latin1'), data]));
        renameSync(tmp, cacheFile);
      } catch {
        // read-only install, full disk: the next run compiles from source again
      }
    });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file));
}

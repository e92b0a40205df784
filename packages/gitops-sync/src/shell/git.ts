import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { simpleGit, type SimpleGit } from 'simple-git';
import { UsageError } from '@cmsweb/toolkit';

// Git access. Everything goes through simple-git except the one binary-safe batch read
// (`git cat-file --batch`), which needs stdin and exact byte counts.

/** Variables simple-git refuses to pass on (editor, pager, GIT_*): dropped from the ambient env. */
const GUARDED = /^(git_.*|editor|pager|visual|prefix|ssh_askpass)$/i;

export function git(
  root: string,
  opts: { env?: Record<string, string>; input?: string; allowConfigEnv?: boolean } = {},
): SimpleGit {
  const extra = opts.env ?? {};
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !GUARDED.test(k)) env[k] = v;
  const g = simpleGit({
    baseDir: root,
    allowEnvironment: Object.keys(extra),
    // simple-git treats a non-zero exit with nothing on stderr as success (a silent failing hook, for
    // one): any non-zero exit is an error here, carrying what git printed.
    errors: (error, result) =>
      error ??
      (result.exitCode === 0
        ? undefined
        : Buffer.concat([...result.stdErr, ...result.stdOut, Buffer.from(`(exit ${result.exitCode})`)])),
    ...(opts.allowConfigEnv ? { unsafe: { allowUnsafeConfigEnvCount: true, allowUnsafeHooksPath: true } } : {}),
    ...(opts.input !== undefined ? { input: () => opts.input } : {}),
  });
  return g.env({ ...env, ...extra, LC_ALL: 'C' });
}

export interface Repository {
  root: string;
  /** This work tree's git directory (HEAD, index, MERGE_HEAD, ...). */
  gitDir: string;
  /** The directory shared by all work trees (refs, objects, config). */
  commonDir: string;
  /** The checked-out branch; null when HEAD is detached. */
  branch: string | null;
  /** The commit HEAD points at; null in a repository without commits. */
  head: string | null;
}

export async function openRepository(rootArg: string): Promise<Repository> {
  if (!existsSync(rootArg) || !statSync(rootArg).isDirectory())
    throw new UsageError(`--root ${rootArg}: no such directory (expected the GitOps repository's work tree)`);
  const where = ['rev-parse', '--path-format=absolute', '--show-toplevel', '--absolute-git-dir', '--git-common-dir'];
  let lines: string[];
  let head: string | null;
  try {
    // The paths and HEAD's commit in one git process; in a repository without commits (or not one at all)
    // that call fails, and the paths alone say which it is.
    lines = (await git(rootArg).raw([...where, '--verify', '--quiet', 'HEAD^{commit}'])).trim().split('\n');
    head = lines.pop() ?? null;
  } catch {
    try {
      lines = (await git(rootArg).raw(where)).trim().split('\n');
    } catch {
      throw new UsageError(`--root ${rootArg}: not inside a git work tree (expected the GitOps repository)`);
    }
    head = null;
  }
  const [top, gitDir, commonDir] = lines as [string, string, string];
  return { root: realpathSync(top), gitDir, commonDir, branch: branchOf(gitDir), head };
}

/** The branch HEAD names, read from the HEAD file (git's documented format), or null when detached. */
function branchOf(gitDir: string): string | null {
  try {
    const m = /^ref: refs\/heads\/(\S+)\s*$/.exec(readFileSync(join(gitDir, 'HEAD'), 'utf8'));
    return m ? m[1]! : null;
  } catch {
    return null;
  }
}

export async function resolveCommit(root: string, ref: string): Promise<string | null> {
  try {
    const out = (await git(root).raw(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`])).trim();
    return out || null;
  } catch {
    return null;
  }
}

/**
 * Reads `<rev>:<path>` specs (or object ids) through `git cat-file --batch`; null for what is not a blob. One
 * cat-file process per repository serves the reads of a command (its snapshot, history and work-tree update:
 * three processes before), one request at a time; it ends once idle for BLOB_READER_IDLE_MS, and never keeps
 * this process alive. Objects written meanwhile by other git processes are found: cat-file looks again on a
 * miss. Many paths of one commit are first resolved to ids (blobIds).
 */
export async function readBlobs(root: string, specs: readonly string[]): Promise<Map<string, string | null>> {
  if (specs.length === 0) return new Map();
  const ids = await blobIds(root, specs);
  // What cat-file is asked for each spec: its blob id when resolved (null: no blob there), else the spec.
  const asked = (s: string) => (ids.has(s) ? ids.get(s)! : s);
  // Each object asked once: a spec or id asked twice in one request would never see its answers complete.
  const unique = [...new Set(specs.map(asked))].filter((x): x is string => x !== null);
  const answers = unique.length ? await askQueued(root, unique) : new Map<string, string | null>();
  return new Map(
    specs.map((s) => {
      const key = asked(s);
      return [s, key === null ? null : (answers.get(key) ?? null)];
    }),
  );
}

/** Paths of one commit from which they are resolved by `git ls-tree` rather than by cat-file (blobIds). */
export const LS_TREE_FROM = 32;
const COMMIT_SPEC = /^([0-9a-f]{40}|[0-9a-f]{64}):([^\n]+)$/;

/**
 * The blob ids of the `<commit>:<path>` specs of each commit asked for LS_TREE_FROM paths or more, by one
 * `git ls-tree` of their folders: cat-file finds a path by reading every tree on the way, again for each spec
 * (the 14,400 overlays of one commit of a 5,000-service repository took 9.4 s that way, 0.2 s by id). null:
 * no blob at that path (missing, a folder, a submodule). Specs left out (other forms, fewer paths, a commit
 * ls-tree refuses) are asked as they are.
 */
export async function blobIds(root: string, specs: readonly string[]): Promise<Map<string, string | null>> {
  const byCommit = new Map<string, Set<string>>();
  for (const spec of specs) {
    const m = COMMIT_SPEC.exec(spec);
    if (!m || !m[2]!.split('/').every((part) => part !== '' && part !== '.' && part !== '..')) continue;
    const paths = byCommit.get(m[1]!) ?? new Set<string>();
    byCommit.set(m[1]!, paths.add(m[2]!));
  }
  const ids = new Map<string, string | null>();
  for (const [commit, paths] of byCommit) {
    if (paths.size < LS_TREE_FROM) continue;
    const folders = new Set([...paths].map((p) => (p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : p)));
    let found: Map<string, string | null>;
    try {
      found = await listTree(root, commit, [...folders]);
    } catch {
      continue;
    }
    for (const p of paths) ids.set(`${commit}:${p}`, found.get(p) ?? null);
  }
  return ids;
}

/**
 * Every file under `paths` (folders or files, literal) at `commit`, by one `git ls-tree -r`: its blob id, or
 * null for what is not a blob (a submodule). Throws when git refuses the commit.
 */
export async function listTree(
  root: string,
  commit: string,
  paths: readonly string[],
): Promise<Map<string, string | null>> {
  const out = await git(root).raw([
    '--literal-pathspecs',
    'ls-tree',
    '-r',
    '-z',
    '--full-tree',
    commit,
    '--',
    ...paths,
  ]);
  const files = new Map<string, string | null>();
  for (const entry of out.split('\0')) {
    // "<mode> <type> <id>\t<path>"; with -z the path is as it is, never quoted.
    const tab = entry.indexOf('\t');
    if (tab <= 0) continue;
    const [, type, id] = entry.slice(0, tab).split(' ');
    files.set(entry.slice(tab + 1), type === 'blob' && id ? id : null);
  }
  return files;
}

/** Asks the repository's cat-file for `specs` (each once), after the requests already queued. */
function askQueued(root: string, specs: readonly string[]): Promise<Map<string, string | null>> {
  const key = readerKey(root);
  let reader = readers.get(key);
  if (!reader) {
    reader = startReader(root, key);
    readers.set(key, reader);
  }
  const r = reader;
  const answer = r.queue.then(() => ask(r, specs));
  r.queue = answer.catch(() => undefined);
  return answer;
}

// Long enough to outlive the validation gate of a usual command (its work-tree update reads again after it).
export const BLOB_READER_IDLE_MS = 15_000;

interface BlobReader {
  key: string;
  child: ChildProcess;
  /** The request being answered, if any, is last in this chain. */
  queue: Promise<unknown>;
  stderr: string;
  /** The current request's handlers. */
  onData?: (chunk: Buffer) => void;
  onEnd?: (error: Error) => void;
  idle?: NodeJS.Timeout;
  ended?: Error;
}

const readers = new Map<string, BlobReader>();

/** The repository at `root`, as this process last saw it: a repository made anew at the same path gets a new reader. */
function readerKey(root: string): string {
  try {
    return `${root}\0${statSync(join(root, '.git')).ino}`;
  } catch {
    return `${root}\0`;
  }
}

function startReader(root: string, key: string): BlobReader {
  const child = spawn('git', ['cat-file', '--batch'], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
  const r: BlobReader = { key, child, queue: Promise.resolve(), stderr: '' };
  child.stdout.on('data', (c: Buffer) => r.onData?.(c));
  child.stderr.on('data', (c: Buffer) => (r.stderr += c.toString()));
  child.stdin.on('error', () => undefined); // a cat-file that died is reported by 'close'
  const end = (e: Error) => {
    r.ended ??= e;
    if (readers.get(key) === r) readers.delete(key);
    clearTimeout(r.idle);
    r.onEnd?.(r.ended);
  };
  child.on('error', end);
  child.on('close', (code) => end(new Error(`git cat-file --batch failed (exit ${code}): ${r.stderr.trim()}`)));
  setHeld(r, false);
  return r;
}

/** Whether the reader keeps this process alive: only while a request waits for its answer. */
function setHeld(r: BlobReader, held: boolean): void {
  for (const h of [r.child, r.child.stdin, r.child.stdout, r.child.stderr] as Array<{
    ref(): unknown;
    unref(): unknown;
  } | null>)
    held ? h?.ref() : h?.unref();
}

function ask(r: BlobReader, specs: readonly string[]): Promise<Map<string, string | null>> {
  if (r.ended) return Promise.reject(r.ended);
  clearTimeout(r.idle);
  setHeld(r, true);
  return new Promise((resolve, reject) => {
    const result = new Map<string, string | null>();
    let out: Buffer = Buffer.alloc(0);
    const finish = () => {
      r.onData = undefined;
      r.onEnd = undefined;
      setHeld(r, false);
      r.idle = setTimeout(() => {
        if (readers.get(r.key) === r) readers.delete(r.key);
        r.child.stdin?.end();
      }, BLOB_READER_IDLE_MS);
      r.idle.unref();
    };
    r.onEnd = (e) => {
      finish();
      reject(e);
    };
    r.onData = (chunk) => {
      out = out.length === 0 ? chunk : Buffer.concat([out, chunk]);
      // One answer per spec, in order: "<id> <type> <size>" and the content, or "<spec> missing" (ambiguous, ...).
      while (result.size < specs.length) {
        const nl = out.indexOf(10);
        if (nl === -1) return;
        const m = /^[0-9a-f]+ (\w+) (\d+)$/.exec(out.subarray(0, nl).toString());
        const spec = specs[result.size]!;
        if (!m) {
          result.set(spec, null);
          out = out.subarray(nl + 1);
          continue;
        }
        const size = Number(m[2]);
        if (out.length < nl + 1 + size + 1) return;
        result.set(spec, m[1] === 'blob' ? out.subarray(nl + 1, nl + 1 + size).toString('utf8') : null);
        out = out.subarray(nl + 1 + size + 1);
      }
      finish();
      resolve(result);
    };
    r.child.stdin!.write(specs.map((s) => s.replace(/\n/g, '')).join('\n') + '\n');
  });
}

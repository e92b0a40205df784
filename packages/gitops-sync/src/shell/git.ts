import { spawn } from 'node:child_process';
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

/** Reads `<rev>:<path>` specs in one `git cat-file --batch`; null for what does not exist. */
export function readBlobs(root: string, specs: readonly string[]): Promise<Map<string, string | null>> {
  const result = new Map<string, string | null>();
  if (specs.length === 0) return Promise.resolve(result);
  return new Promise((resolve, reject) => {
    const child = spawn('git', ['cat-file', '--batch'], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`git cat-file --batch failed (exit ${code}): ${stderr.trim()}`));
      const out = Buffer.concat(chunks);
      let pos = 0;
      for (const spec of specs) {
        const nl = out.indexOf(10, pos);
        const header = out.subarray(pos, nl).toString();
        pos = nl + 1;
        const m = /^[0-9a-f]+ (\w+) (\d+)$/.exec(header);
        if (!m) {
          result.set(spec, null);
          continue;
        }
        const size = Number(m[2]);
        result.set(spec, m[1] === 'blob' ? out.subarray(pos, pos + size).toString('utf8') : null);
        pos += size + 1;
      }
      resolve(result);
    });
    child.stdin.end(specs.map((s) => s.replace(/\n/g, '')).join('\n') + '\n');
  });
}

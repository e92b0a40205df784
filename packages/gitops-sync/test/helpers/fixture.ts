import { execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// Real repositories for the tests: a bare remote on disk and working clones, each with its own git
// identity (CI has none). Commit dates are set explicitly, so soak is computed against a controlled clock.

export const BIN = resolve(dirname(fileURLToPath(import.meta.url)), '../../bin/gitops-sync.js');
/** The validator every CLI run of the tests uses (GITOPS_SYNC_VALIDATOR), unless a test passes another. */
export const FAKE_VALIDATOR = resolve(dirname(fileURLToPath(import.meta.url)), 'fake-validator.cjs');
export const T0 = Date.parse('2026-11-01T08:00:00Z');
export const at = (hours: number) => new Date(T0 + hours * 3_600_000).toISOString();
export const DIGEST = (c: string) => `sha256:${c.repeat(64)}`;

export const ENVIRONMENTS: Record<string, string> = {
  dev: `# The testbed.
name: dev
cluster: cmsweb-testbed
promotesFrom: null
promotion:
  tagPolicy:
    pattern: ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$
    description: any valid image tag
    allowDigest: true
  requireValidation: true
`,
  preprod: `name: preprod
cluster: cmsweb-preprod
promotesFrom: dev
promotion:
  soak: 1h
  freeze:
    enabled: false
  requireValidation: true
`,
  prod: `# Production: only stable tags or pinned digests.
name: prod
cluster: cmsweb-prod
promotesFrom: preprod
promotion:
  tagPolicy:
    pattern: ^(.+-stable|v?[0-9]+\\.[0-9]+\\.[0-9]+)$
    description: tags ending in -stable or a release SemVer such as v1.2.3
    allowDigest: true
  soak: 24h
  freeze:
    enabled: false
    windows:
      - start: "2026-12-21T00:00:00Z"
        end: "2027-01-04T00:00:00Z"
        reason: CERN annual closure
  requireValidation: true
`,
};

export function overlay(
  service: string,
  env: string,
  tag: string | null,
  style: 'plain' | 'double' | 'single' = 'plain',
): string {
  const q = style === 'double' ? `"${tag}"` : style === 'single' ? `'${tag}'` : tag;
  return `# ${service} in ${env}: the image and this environment's settings.
image:
${tag === null ? '  pullPolicy: IfNotPresent' : `  tag: ${q}   # moved by gitops-sync`}

replicaCount: ${env === 'prod' ? 3 : 1}
resources: { requests: { cpu: 100m } }
`;
}

export function git(cwd: string, args: string[], env: Record<string, string> = {}): string {
  return gitRaw(cwd, args, env).trim();
}

export function gitRaw(cwd: string, args: string[], env: Record<string, string> = {}): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/**
 * The refs of a repository as git stores them (`gitDir`: a clone's .git or a bare repository): HEAD, the
 * packed-refs file and every loose ref file (the remote-tracking ones only with `remotes`: a fetch may move
 * them), read as files: no git process.
 */
export function refFiles(gitDir: string, opts: { remotes?: boolean } = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of ['HEAD', 'packed-refs'])
    if (existsSync(join(gitDir, f))) out[f] = readFileSync(join(gitDir, f), 'utf8');
  for (const d of readdirSync(join(gitDir, 'refs'), { recursive: true, withFileTypes: true })) {
    const path = relative(gitDir, join(d.parentPath, d.name));
    if (d.isFile() && (opts.remotes || !path.startsWith('refs/remotes/')))
      out[path] = readFileSync(join(gitDir, path), 'utf8');
  }
  return out;
}

/**
 * The commit a ref names, read from git's files as git stores them (a loose ref file, else packed-refs; `HEAD`
 * followed when it names a branch): no git process, for the tests that check the branch and the remote after
 * each step. `repo` is a clone (its .git is used) or a bare repository.
 */
export function headOf(repo: string, ref = 'HEAD'): string {
  const gitDir = existsSync(join(repo, '.git')) ? join(repo, '.git') : repo;
  let name = ref === 'HEAD' || ref.startsWith('refs/') ? ref : `refs/heads/${ref}`;
  if (name === 'HEAD') {
    const head = readFileSync(join(gitDir, 'HEAD'), 'utf8').trim();
    if (!head.startsWith('ref: ')) return head;
    name = head.slice(5);
  }
  if (existsSync(join(gitDir, name))) return readFileSync(join(gitDir, name), 'utf8').trim();
  const packed = existsSync(join(gitDir, 'packed-refs')) ? readFileSync(join(gitDir, 'packed-refs'), 'utf8') : '';
  const line = packed.split('\n').find((l) => l.endsWith(` ${name}`));
  if (!line) throw new Error(`headOf(${repo}, ${ref}): no ref ${name} in ${gitDir}`);
  return line.slice(0, line.indexOf(' '));
}

/** The linked work trees git has registered in `gitDir` (.git/worktrees: each one's HEAD and lock). */
export function worktreeFiles(gitDir: string): Record<string, string> {
  const admin = join(gitDir, 'worktrees');
  const out: Record<string, string> = {};
  if (!existsSync(admin)) return out;
  for (const name of readdirSync(admin))
    for (const f of ['HEAD', 'locked', 'gitdir'])
      if (existsSync(join(admin, name, f))) out[`${name}/${f}`] = readFileSync(join(admin, name, f), 'utf8');
  return out;
}

/**
 * What a refused command must leave as it was in a clone, with one git process: its refs and registered work
 * trees (above), and `git status --porcelain=v2` with untracked files: with HEAD's commit unchanged, the index
 * and the work tree are unchanged exactly when this is (it lists every entry whose index or work-tree side
 * differs from HEAD, with the index's mode and object id, and every untracked file).
 */
export function cloneState(
  repo: string,
  opts: { remotes?: boolean } = {},
): { refs: Record<string, string>; worktrees: Record<string, string>; status: string } {
  return {
    refs: refFiles(join(repo, '.git'), opts),
    worktrees: worktreeFiles(join(repo, '.git')),
    status: gitRaw(repo, ['status', '--porcelain=v2', '--untracked-files=all']),
  };
}

export interface Fixture {
  dir: string;
  remote: string;
  seed: string;
  clone(name: string, user?: string): string;
  /** Writes files in the seed clone, commits them at `date` and pushes. */
  commit(files: Record<string, string>, message: string, date: string): string;
  cleanup(): void;
}

// One template per test file (module instance): an empty bare remote and a seed repository already
// configured as its clone. A fixture copies it (no git process), commits its files once, and makes
// further clones by copying the seed (a clone is a copy of the seed when the seed is at the remote's
// head), so a test starts no `git init`/`git clone` of its own.
let template: string | undefined;

function makeTemplate(): string {
  sweepTemplates();
  const dir = mkdtempSync(join(tmpdir(), `gitops-sync-template-${process.pid}-`));
  git(dir, ['init', '-q', '--bare', '-b', 'main', 'remote.git']);
  // No `git gc --auto` after each push: with a few dozen objects it never has work, but it is a process.
  appendFileSync(join(dir, 'remote.git', 'config'), '[receive]\n\tautogc = false\n');
  git(dir, ['init', '-q', '-b', 'main', 'seed']);
  writeFileSync(join(dir, 'seed', '.git', 'config'), cloneConfig(join(dir, 'remote.git'), 'seed'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * Removes the templates of test processes that are gone. The pool ends its workers without an 'exit' event,
 * so the handler above does not run at the end of a test run and each run left its template in the temp
 * directory; the next run removes them (the creating pid is in the name; a live one's is left alone).
 */
function sweepTemplates(): void {
  for (const name of readdirSync(tmpdir())) {
    const pid = Number(/^gitops-sync-template-(\d+)-/.exec(name)?.[1]);
    if (pid && pid !== process.pid && !processAlive(pid))
      rmSync(join(tmpdir(), name), { recursive: true, force: true });
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A clone's .git/config. maintenance.auto off: git commit, fetch and merge would each start
 * `git maintenance run --auto`, which has nothing to do in a repository of a few dozen objects (a process each).
 */
function cloneConfig(remote: string, user: string): string {
  return `[core]
\trepositoryformatversion = 0
\tfilemode = true
\tbare = false
\tlogallrefupdates = true
[remote "origin"]
\turl = ${remote}
\tfetch = +refs/heads/*:refs/remotes/origin/*
[branch "main"]
\tremote = origin
\tmerge = refs/heads/main
[user]
\tname = ${user}
\temail = ${user}@cern.example
[maintenance]
\tauto = false
`;
}

const refOf = (gitDir: string, ref: string): string | undefined => {
  try {
    return readFileSync(join(gitDir, ref), 'utf8').trim();
  } catch {
    return undefined;
  }
};

export function createFixture(
  tags: Record<string, Partial<Record<'dev' | 'preprod' | 'prod', string | null>>>,
  opts: { environments?: Record<string, string>; date?: string } = {},
): Fixture {
  template ??= makeTemplate();
  const dir = mkdtempSync(join(tmpdir(), 'gitops-sync-test-'));
  cpSync(template, dir, { recursive: true });
  const remote = join(dir, 'remote.git');
  const seed = join(dir, 'seed');
  writeFileSync(join(seed, '.git', 'config'), cloneConfig(remote, 'seed'));
  let pushed = false;
  const commit = (files: Record<string, string>, message: string, date: string): string => {
    if (pushed && refOf(remote, 'refs/heads/main') !== refOf(join(seed, '.git'), 'refs/heads/main'))
      git(seed, ['pull', '-q', '--ff-only', 'origin', 'main']);
    for (const [p, text] of Object.entries(files)) {
      mkdirSync(dirname(join(seed, p)), { recursive: true });
      writeFileSync(join(seed, p), text);
    }
    git(seed, ['add', '--', ...Object.keys(files)]);
    git(seed, ['commit', '-q', '-m', message], { GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date });
    git(seed, ['push', '-q', 'origin', 'HEAD:main']);
    pushed = true;
    return refOf(join(seed, '.git'), 'refs/heads/main') ?? git(seed, ['rev-parse', 'HEAD']);
  };
  const clone = (name: string, user = name): string => {
    const path = join(dir, name);
    const head = refOf(remote, 'refs/heads/main');
    if (head === undefined || head !== refOf(join(seed, '.git'), 'refs/heads/main')) {
      git(dir, ['clone', '-q', remote, path]); // the seed is behind (or the ref is packed): a real clone
    } else {
      cpSync(seed, path, { recursive: true });
    }
    writeFileSync(join(path, '.git', 'config'), cloneConfig(remote, user));
    return path;
  };
  const files: Record<string, string> = {};
  for (const [env, text] of Object.entries(opts.environments ?? ENVIRONMENTS))
    files[`environments/${env}/environment.yaml`] = text;
  for (const [service, envs] of Object.entries(tags)) {
    for (const [env, tag] of Object.entries(envs))
      if (tag !== undefined) files[`environments/${env}/values/${service}.yaml`] = overlay(service, env, tag);
  }
  files['catalog/cluster.yaml'] = `name: cmsweb\nenvironments:\n${Object.keys(opts.environments ?? ENVIRONMENTS)
    .map((e) => `  - name: ${e}\n`)
    .join('')}`;
  commit(files, 'initial layout', opts.date ?? at(0));
  return { dir, remote, seed, clone, commit, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  json: any;
}

function parse(stdout: string): unknown {
  try {
    return JSON.parse(stdout);
  } catch {
    return undefined;
  }
}

export function cliEnv(now: string, requester?: string): Record<string, string> {
  return {
    GITOPS_SYNC_NOW: now,
    ...(requester ? { GITOPS_SYNC_REQUESTER: requester } : {}),
    NO_COLOR: '1',
    GITOPS_SYNC_VALIDATOR: FAKE_VALIDATOR,
  };
}

/** Runs the real CLI as a child process (argv array, no shell). */
export function cli(cwd: string, args: string[], now: string, extraEnv: Record<string, string> = {}): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ...cliEnv(now), ...extraEnv },
    timeout: 120_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, json: parse(r.stdout) };
}

export function cliAsync(
  cwd: string,
  args: string[],
  now: string,
  extraEnv: Record<string, string> = {},
): Promise<CliResult> {
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd,
      env: { ...process.env, ...cliEnv(now), ...extraEnv },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('close', (code) => resolvePromise({ code: code ?? -1, stdout, stderr, json: parse(stdout) }));
  });
}

export function read(repo: string, path: string): string {
  return readFileSync(join(repo, path), 'utf8');
}

/** `git show REV:path` in a repository (the bare remote works too). */
export function show(repo: string, rev: string, path: string): string {
  return git(repo, ['show', `${rev}:${path}`]);
}

/** A small seeded generator (mulberry32), so "random" test cases are the same on every run. */
export function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

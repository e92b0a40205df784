import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { Readable } from 'node:stream';
import { runChartCommand, runManifestsCommand, runRepoCommand } from '../src/commands.js';
import type { Finding } from '../src/findings.js';

export const TEST_DIR = dirname(fileURLToPath(import.meta.url));
export const FIXTURES = join(TEST_DIR, 'fixtures');
export const FIXTURE_REPO = join(FIXTURES, 'repo');
export const PACKAGE_DIR = join(TEST_DIR, '..');
export const REPO_ROOT = join(PACKAGE_DIR, '..', '..');
export const CORPUS = join(REPO_ROOT, '..', 'shared', 'corpus');
const BIN = join(PACKAGE_DIR, 'bin', 'validator.js');

/** A temp copy of `base`, with the files of `overlayDir` on top and the paths listed in its `.delete` removed. */
export function tempRepo(base = FIXTURE_REPO, overlayDir?: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'validator-repo-'));
  cpSync(base, dir, { recursive: true });
  if (overlayDir) {
    cpSync(overlayDir, dir, { recursive: true, filter: (src) => !src.endsWith('/.delete') });
    const del = join(overlayDir, '.delete');
    if (existsSync(del))
      for (const p of readFileSync(del, 'utf8').split('\n').filter(Boolean)) rmSync(join(dir, p), { force: true });
  }
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Pure: the service a repository file belongs to (its catalog entry, chart, overlays, Argo CD and Flux objects), if any. */
export function serviceOfFile(rel: string): string | undefined {
  return (
    rel.match(/^catalog\/services\/([^/]+)\.ya?ml$/)?.[1] ??
    rel.match(/^charts\/([^/]+)/)?.[1]?.replace(/^_library$/, '') ??
    rel.match(/^environments\/[^/]+\/(?:values|argocd\/apps|flux\/helmreleases)\/([^/]+)\.ya?ml$/)?.[1]
  );
}

/**
 * Copies `source`'s catalog, charts and environments to `dest`: with `keep`, only those services' own files
 * beside every shared one (cluster.yaml, the chart library, environment files). A test whose claim is about a
 * few services then regenerates, renders and validates those, not the ~90 of this repository.
 */
export function copyRepo(source: string, dest: string, keep?: readonly string[]): void {
  for (const dir of ['catalog', 'charts', 'environments'])
    cpSync(join(source, dir), join(dest, dir), {
      recursive: true,
      filter: (src) => {
        if (!keep) return true;
        const service = serviceOfFile(relative(source, src));
        return !service || keep.includes(service);
      },
    });
}

/** What `--output json` prints (the findings as src/findings.ts defines them). */
export interface JsonReport {
  summary: { resources: number; errors: number; warnings: number };
  findings: Finding[];
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI (bin/validator.js) as a user would; `input` is piped to standard input. */
export function runCli(
  args: string[],
  options: { cwd?: string; input?: string | Buffer; env?: Record<string, string> } = {},
): CliRun {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    input: options.input,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, NO_COLOR: '1', ...options.env },
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/**
 * The repository command of the CLI (`validator --root ROOT --output FORMAT --env … --service …`) run in
 * this process: the same function and reporter the CLI calls, without a child process, so that the
 * compiled schemas are shared by every run of a test file (the CLI compiles them once per process). The
 * exit code and the standard output the CLI would print; bad input throws the CLI's UsageError. A few
 * end-to-end runs of the real CLI stay (repo-e2e's CLI contract) for argument parsing and exit codes.
 */
export async function runRepoInProcess(
  root: string,
  options: { env?: string[]; service?: string[]; output?: string; renderer?: string; renderStore?: string } = {},
): Promise<CliRun> {
  const out = await runRepoCommand({
    root,
    output: options.output ?? 'json',
    env: options.env ?? [],
    service: options.service ?? [],
    renderer: options.renderer ?? 'helm',
    ...(options.renderStore ? { renderStore: options.renderStore } : {}),
    schemaLocation: [],
    color: false,
  });
  return { code: out.exitCode, stdout: out.stdout, stderr: '' };
}

/**
 * The chart command of the CLI (`validator chart DIR …`) in this process, as runRepoInProcess: the exit code
 * and standard output the CLI would print; bad input throws the CLI's UsageError (which the CLI prints as
 * `validator: MESSAGE` with exit 2, proven by a CLI run in render-timeout.test.ts).
 */
export async function runChartInProcess(
  dir: string,
  options: {
    values?: string[];
    namespace?: string;
    output?: string;
    renderer?: string;
    renderTimeout?: string;
    root?: string;
  } = {},
): Promise<CliRun> {
  const out = await runChartCommand(dir, {
    root: options.root ?? REPO_ROOT,
    output: options.output ?? 'text',
    values: options.values ?? [],
    namespace: options.namespace ?? 'default',
    renderer: options.renderer ?? 'helm',
    schemaLocation: [],
    color: false,
    ...(options.renderTimeout !== undefined ? { renderTimeout: options.renderTimeout } : {}),
  });
  return { code: out.exitCode, stdout: out.stdout, stderr: out.stderr ?? '' };
}

/**
 * The manifests command of the CLI (`validator manifests PATH… --root ROOT …`) in this process, as
 * runRepoInProcess. Paths as the CLI resolves them against its working directory: give them absolute (a
 * test must not change this process's directory); `input` is what standard input would carry for "-".
 */
export async function runManifestsInProcess(
  paths: string[],
  options: {
    root?: string;
    output?: string;
    crd?: string[];
    schemaLocation?: string[];
    kubeVersion?: string;
    input?: string;
  } = {},
): Promise<CliRun> {
  const out = await runManifestsCommand(
    paths,
    {
      root: options.root ?? REPO_ROOT,
      output: options.output ?? 'json',
      schemaLocation: options.schemaLocation ?? [],
      crd: options.crd ?? [],
      color: false,
      ...(options.kubeVersion !== undefined ? { kubeVersion: options.kubeVersion } : {}),
    },
    Readable.from([Buffer.from(options.input ?? '')]),
  );
  return { code: out.exitCode, stdout: out.stdout, stderr: out.stderr ?? '' };
}

/** A small chart in `base`/`name` (Chart.yaml, values.yaml `x: 1`, and `files` by chart-relative path). */
export function writeChart(base: string, name: string, files: Record<string, string>): string {
  const dir = join(base, name);
  const all = { 'Chart.yaml': `apiVersion: v2\nname: ${name}\nversion: 0.1.0\n`, 'values.yaml': 'x: 1\n', ...files };
  for (const [p, text] of Object.entries(all)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), text);
  }
  return dir;
}

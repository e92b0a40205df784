import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCatalog, type Catalog } from '@cmsweb/catalog';
import { createRenderer, planGeneration, readTemplateSources } from '../src/index.js';
import { main } from '../src/main.js';

export const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
export const repoRoot = join(packageDir, '..', '..');
export const fixtureRepo = join(packageDir, 'test', 'fixtures', 'repo');
export const goldenDir = join(packageDir, 'test', 'golden');
const bin = join(packageDir, 'bin', 'chartgen.js');

const tempDirs: string[] = [];

/** A temp copy of `src`'s catalog/ (and environments/ when `withEnvironments`) under os.tmpdir(). */
export function copyRepo(src: string, withEnvironments = false): string {
  const dir = mkdtempSync(join(tmpdir(), 'chartgen-test-'));
  tempDirs.push(dir);
  cpSync(join(src, 'catalog'), join(dir, 'catalog'), { recursive: true });
  if (withEnvironments) cpSync(join(src, 'environments'), join(dir, 'environments'), { recursive: true });
  return dir;
}

export function removeTempDirs(): void {
  for (const d of tempDirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI as a child process (`node packages/chartgen/bin/chartgen.js ...`). */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    // No colour settings at all: nx sets FORCE_COLOR, and node warns on stderr when NO_COLOR meets it.
    const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
    delete childEnv.FORCE_COLOR;
    delete childEnv.NO_COLOR;
    const child = spawn(process.execPath, [bin, ...args], { env: childEnv });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/**
 * The same command line in this process (src/main.ts, which src/cli.ts runs): exit code and output as the
 * process would give them, without starting node. `env` is what DEBUG is read from.
 */
export async function runMain(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    stdout: (s) => void (stdout += s),
    stderr: (s) => void (stderr += s),
    progress: { isTTY: false, write: () => true },
    env,
    cwd: process.cwd(),
  });
  return { code, stdout, stderr };
}

/** Every file under `dir` (relative paths, `/`-separated) with its content. */
export function readDirTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, e.name);
      if (e.isDirectory()) walk(full);
      else out.set(relative(dir, full).split(sep).join('/'), readFileSync(full, 'utf8'));
    }
  };
  walk(dir);
  return new Map([...out.entries()].sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** Inode of every file under `dir`: a rewrite (temp + rename) gives a file a new inode. */
export function inodes(dir: string): Map<string, number> {
  return new Map([...readDirTree(dir).keys()].map((p) => [p, statSync(join(dir, p)).ino]));
}

/** Loads a catalog from disk the way the CLI does, failing the test on findings. */
export function loadCatalogFrom(root: string): Catalog {
  const services = readdirSync(join(root, 'catalog', 'services'))
    .filter((n) => n.endsWith('.yaml'))
    .sort();
  const read = (rel: string) => ({ path: rel, text: readFileSync(join(root, rel), 'utf8') });
  const loaded = loadCatalog(
    read('catalog/cluster.yaml'),
    services.map((n) => read(`catalog/services/${n}`)),
  );
  if (!loaded.catalog)
    throw new Error(
      `catalog under ${root} has findings:\n${loaded.findings.map((f) => `${f.file}:${f.line}:${f.column}: ${f.message}`).join('\n')}`,
    );
  return loaded.catalog;
}

/** The plan for a catalog on disk, with no overlays or environment files existing yet. */
export async function planFrom(root: string, existing: ReadonlySet<string> = new Set()): Promise<Map<string, string>> {
  return planGeneration({
    catalog: loadCatalogFrom(root),
    existing,
    renderer: createRenderer(await readTemplateSources()),
  });
}

/** Runs `fn` over `items` with at most `limit` running at once; results in input order. */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** The catalogs every consumer test runs on: the bundled CMSWEB one and the test fixtures. */
export const webshopRepo = join(packageDir, 'test', 'fixtures', 'webshop');
export const consumerCatalogs: Array<[string, string]> = [
  ['repository', repoRoot],
  ['fixture', fixtureRepo],
  ['webshop', webshopRepo],
];

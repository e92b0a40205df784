import { createHash } from 'node:crypto';
import { type Dirent, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { runHelm } from '@cmsweb/toolchain';
import type { Renderer, RenderRequest, RenderResult } from './renderer.js';

// `--render-store DIR`: helm's output kept on disk under a key made of everything the render depends on
// (the renderer and helm version, the request with repository-relative paths, the bytes of every file of the
// chart and of its file:// dependencies, of every value file and --set-file file). A run finds a render
// another run made and does not start helm again. The nx targets use it so that the cluster project, which
// checks every service together, replays the renders each svc-<name>:validate left in its cached outputs
// (.nx-results/renders/<service>/) instead of rendering the whole repository again. Content-addressed, the
// store can only return the render of the same inputs: a stale or foreign entry is never a wrong answer.

/**
 * Pure: how a path enters the key: repository-relative (keys stay valid across checkouts); outside the
 * repository (the temp copy of a chart a Flux render gets, with its dependencies in charts/) by role, as
 * its contents are hashed anyway.
 */
function label(path: string, root: string, chartDir: string): string {
  const rel = relative(root, path);
  if (!rel.startsWith('..') && !isAbsolute(rel)) return rel;
  return resolve(path) === resolve(chartDir) ? '@chart' : `@outside/${basename(path)}`;
}

/** Pure: the request with its paths as labels, without the timeout (which does not change a finished render). */
function portableRequest(req: RenderRequest, root: string): Omit<RenderRequest, 'timeoutSeconds'> {
  const rel = (p: string) => label(p, root, req.chartDir);
  const { timeoutSeconds: _timeout, ...rest } = req;
  return {
    ...rest,
    chartDir: rel(req.chartDir),
    valueFiles: req.valueFiles.map(rel),
    ...(req.setFile ? { setFile: req.setFile.map((s) => ({ name: s.name, value: rel(s.value) })) } : {}),
  };
}

/** Shell: the chart directories a render reads: the chart and, transitively, its file:// dependencies. */
function chartDirs(chartDir: string, seen = new Set<string>()): string[] {
  const dir = resolve(chartDir);
  if (seen.has(dir)) return [];
  seen.add(dir);
  const out = [dir];
  let text = '';
  try {
    text = readFileSync(join(dir, 'Chart.yaml'), 'utf8');
  } catch {
    return out; // helm reports the missing Chart.yaml; the key still covers the directory's files
  }
  // A line scan, not a YAML parse: over-including a directory only makes the key stricter.
  for (const m of text.matchAll(/repository:\s*["']?file:\/\/([^"'\s#]+)/g))
    out.push(...chartDirs(join(dir, m[1]!), seen));
  return out;
}

function hashTree(hash: ReturnType<typeof createHash>, dir: string, label: string): void {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    hash.update(`${label}\0absent\0`);
    return;
  }
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const path = `${label}/${e.name}`;
    if (e.isDirectory()) hashTree(hash, join(dir, e.name), path);
    else
      hash
        .update(`${path}\0`)
        .update(fileBytes(join(dir, e.name)))
        .update('\0');
  }
}

function fileBytes(file: string): Buffer | string {
  try {
    return readFileSync(file);
  } catch {
    return '\0absent';
  }
}

/**
 * The digest of a chart directory; `memo` keeps those inside the repository for one run (the library chart is
 * in every render's key), a temp copy outside it (Flux's) is hashed each time, as its path may come again.
 */
function treeDigest(dir: string, root: string, memo?: Map<string, string>): string {
  const inside = !relative(root, dir).startsWith('..');
  const known = inside ? memo?.get(dir) : undefined;
  if (known) return known;
  const hash = createHash('sha256');
  hashTree(hash, dir, '.');
  const digest = hash.digest('hex');
  if (inside) memo?.set(dir, digest);
  return digest;
}

let helmVersion: Promise<string> | undefined;
/** The helm that renders (its version and commit), once per process. */
function currentHelm(): Promise<string> {
  helmVersion ??= runHelm(['version', '--template', '{{.Version}}+{{.GitCommit}}']).then((r) =>
    r.code === 0 ? r.stdout.trim() : `unknown:${r.stderr.trim()}`,
  );
  return helmVersion;
}

let engineDigest: string | undefined;
/** The native renderer's engine: a digest of @cmsweb/helm-engine's compiled files, once per process. */
function currentEngine(): string {
  if (engineDigest === undefined) {
    const hash = createHash('sha256');
    hashTree(hash, dirname(createRequire(import.meta.url).resolve('@cmsweb/helm-engine')), '.');
    engineDigest = hash.digest('hex');
  }
  return engineDigest;
}

/** Shell: the store key of a render (`memo`: chart digests of this run, see treeDigest). */
export async function renderKey(
  renderer: string,
  req: RenderRequest,
  root: string,
  memo?: Map<string, string>,
): Promise<string> {
  const hash = createHash('sha256');
  // A native render (--set lines included) depends on the engine only; a helm one on helm's version.
  const helm = renderer === 'helm';
  hash.update(`renderer:${renderer}\0helm:${helm ? await currentHelm() : ''}\0`);
  if (renderer !== 'helm') hash.update(`engine:${currentEngine()}\0`);
  hash.update(JSON.stringify(portableRequest(req, root)));
  for (const dir of chartDirs(req.chartDir))
    hash.update(`${label(dir, root, req.chartDir)}\0${treeDigest(dir, root, memo)}\0`);
  for (const f of [...req.valueFiles, ...(req.setFile ?? []).map((s) => s.value)])
    hash.update(`\0${label(f, root, req.chartDir)}\0`).update(fileBytes(f));
  return hash.digest('hex');
}

/** Shell: the chart's name (Chart.yaml `name:`, the service for a generated chart), else its directory's. */
function chartName(chartDir: string): string {
  const m = /^name:\s*["']?([A-Za-z0-9][-A-Za-z0-9_.]*)/m.exec(fileBytes(join(chartDir, 'Chart.yaml')).toString());
  return m?.[1] ?? basename(chartDir);
}

/**
 * Shell: `inner` behind the store at `dir` (entries under <dir>/<chart name>/<key>.json, so that the
 * renders of one service, Argo CD's and Flux's, are one folder: the output of its nx target). A render
 * that timed out is not stored: the next run tries again.
 */
export function storedRenderer(inner: Renderer, dir: string, root: string): Renderer {
  const memo = new Map<string, string>(); // one renderer, one run: the charts do not change under it
  return {
    name: inner.name,
    async render(req: RenderRequest): Promise<RenderResult> {
      const file = join(dir, chartName(req.chartDir), `${await renderKey(inner.name, req, root, memo)}.json`);
      if (existsSync(file)) {
        try {
          const stored = JSON.parse(readFileSync(file, 'utf8')) as RenderResult;
          if (typeof stored.manifests === 'string') return stored;
        } catch {
          // a damaged entry is rendered again and replaced
        }
      }
      const result = await inner.render(req);
      if (result.error?.kind !== 'timeout') {
        mkdirSync(dirname(file), { recursive: true });
        const tmp = `${file}.${process.pid}.tmp`;
        writeFileSync(tmp, JSON.stringify(result));
        renameSync(tmp, file); // atomic: a concurrent reader sees the whole entry or none
      }
      return result;
    },
  };
}

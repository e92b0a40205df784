import { type ChildProcess, fork } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { parseAllDocuments, parse } from 'yaml';
import { type HelmResult, type HelmRunOptions, helmBinary, runHelm as runHelmHere } from '@cmsweb/toolchain';
import { mapLimit, packageDir } from './helpers.js';

let spawner: { child: ChildProcess; ready: Promise<void> } | undefined;
let nextId = 0;
const pending = new Map<number, { resolve: (r: HelmResult) => void; reject: (e: Error) => void }>();
let spawnerUsers = 0;

/**
 * From now on (until the returned function is awaited, in afterAll) this process's helms are started by
 * test/fixtures/helm-spawner.mjs. The stop waits for the spawner to exit, so that this process reaps it: its CPU
 * and its helms' are then counted as this process's children (an orphan's would be nobody's).
 */
export function useHelmSpawner(): () => Promise<void> {
  spawnerUsers++;
  let stopped = false;
  return async () => {
    if (stopped) return;
    stopped = true;
    if (--spawnerUsers > 0 || !spawner) return;
    const { child } = spawner;
    spawner = undefined;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.ref(); // until it has exited and been reaped
    child.disconnect();
    await exited;
  };
}

/**
 * `runHelm` (@cmsweb/toolchain); while a test file uses the spawner (useHelmSpawner), run by
 * test/fixtures/helm-spawner.mjs: a small process forked once, which starts the helms. A start of helm from
 * vitest's process (hundreds of MB; libuv forks it) costs about 30 ms more CPU than from a 50 MB one (300
 * starts of /bin/true from a 450 MB Node process: 17-19 CPU s; through the spawner: 9-11, its start included).
 * The result is runHelm's, whatever process ran it.
 */
export function runHelm(args: string[], options: HelmRunOptions = {}): Promise<HelmResult> {
  if (spawnerUsers === 0) return runHelmHere(args, options);
  if (!spawner) {
    const child = fork(join(packageDir, 'test', 'fixtures', 'helm-spawner.mjs'), [], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      // Not vitest's flags (`--conditions source` would resolve @cmsweb/toolchain to TypeScript): plain node, dist/.
      execArgv: [],
    });
    const ready = new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`helm-spawner.mjs exited (${code}) before it was ready`)));
    });
    child.on('message', (m: { id?: number; result?: HelmResult; error?: string }) => {
      const p = m.id === undefined ? undefined : pending.get(m.id);
      if (!p) return;
      pending.delete(m.id!);
      if (pending.size === 0) child.channel?.unref();
      if (m.error !== undefined) p.reject(new Error(`helm did not start: ${m.error}`));
      else p.resolve(m.result!);
    });
    child.on('exit', (code, signal) => {
      if (spawner?.child === child) spawner = undefined;
      for (const p of pending.values())
        p.reject(new Error(`helm-spawner.mjs died (${code ?? signal}) with helm running`));
      pending.clear();
    });
    // It must not keep this process alive once no helm is awaited: the channel is unreferenced when idle.
    child.unref();
    spawner = { child, ready };
  }
  const { child, ready } = spawner;
  return ready.then(
    () =>
      new Promise<HelmResult>((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve, reject });
        child.channel?.ref();
        // helmBinary() reads HELM_BIN at each call: this process's, not the one it had when the spawner started.
        child.send({ id, args, options, helmBin: process.env.HELM_BIN });
      }),
  );
}

/** A rendered Kubernetes object, loosely typed for assertions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type K8sObject = Record<string, any>;

export interface Rendered {
  code: number;
  stdout: string;
  stderr: string;
  objects: K8sObject[];
}

/**
 * `helm template <svc> charts/<svc> -n <ns> -f <overlay>` with the real helm; objects parsed with the yaml package,
 * unless `parse` is false (a comparison of the printed bytes: parsing a render costs about as much CPU as a
 * tenth of the helm process, for nothing).
 */
export async function helmTemplate(
  root: string,
  service: string,
  namespace: string,
  valueFiles: string[],
  parse = true,
): Promise<Rendered> {
  const args = [
    'template',
    service,
    join(root, 'charts', service),
    '--namespace',
    namespace,
    ...valueFiles.flatMap((f) => ['-f', f]),
  ];
  const r = await cachedTemplate(args, [join(root, 'charts', service), ...valueFiles]);
  const objects =
    r.code === 0 && parse
      ? parseAllDocuments(r.stdout)
          .map((d) => d.toJS() as K8sObject)
          .filter((o) => o && typeof o === 'object')
      : [];
  return { code: r.code, stdout: r.stdout, stderr: r.stderr, objects };
}

/** Environment variable naming the directory of the opt-in render store (see cachedTemplate). */
export const HELM_RENDER_STORE_ENV = 'CHARTGEN_TEST_HELM_RENDERS';

/**
 * Template functions whose output is not a function of the chart and its values (the clock, randomness, the
 * cluster, DNS, salted hashes and generated keys): a chart whose files name one is never stored. A name in a
 * comment only costs the store a chart.
 */
const IMPURE =
  /\b(now|ago|randAlpha|randAlphaNum|randNumeric|randAscii|randBytes|randInt|uuidv4|lookup|getHostByName|htpasswd|bcrypt|genPrivateKey|genCA|genCAWithKey|genSelfSignedCert|genSelfSignedCertWithKey|genSignedCert|genSignedCertWithKey|encryptAES)\b/;

let helmDigest: string | undefined;

/**
 * Digest of the path (relative to `dir`) and content of every file under `dir`, in a stable order: what helm may
 * read of a chart. Sets `unsafe.found` when a file names an impure function or the tree holds anything but
 * files and directories.
 */
function treeDigest(dir: string, unsafe: { found: boolean }): string {
  const h = createHash('sha256');
  const entries = readdirSync(dir, { recursive: true, withFileTypes: true });
  // helm follows a symbolic link that this walk does not: such a chart is never stored.
  if (entries.some((e) => !e.isFile() && !e.isDirectory())) unsafe.found = true;
  const files = entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
  for (const f of files) {
    const rel = relative(dir, f);
    let bytes: Buffer = readFileSync(f);
    // A dependency archive (charts/*.tgz, written by helm dependency build) carries the time of the build in its
    // gzip and tar headers: what helm loads of it is each file's name and bytes, so that is what counts.
    if (rel.endsWith('.tgz')) {
      const files = archiveFiles(bytes);
      if (!files) unsafe.found = true;
      bytes = files ?? bytes;
    }
    // Chart.lock's `generated:` is the time of the build too; a template could read it only through .Files.
    if (rel === 'Chart.lock') bytes = Buffer.from(bytes.toString('utf8').replace(/^generated: .*$/m, ''));
    const text = bytes.toString('latin1');
    if (IMPURE.test(text) || text.includes('.Files')) unsafe.found = true;
    h.update(`${rel}\0${bytes.length}\0`).update(bytes);
  }
  return h.digest('hex');
}

/**
 * Pure: the name and content of each file of a gzipped tar (ustar; headers, times and modes left out), or
 * undefined for an archive holding anything else (links, long-name or pax records): not digested here.
 */
function archiveFiles(tgz: Buffer): Buffer | undefined {
  const entries = archiveEntries(tgz);
  return (
    entries &&
    Buffer.concat([...entries].flatMap(([name, bytes]) => [Buffer.from(`${name}\0${bytes.length}\0`), bytes]))
  );
}

/**
 * Pure: each file of a gzipped tar (ustar) by its path, in archive order; undefined when the archive holds
 * anything but files and directories (links, long-name or pax records), whose meaning this reader leaves out.
 */
export function archiveEntries(tgz: Buffer): Map<string, Buffer> | undefined {
  const tar = gunzipSync(tgz);
  const out = new Map<string, Buffer>();
  const field = (at: number, length: number) =>
    tar
      .subarray(at, at + length)
      .toString('utf8')
      .replace(/\0.*$/s, '');
  for (let at = 0; at + 512 <= tar.length && tar[at] !== 0; ) {
    const size = Number.parseInt(field(at + 124, 12).trim() || '0', 8);
    const type = field(at + 156, 1);
    const prefix = field(at + 345, 155);
    const name = prefix ? `${prefix}/${field(at, 100)}` : field(at, 100);
    if (type === '0' || type === '') out.set(name, tar.subarray(at + 512, at + 512 + size));
    else if (type !== '5') return undefined;
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

/**
 * `helm template` with `args`, whose files are `inputs` (the chart directory first, then the values files).
 *
 * Opt-in (HELM_RENDER_STORE_ENV=<dir>, off by default: then every call runs the real helm): a successful render
 * is stored under the sha256 of everything its output is a function of (the helm binary's bytes, the arguments
 * with each input path replaced by the digest of its bytes, every file of the chart directory with its relative
 * path, every values file), and a later call with exactly those inputs is given the stored output instead of
 * starting helm. Failures are never stored, nor charts that name an impure template function (IMPURE) or `.Files`,
 * or hold a symbolic link.
 */
async function cachedTemplate(args: string[], inputs: string[]): Promise<HelmResult> {
  const store = process.env[HELM_RENDER_STORE_ENV];
  if (!store) return runHelm(args);
  const unsafe = { found: false };
  const digests = new Map(
    inputs.map((p, i) => [
      p,
      i === 0 ? treeDigest(p, unsafe) : createHash('sha256').update(readFileSync(p)).digest('hex'),
    ]),
  );
  if (unsafe.found) return runHelm(args);
  helmDigest ??= createHash('sha256').update(readFileSync(helmBinary())).digest('hex');
  const key = createHash('sha256')
    .update(JSON.stringify([helmDigest, args.map((a) => (digests.has(a) ? `<input ${digests.get(a)}>` : a))]))
    .digest('hex');
  const file = join(store, `${key}.yaml`);
  try {
    return { code: 0, stdout: readFileSync(file, 'utf8'), stderr: '' };
  } catch {
    const r = await runHelm(args);
    if (r.code === 0) {
      mkdirSync(store, { recursive: true });
      // Another test file may store the same render at the same time: each writes its own file and renames it.
      const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
      writeFileSync(tmp, r.stdout);
      renameSync(tmp, file);
    }
    return r;
  }
}

/**
 * `helm lint --strict` of every chart in `chartDirs` with one helm process (helm lints each path in turn,
 * `==> Linting <path>` before each, and fails if any fails): one start of helm instead of one per chart.
 * Returns the problems: each failing chart's section of the output, and any departure from "every chart
 * linted, none failed" (so a helm that skipped a path cannot pass).
 */
export async function lintCharts(chartDirs: string[]): Promise<string[]> {
  const r = await runHelm(['lint', '--strict', ...chartDirs], { timeoutSeconds: 600 });
  const out = `${r.stdout}${r.stderr}`;
  const sections = out.split(/^==> Linting /m).slice(1);
  const problems = sections
    .filter((s) => /^\[(ERROR|WARNING)\]/m.test(s))
    .map((s) => `${s.split('\n')[0]}: ${s.slice(s.indexOf('\n') + 1)}`);
  const linted = sections.map((s) => s.split('\n')[0]);
  if (linted.join('\n') !== chartDirs.join('\n')) problems.push(`helm linted ${JSON.stringify(linted)}`);
  const summary = `${chartDirs.length} chart(s) linted, 0 chart(s) failed`;
  if (r.code !== 0 || !out.includes(summary))
    problems.push(`helm lint exited ${r.code} without "${summary}": ${out.slice(-2000)}`);
  return problems;
}

/** The service charts under `<root>/charts` (every directory but the library). */
export function serviceChartDirs(root: string): string[] {
  return readdirSync(join(root, 'charts'), { withFileTypes: true })
    .filter((e) => e.isDirectory() && e.name !== '_library')
    .map((e) => join(root, 'charts', e.name))
    .sort();
}

/**
 * Argo CD's way: `helm dependency build` in each chart directory (the repo server runs it when
 * `helm template` reports a dependency "missing in charts/ directory"); writes charts/*.tgz and Chart.lock.
 */
export async function buildDependencies(chartDirs: string[]): Promise<string[]> {
  const results = await mapLimit(chartDirs, 4, async (dir) => ({
    dir,
    r: await runHelm(['dependency', 'build', dir]),
  }));
  return results.filter(({ r }) => r.code !== 0).map(({ dir, r }) => `${dir}: ${r.stderr}`);
}

/**
 * Argo CD's way for charts that all depend on the same library in the same way: `helm dependency build` for
 * the first and the last chart only, and what it wrote (charts/*.tgz, Chart.lock) copied into the others.
 * What the build writes is a function of the chart's Chart.yaml dependencies and of the dependency's
 * directory (the lock's `generated` time aside): the copy is made only when every chart declares the same
 * dependencies as the first, and when the two real builds wrote the same archive bytes and the same lock, so
 * a chart whose build would differ is a problem, not a silent copy. One start of helm per chart fewer.
 */
export async function buildSharedDependencies(chartDirs: string[]): Promise<string[]> {
  const [first, last] = [chartDirs[0]!, chartDirs[chartDirs.length - 1]!];
  const problems = await buildDependencies(first === last ? [first] : [first, last]);
  if (problems.length > 0) return problems;
  const wanted = readYaml(join(first, 'Chart.yaml')).dependencies;
  const lock = (dir: string) => readFileSync(join(dir, 'Chart.lock'), 'utf8').replace(/^generated: .*$/m, '');
  const archives = (dir: string) =>
    readdirSync(join(dir, 'charts'))
      .sort()
      .map(
        (f) =>
          `${f} ${createHash('sha256')
            .update(readFileSync(join(dir, 'charts', f)))
            .digest('hex')}`,
      );
  if (lock(last) !== lock(first) || archives(last).join() !== archives(first).join())
    problems.push(`helm dependency build wrote different files for ${first} and ${last}`);
  for (const dir of chartDirs.slice(1, -1)) {
    if (!isDeepStrictEqual(readYaml(join(dir, 'Chart.yaml')).dependencies, wanted)) {
      problems.push(`${dir}: Chart.yaml dependencies differ from ${first}'s: build them for this chart`);
      continue;
    }
    cpSync(join(first, 'charts'), join(dir, 'charts'), { recursive: true });
    cpSync(join(first, 'Chart.lock'), join(dir, 'Chart.lock'));
  }
  return problems;
}

/**
 * Flux's way: source-controller loads each `file://` dependency from its directory (relative to the
 * chart, inside the source artifact) and adds it to the chart as loaded, unpackaged: the same as an
 * unpacked copy of the library under the chart's charts/.
 */
export function vendorLibraryDirectory(root: string, chartDirs: string[]): void {
  for (const dir of chartDirs)
    cpSync(join(root, 'charts', '_library'), join(dir, 'charts', 'cmsweb-library'), { recursive: true });
}

export function find(objects: K8sObject[], kind: string, name?: string): K8sObject | undefined {
  return objects.find((o) => o.kind === kind && (name === undefined || o.metadata?.name === name));
}

/** Helm's merge of values files: maps merge key by key, anything else is replaced. */
export function mergeValues(base: unknown, over: unknown): unknown {
  if (isMap(base) && isMap(over)) {
    const out: Record<string, unknown> = { ...base };
    for (const [k, v] of Object.entries(over)) out[k] = k in base ? mergeValues(base[k], v) : v;
    return out;
  }
  return over === undefined ? base : over;
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function readYaml(path: string): K8sObject {
  return parse(readFileSync(path, 'utf8')) as K8sObject;
}

/** Writes an extra overlay for a test and returns its path. */
export function writeOverlay(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

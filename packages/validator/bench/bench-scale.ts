// Scale: synthetic catalogs of 50, 1,000 and 5,000 services × 3 environments, in one run, side by side:
// `chartgen generate`, a full `validator` run, and `nx affected -t validate` after a one-line tag bump (nx
// start-up included), each as the user runs it (the compiled CLIs, a real git repository, the workspace's nx
// and its plugin). Wall time, CPU time (user + system, the process and every child it waited for, from
// /usr/bin/time when the machine has it) and peak memory (all the command's processes together, see measure).
// The affected run in five situations: without nx's daemon as the first nx command of the checkout (CI on a
// fresh clone) and again; with the daemon, started at the instant of the bump (its recomputation of the
// project graph on the command's path: the worst case), started once the daemon has caught up with the bump
// (an editor's save, seconds before the command), and with --head=HEAD (CI's form). With the daemon, the CPU
// figure adds the daemon's (its own and its runtime inputs', read from /proc before and after).
// `npx tsx packages/validator/bench/bench-scale.ts [sizes...]` (default 50 1000 5000; BENCH_SCALE_RENDERER
// picks the renderer, default native). Figures go into the README ("Performance", scale); no test reads them.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '@cmsweb/toolchain';
import { writeSyntheticCatalog } from '../../chartgen/bench/make-synthetic-catalog.js';
import { runSampled } from './process-tree.js';

const ROOT = repoRoot;
const CHARTGEN = join(ROOT, 'packages', 'chartgen', 'bin', 'chartgen.js');
const VALIDATOR = join(ROOT, 'packages', 'validator', 'bin', 'validator.js');
const NX = join(ROOT, 'node_modules', 'nx', 'dist', 'bin', 'nx.js');
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
const RENDERER = process.env.BENCH_SCALE_RENDERER ?? 'native';
const sizes = process.argv.slice(2).map(Number);
const SIZES = sizes.length && sizes.every((n) => Number.isInteger(n) && n > 0) ? sizes : [50, 1000, 5000];

interface Measure {
  wallS: number;
  cpuS?: number;
  peakMb?: number;
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command to its end; with /usr/bin/time, its CPU time (the reaped render processes included) and
 * peak memory too: the larger of the largest process's (%M) and the sum of all its processes, sampled every
 * 0.2 s.
 */
async function measure(cwd: string, cmd: string, args: string[], env: Record<string, string> = {}): Promise<Measure> {
  const report = join(tmpdir(), `bench-scale-time-${process.pid}.txt`);
  const [file, argv] = TIME ? [TIME, ['-o', report, '-f', '%U %S %M', cmd, ...args]] : [cmd, args];
  const t = performance.now();
  const r = await runSampled(file, argv, {
    cwd,
    env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', NO_COLOR: '1', ...env },
  });
  const m: Measure = { wallS: (performance.now() - t) / 1000, code: r.code, stdout: r.stdout, stderr: r.stderr };
  const treeMb = r.treeMb;
  if (TIME && existsSync(report)) {
    const [user, system, maxKb] = readFileSync(report, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
    rmSync(report, { force: true });
    return { ...m, cpuS: user! + system!, peakMb: Math.max(maxKb! / 1024, treeMb) };
  }
  return m;
}

/**
 * CPU seconds so far of the nx daemon of `ws` and of the children it waited for (Linux /proc; undefined
 * elsewhere or when no daemon runs).
 */
function daemonCpuS(ws: string): number | undefined {
  try {
    const { processId } = JSON.parse(
      readFileSync(join(ws, '.nx', 'workspace-data', 'd', 'server-process.json'), 'utf8'),
    );
    // Fields after the command's closing parenthesis: utime, stime, cutime, cstime are the 12th to 15th.
    const stat = readFileSync(`/proc/${processId}/stat`, 'utf8');
    const f = stat
      .slice(stat.lastIndexOf(')') + 2)
      .split(' ')
      .map(Number);
    return (f[11]! + f[12]! + f[13]! + f[14]!) / 100; // clock ticks: USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}

/** measure() of an nx command served by the daemon: the daemon's CPU over the same time added to the client's. */
async function measureWithDaemon(ws: string, args: string[]): Promise<Measure> {
  const before = daemonCpuS(ws);
  const m = await measure(ws, process.execPath, args, { NX_DAEMON: 'true' });
  const after = daemonCpuS(ws);
  if (m.cpuS === undefined || before === undefined || after === undefined) return { ...m, cpuS: undefined };
  return { ...m, cpuS: m.cpuS + (after - before) };
}

/**
 * Resolves once the daemon of `ws` is back to its idle pace (it recomputes the project graph on its own when
 * it sees changed files, at a full core; idle, it polls at ~5 % of one): a second under 10 % of a core, at
 * most `maxS` seconds; false when it never went quiet or no daemon runs.
 */
async function daemonQuiet(ws: string, maxS = 60): Promise<boolean> {
  let last = daemonCpuS(ws);
  let quiet = 0;
  for (let waited = 0; waited < maxS && last !== undefined; waited += 0.5) {
    await new Promise((r) => setTimeout(r, 500));
    const now = daemonCpuS(ws);
    if (now === undefined) return false;
    quiet = now - last < 0.05 ? quiet + 1 : 0;
    if (quiet >= 2) return true;
    last = now;
  }
  return false;
}

function git(ws: string, ...args: string[]): void {
  const r = spawnSync('git', ['-c', 'user.name=bench', '-c', 'user.email=bench@example.org', ...args], {
    cwd: ws,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
}

/** A git repository with a synthetic catalog of `n` services, nx.json and the nx plugin of this workspace. */
function workspace(base: string, n: number): string {
  const ws = join(base, `scale-${n}`);
  writeSyntheticCatalog(n, ws);
  mkdirSync(join(ws, 'tools'), { recursive: true });
  cpSync(join(ROOT, 'nx.json'), join(ws, 'nx.json'));
  cpSync(join(ROOT, '.env'), join(ws, '.env')); // NX_ISOLATE_PLUGINS=false, as in this repository
  cpSync(join(ROOT, 'tools', 'nx-plugin'), join(ws, 'tools', 'nx-plugin'), { recursive: true });
  if (existsSync(join(ROOT, 'tools', 'nx-executors')))
    cpSync(join(ROOT, 'tools', 'nx-executors'), join(ws, 'tools', 'nx-executors'), { recursive: true });
  // The tools of this workspace (git-ignored there), so the targets run the same validator and helm.
  symlinkSync(join(ROOT, 'node_modules'), join(ws, 'node_modules'));
  symlinkSync(join(ROOT, 'packages'), join(ws, 'packages'));
  symlinkSync(join(ROOT, 'tools', 'bin'), join(ws, 'tools', 'bin'));
  writeFileSync(join(ws, '.gitignore'), 'node_modules\npackages\ntools/bin\n.nx/\n.nx-results/\n');
  git(ws, 'init', '-q', '-b', 'main');
  return ws;
}

const fmt = (m: Measure) =>
  `${m.wallS.toFixed(1)} s wall${m.cpuS === undefined ? '' : `, ${m.cpuS.toFixed(1)} s CPU`}${m.peakMb === undefined ? '' : `, ${m.peakMb.toFixed(0)} MB peak`}`;

const base = mkdtempSync(join(tmpdir(), 'bench-scale-'));
const rows: string[] = [];
try {
  console.log(
    `scale bench: ${SIZES.join(', ')} services × 3 environments; renderer ${RENDERER}; ${TIME ? 'CPU and memory from /usr/bin/time' : 'wall time only (no /usr/bin/time)'}`,
  );
  for (const n of SIZES) {
    const ws = workspace(base, n);
    const generate = await measure(ws, process.execPath, [CHARTGEN, 'generate', '--root', ws, '--quiet']);
    if (generate.code !== 0) throw new Error(`chartgen generate (${n}) exited ${generate.code}: ${generate.stderr}`);
    git(ws, 'add', '-A');
    git(ws, 'commit', '-qm', 'generated');
    const full = await measure(ws, process.execPath, [
      VALIDATOR,
      '--root',
      ws,
      '--renderer',
      RENDERER,
      '--output',
      'json',
    ]);
    if (full.code > 1) throw new Error(`validator (${n}) exited ${full.code}: ${full.stderr}`);
    const summary = (JSON.parse(full.stdout) as { summary: { resources: number; errors: number } }).summary;
    // One line: the dev tag of the second service (a Kubernetes one: every 25th synthetic service is a VM),
    // committed; a new tag before each measure so that no run is served from nx's cache.
    const values = join(ws, 'environments', 'dev', 'values', 'svc-0001.yaml');
    let bumps = 0;
    const bump = () => {
      const tag = `v9.9.${++bumps}-stable`;
      writeFileSync(values, readFileSync(values, 'utf8').replace(/^(\s*tag: ).*$/m, `$1${tag}`));
      git(ws, 'commit', '-qam', `bump svc-0001 in dev to ${tag}`);
    };
    const affectedArgs = [NX, 'affected', '-t', 'validate', '--base=HEAD~1', '--exclude=cluster'];
    const succeeded = (m: Measure, what: string): Measure => {
      if (m.code !== 0) throw new Error(`nx affected ${what} (${n}) exited ${m.code}: ${m.stdout.slice(-2000)}`);
      return m;
    };
    // The one service the bump affects, as `nx affected` runs it (nx start-up and project graph included). The
    // cluster project, also affected, re-runs the cross-service checks over the whole repository: its cost is
    // the full validation's above (less the renders, replayed from the services' cached outputs). First the
    // first nx command of the checkout without the daemon, as in CI on a fresh clone (nx hashes every file).
    bump();
    const cold = succeeded(await measure(ws, process.execPath, affectedArgs), 'without the daemon');
    const done = /Successfully ran target validate for (?:(\d+) projects|project (\S+))/.exec(cold.stdout);
    const ran = done ? (done[1] ?? `1 project: ${done[2]}`) : '? projects';
    // Again without the daemon (NX_DAEMON=false on a developer's machine): nx's file hashes are on disk now.
    bump();
    const again = succeeded(await measure(ws, process.execPath, affectedArgs), 'without the daemon, again');
    // With nx's daemon running, as on a developer's machine (nx starts it by default outside CI): it keeps the
    // project graph in memory and recomputes it when it sees changed files.
    const daemonEnv = { NX_DAEMON: 'true' };
    await measure(ws, process.execPath, [NX, 'show', 'projects'], daemonEnv); // starts the daemon, builds the graph
    let atOnce: Measure;
    let caughtUp: Measure;
    let committed: Measure;
    try {
      // Started at the instant of the bump: the daemon's recomputation is on the command's path.
      bump();
      atOnce = succeeded(await measureWithDaemon(ws, affectedArgs), 'with the daemon');
      // Started once the daemon has caught up with the bump: a developer saves the file and types the command.
      bump();
      if (!(await daemonQuiet(ws))) throw new Error(`nx daemon (${n}) did not go quiet within 60 s of the bump`);
      caughtUp = succeeded(await measureWithDaemon(ws, affectedArgs), 'with the daemon caught up');
      // As in CI (`--head=HEAD`): nx compares the two commits only, without listing the working tree's changed
      // and untracked files (two git commands that stat every file, ~0.8 s at 5,000 services).
      bump();
      committed = succeeded(await measureWithDaemon(ws, [...affectedArgs, '--head=HEAD']), 'with --head=HEAD');
    } finally {
      await measure(ws, process.execPath, [NX, 'daemon', '--stop'], daemonEnv);
    }
    rows.push(
      `| ${n.toLocaleString('en')} | ${fmt(generate)} | ${fmt(full)} (${summary.resources.toLocaleString('en')} resources) | ${fmt(cold)} (${ran}) | ${fmt(again)} | ${fmt(atOnce)} | ${fmt(caughtUp)} | ${fmt(committed)} |`,
    );
    console.log(rows.at(-1));
    rmSync(ws, { recursive: true, force: true });
  }
  console.log(
    '\n| services | generate | full validation | nx affected -t validate after one bump (cluster excluded): no daemon, first nx command of the checkout (as in CI) | no daemon, again | nx daemon running, started at the bump (CPU: client + daemon) | daemon, started once it caught up | daemon, --head=HEAD, started at the bump |',
  );
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(r);
} finally {
  rmSync(base, { recursive: true, force: true });
}

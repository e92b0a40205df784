// Start-up of the three tools beside the baselines, in one run: `node -e 0` (the floor any Node CLI pays),
// `helm version` (the Go binary next to them) and `<tool> --help` of each compiled tool. Commands run
// round-robin (so a load spike hits them all alike) and each figure is the median of the runs.
// `npm run bench -- startup` prints only this section; `--runs N` sets the run count (default 15).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * CPU milliseconds (user + system) of the waited-for children of this process so far, from /proc (Linux;
 * 10 ms ticks), or undefined elsewhere. Unlike the wall clock it does not grow when other work shares the cores.
 */
function childrenCpuMs() {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
    return (Number(fields[13]) + Number(fields[14])) * 10; // cutime, cstime (fields 16, 17) in USER_HZ = 100
  } catch {
    return undefined;
  }
}

/** Wall-clock and CPU milliseconds of one run of `argv` (spawn to exit). */
function timeOnce(argv, cwd) {
  const cpu0 = childrenCpuMs();
  const start = process.hrtime.bigint();
  const r = spawnSync(argv[0], argv.slice(1), { cwd, stdio: 'ignore' });
  const wall = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status ?? r.signal}`);
  const cpu1 = childrenCpuMs();
  return { wall, cpu: cpu0 === undefined || cpu1 === undefined ? Number.NaN : cpu1 - cpu0 };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

export function benchStartup(root, runs = 15) {
  const node = process.execPath;
  const helm = join(root, 'tools', 'bin', 'helm');
  const rows = [
    ['node -e 0', [node, '-e', '0']],
    ...(existsSync(helm) ? [['helm version', [helm, 'version']]] : []),
    ...['chartgen', 'validator', 'gitops-sync'].map((t) => [
      `${t} --help`,
      [node, join(root, 'packages', t, 'bin', `${t}.js`), '--help'],
    ]),
  ];
  for (const [, argv] of rows) timeOnce(argv, root); // warm the file cache
  const samples = rows.map(() => []);
  for (let i = 0; i < runs; i++) rows.forEach(([, argv], k) => samples[k].push(timeOnce(argv, root)));
  const wall = samples.map((s) => median(s.map((x) => x.wall)));
  const cpu = samples.map((s) => median(s.map((x) => x.cpu)));
  const cell = (v) => (Number.isNaN(v) ? '-' : v.toFixed(0)).padStart(6);
  console.log(
    `start-up, median of ${runs} runs, in ms (wall clock; CPU = user + system; +node = above \`node -e 0\`):`,
  );
  console.log(
    `  ${'command'.padEnd(22)} ${'wall'.padStart(6)} ${'+node'.padStart(6)} ${'CPU'.padStart(6)} ${'+node'.padStart(6)}`,
  );
  rows.forEach(([name], k) => {
    console.log(
      `  ${name.padEnd(22)} ${cell(wall[k])} ${cell(wall[k] - wall[0])} ${cell(cpu[k])} ${cell(cpu[k] - cpu[0])}`,
    );
  });
  return rows.map(([name], k) => ({ name, wallMs: wall[k], cpuMs: cpu[k] }));
}

// `npm run bench -- helm-engine`: every generated chart × environment rendered in-process by the engine,
// then by spawning the real helm for each (one at a time, the same invocation as the validator), side by
// side: wall time, CPU time (helm's from the children's times in /proc/self/stat) and peak memory.
// `--sample N` renders every N-th case only.
import { readFileSync } from 'node:fs';
import { repoRoot, runHelm } from '@cmsweb/toolchain';
import { generatedCases, helmArgs, renderWithEngine, vendoredCopy } from '../src/conformance/generated-charts.js';

const at = process.argv.indexOf('--sample');
const every = at >= 0 ? Number(process.argv[at + 1]) : 1;
const cases = generatedCases(repoRoot).filter((_, i) => i % every === 0);

function childCpuSeconds(): number {
  // Fields 16 and 17 (cutime, cstime) in clock ticks of 1/100 s: CPU of the waited-for children.
  const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[13]) + Number(f[14])) / 100;
}

// Engine: in-process, one after the other.
const cpu0 = process.cpuUsage();
let t0 = performance.now();
let failed = 0;
for (const c of cases) if (!renderWithEngine(c).ok) failed++;
const engineWall = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const engineCpu = (cpu.user + cpu.system) / 1e6;
const peak = process.resourceUsage().maxRSS / 1024;

// helm: a vendored copy per chart (as the validator's temp copy), one process per case.
const copies = new Map<string, ReturnType<typeof vendoredCopy>>();
for (const c of cases) if (!copies.has(c.chartDir)) copies.set(c.chartDir, vendoredCopy(c.chartDir));
const child0 = childCpuSeconds();
t0 = performance.now();
for (const c of cases) {
  const r = await runHelm(helmArgs(c, copies.get(c.chartDir)!.dir), { timeoutSeconds: 120 });
  if (r.code !== 0) failed++;
}
const helmWall = (performance.now() - t0) / 1000;
const helmCpu = childCpuSeconds() - child0;
for (const c of copies.values()) c.remove();

const f = (n: number) => n.toFixed(2);
console.log(
  `${cases.length} renders (generated charts × environments${every > 1 ? `, every ${every}th` : ''}); failures: ${failed}`,
);
console.log(
  `engine in-process: ${f(engineWall)} s wall, ${f(engineCpu)} s CPU, peak RSS ${peak.toFixed(0)} MiB (whole process)`,
);
console.log(`helm spawned:      ${f(helmWall)} s wall, ${f(helmCpu)} s CPU (children)`);
console.log(`speed-up: ${f(helmWall / engineWall)}× wall, ${f(helmCpu / engineCpu)}× CPU`);

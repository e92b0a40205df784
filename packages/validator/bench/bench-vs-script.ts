// Whole repository, side by side in one run: `validator` (native renderer, every check) against what a user
// would script instead: `helm template` for every service × environment (the same invocations as Argo CD's,
// a vendored copy of each chart as `helm dependency build` leaves it), one after the other as a shell loop
// runs them and two at a time (this machine's cores), each piped to `kubeconform -strict`. kubeconform cannot
// be built here (no Go toolchain), so its half is not run: the script's figures are helm's alone, a lower
// bound of the script. Wall time, CPU time (user + system, children included) and peak memory.
// `npx tsx packages/validator/bench/bench-vs-script.ts` (part of `npm run bench -- validator`).
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { generatedCases, helmArgs, vendoredCopy } from '@cmsweb/helm-engine/conformance';
import { repoRoot, runHelm } from '@cmsweb/toolchain';
import { mapLimit } from '@cmsweb/toolkit';
import { runSampled } from './process-tree.js';
import { readFileSync } from 'node:fs';

const VALIDATOR = join(repoRoot, 'packages', 'validator', 'bin', 'validator.js');

/** CPU seconds of the children this process has waited for (/proc/self/stat cutime + cstime, 1/100 s). */
function childCpuSeconds(): number {
  const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[13]) + Number(f[14])) / 100;
}

const load = () =>
  loadavg()
    .slice(0, 1)
    .map((l) => l.toFixed(1))[0];
console.log(`whole repository, ${new Date().toISOString().slice(0, 16)} UTC, load average ${load()}`);

// The validator, as a user runs it. Peak memory: the larger of its largest process's (/usr/bin/time %M) and
// the sum of its processes (it renders in a child process), sampled every 0.2 s.
const cpu0 = childCpuSeconds();
const t0 = performance.now();
const v = await runSampled('/usr/bin/time', [
  '-f',
  '%M',
  process.execPath,
  VALIDATOR,
  '--root',
  repoRoot,
  '--output',
  'json',
]);
const validatorWall = (performance.now() - t0) / 1000;
const validatorCpu = childCpuSeconds() - cpu0;
if (v.code > 1 || v.code < 0) throw new Error(`validator exited ${v.code}: ${v.stderr}`);
const summary = (JSON.parse(v.stdout) as { summary: { resources: number; errors: number; warnings: number } }).summary;
const validatorMb = Math.max(Number(v.stderr.trim().split('\n').pop()) / 1024, v.treeMb);

// The script's helm half.
const cases = generatedCases(repoRoot);
const copies = new Map<string, ReturnType<typeof vendoredCopy>>();
for (const c of cases) if (!copies.has(c.chartDir)) copies.set(c.chartDir, vendoredCopy(c.chartDir));
const helmRun = async (parallel: number) => {
  const c0 = childCpuSeconds();
  const t = performance.now();
  let failed = 0;
  await mapLimit(
    cases,
    async (c) => {
      const r = await runHelm(helmArgs(c, copies.get(c.chartDir)!.dir), { timeoutSeconds: 120 });
      if (r.code !== 0) failed++;
    },
    parallel,
  );
  return { wall: (performance.now() - t) / 1000, cpu: childCpuSeconds() - c0, failed };
};
const serial = await helmRun(1);
const parallel = await helmRun(availableParallelism());
for (const c of copies.values()) c.remove();

const s = (n: number) => `${n.toFixed(1)} s`;
console.log(
  `validator (native, every check): ${s(validatorWall)} wall, ${s(validatorCpu)} CPU, ${validatorMb.toFixed(0)} MB peak; ${summary.resources} resources, ${summary.errors} errors, ${summary.warnings} warnings`,
);
console.log(
  `script, helm half, ${cases.length} renders one at a time: ${s(serial.wall)} wall, ${s(serial.cpu)} CPU (failures: ${serial.failed})`,
);
console.log(
  `script, helm half, ${availableParallelism()} at a time: ${s(parallel.wall)} wall, ${s(parallel.cpu)} CPU (failures: ${parallel.failed})`,
);
console.log(
  `validator against the script's helm half alone: ${(serial.wall / validatorWall).toFixed(1)}× less wall (one at a time), ${(parallel.wall / validatorWall).toFixed(1)}× (parallel), ${(Math.min(serial.cpu, parallel.cpu) / validatorCpu).toFixed(1)}× less CPU; load average now ${load()}`,
);

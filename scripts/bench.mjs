// `npm run bench`: the start-up of the compiled tools beside `node -e 0` and `helm version`, then each
// package's benchmark script in turn. Figures go into README.md ("Performance"); no test depends on them.
// `npm run bench -- startup validator` runs only the sections named (startup, or a package name).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchStartup } from './bench-startup.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsx = join(root, 'node_modules', '.bin', 'tsx');
const args = process.argv.slice(2);
const runsAt = args.indexOf('--runs');
const runs = runsAt >= 0 ? Number(args.splice(runsAt, 2)[1]) : 15;
const only = args;
let failed = 0;

if (!only.length || only.includes('startup')) {
  console.log('\n== start-up');
  const build = spawnSync(
    process.execPath,
    [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-b', 'tsconfig.build.json'],
    { cwd: root, stdio: 'inherit' },
  );
  if (build.status !== 0) failed++;
  else benchStartup(root, runs);
}
for (const pkg of readdirSync(join(root, 'packages')).sort()) {
  const dir = join(root, 'packages', pkg, 'bench');
  if (!existsSync(dir) || (only.length && !only.includes(pkg))) continue;
  for (const file of readdirSync(dir)
    .filter((f) => /^bench-.*\.ts$/.test(f))
    .sort()) {
    console.log(`\n== ${pkg}/bench/${file}`);
    const r = spawnSync(tsx, ['--expose-gc', join(dir, file)], { stdio: 'inherit', cwd: root });
    if (r.status !== 0) failed++;
  }
}
process.exit(failed ? 1 : 0);

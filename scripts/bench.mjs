// `npm run bench`: runs each package's benchmark script in turn and prints their figures.
// Figures go into README.md ("Performance"); no test depends on them.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsx = join(root, 'node_modules', '.bin', 'tsx');
const only = process.argv.slice(2);
let failed = 0;
for (const pkg of readdirSync(join(root, 'packages')).sort()) {
  const dir = join(root, 'packages', pkg, 'bench');
  if (!existsSync(dir) || (only.length && !only.includes(pkg))) continue;
  for (const file of readdirSync(dir).filter((f) => /^bench-.*\.ts$/.test(f)).sort()) {
    console.log(`\n== ${pkg}/bench/${file}`);
    const r = spawnSync(tsx, ['--expose-gc', join(dir, file)], { stdio: 'inherit', cwd: root });
    if (r.status !== 0) failed++;
  }
}
process.exit(failed ? 1 : 0);

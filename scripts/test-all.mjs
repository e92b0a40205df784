// `npm test`: runs every package's tests through nx (cached per package), then sums the per-package
// summaries into the one closing line CI reads: `N passed, N failed, N skipped`.
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, existsSync, rmSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const packages = readdirSync(join(root, 'packages')).filter((p) =>
  existsSync(join(root, 'packages', p, 'package.json')),
);
for (const p of packages) rmSync(join(root, 'packages', p, '.test-results'), { recursive: true, force: true });

const nx = join(root, 'node_modules', '.bin', 'nx');
const run = spawnSync(nx, ['run-many', '-t', 'test', '--outputStyle=stream', ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NO_COLOR: '1' },
});

let passed = 0,
  failed = 0,
  skipped = 0;
const missing = [];
for (const p of packages) {
  const file = join(root, 'packages', p, '.test-results', 'summary.json');
  if (!existsSync(file)) {
    missing.push(p);
    continue;
  }
  const s = JSON.parse(readFileSync(file, 'utf8'));
  passed += s.passed;
  failed += s.failed;
  skipped += s.skipped;
  for (const f of s.failures) console.log(`FAILED ${p}: ${f}`);
}
for (const p of missing) console.log(`FAILED ${p}: no test results (the test target crashed before reporting)`);
failed += missing.length;
if (run.status !== 0 && failed === 0) failed = 1; // nx failed for a reason the reporters did not see
if (passed + failed === 0) {
  console.log('no tests ran');
  failed = 1;
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 ? 1 : 0);

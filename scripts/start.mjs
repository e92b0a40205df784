// `npm start`: the main job on the bundled catalog: generate charts and environments, validate every
// chart in every environment, then show the environment matrix. Stops at the first failing step.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const steps = [
  ['generate charts and environments', 'packages/chartgen/bin/chartgen.js', ['generate']],
  ['validate every service in every environment', 'packages/validator/bin/validator.js', []],
  ['environment matrix', 'packages/gitops-sync/bin/gitops-sync.js', ['status']],
];
for (const [title, bin, args] of steps) {
  console.log(`\n== ${title}: ${bin.split('/').pop()} ${args.join(' ')}`);
  const r = spawnSync(process.execPath, [join(root, bin), ...args, '--root', root], { stdio: 'inherit', cwd: root });
  if (r.status !== 0) process.exit(r.status ?? 3);
}

import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// `npx nx run chartgen:generate ...` and `npx nx run validator:validate ...`: the arguments reach the CLI
// as an argument vector (tools/nx-executors/run-bin.cjs), never through a shell: `--root='$(touch x)'`
// is a directory name, not a command. (The gitops-sync targets are tested in their package.)

const workspace = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const nx = join(workspace, 'node_modules', '.bin', 'nx');

describe('nx targets run the CLIs without a shell', () => {
  it.each([
    ['chartgen:generate', ['--check']],
    ['validator:validate', []],
  ])(
    "%s passes --root='$(touch …)' literally: nothing runs, the CLI refuses the directory",
    (target, extra) => {
      const marker = `hostile-nx-${target.replace(':', '-')}-${process.pid}`;
      // --excludeTaskDependencies: dist/ is built already (the test target depends on build; vitest's
      // globalSetup runs tsc -b outside nx); what is tested is how nx hands the arguments to the CLI.
      const r = spawnSync(nx, ['run', target, '--excludeTaskDependencies', ...extra, `--root=$(touch ${marker})`], {
        cwd: workspace,
        encoding: 'utf8',
        timeout: 300_000,
        env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_SKIP_NX_CACHE: 'true' },
      });
      const created = existsSync(join(workspace, marker));
      rmSync(join(workspace, marker), { force: true });
      expect(created).toBe(false);
      expect(r.status).not.toBe(0);
      expect(`${r.stdout}${r.stderr}`).toContain(`$(touch ${marker})`);
      expect(`${r.stdout}${r.stderr}`).toMatch(/is not a directory|is not a repository/);
    },
    320_000,
  );
});

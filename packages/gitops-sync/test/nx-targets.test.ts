import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { at, createFixture, FAKE_VALIDATOR, type Fixture } from './helpers/fixture.js';

// `npx nx run gitops-sync:<command> --flag=value`: the arguments reach the CLI as an argv array, with
// no shell in between (nx:run-commands would run `x$(id -u)` through sh and pass `x0`).

const workspace = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const nx = join(workspace, 'node_modules', '.bin', 'nx');

function nxRun(target: string, args: string[]) {
  // --excludeTaskDependencies: the target's `build` dependency already ran (the test target depends on it,
  // or vitest's globalSetup ran tsc -b); what is tested is how nx hands the arguments to the CLI.
  const r = spawnSync(nx, ['run', `gitops-sync:${target}`, '--excludeTaskDependencies', ...args], {
    cwd: workspace,
    encoding: 'utf8',
    timeout: 180_000,
    env: {
      ...process.env,
      NX_DAEMON: 'false',
      NX_NO_CLOUD: 'true',
      NO_COLOR: '1',
      GITOPS_SYNC_NOW: at(5),
      GITOPS_SYNC_VALIDATOR: FAKE_VALIDATOR,
    },
  });
  return { code: r.status, out: `${r.stdout}\n${r.stderr}` };
}

describe('nx targets', () => {
  let fx: Fixture | undefined;
  afterAll(() => fx?.cleanup());

  it('a service named x$(id -u) arrives literally and is refused as an invalid name', () => {
    const r = nxRun('promote', ['--service=x$(id -u)', '--from=preprod', '--to=prod']);
    expect(r.code).not.toBe(0);
    expect(r.out).toContain(
      'error: --service "x$(id -u)" is not a valid service name: expected a lowercase DNS-1123 label',
    );
    expect(r.out).not.toMatch(/--service "x\d+"/);
  }, 200_000);

  it('values nx would read as numbers (--tag=1.10) arrive as typed', () => {
    fx = createFixture({ a: { dev: 'v1' } });
    const repo = fx.clone('ci');
    const r = nxRun('bump', ['--service=a', '--env=dev', '--tag=1.10', `--root=${repo}`, '--dry-run', '--json']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('"to": {\n        "tag": "1.10",');
    expect(r.out).toContain('\\n+  tag: \\"1.10\\"   # moved by gitops-sync\\n'); // the diff, as a JSON string
  }, 200_000);
});

import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runHelm, scaleTimeoutForLoad } from '../src/index.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const TPL_LOOP = join(fixtures, 'tpl-loop');

/** Pids of the running processes whose command line names `needle` (read from /proc). */
function processesNaming(needle: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8');
      const state = /^State:\s+(\S)/m.exec(readFileSync(`/proc/${name}/status`, 'utf8'))?.[1];
      if (cmdline.includes(needle) && state !== 'Z') pids.push(Number(name));
    } catch {
      // the process ended meanwhile
    }
  }
  return pids;
}

describe('helm binary', () => {
  it("leaves no helm home behind: the process's helm-home-* folder is removed when it exits", () => {
    // A process of its own with a temp folder of its own (TMPDIR), running helm twice through runHelm.
    const tmp = mkdtempSync(join(tmpdir(), 'toolchain-helm-home-'));
    try {
      const script = `import { runHelm } from ${JSON.stringify(join(fixtures, '..', '..', 'dist', 'index.js'))};
        const fs = await import('node:fs');
        for (let i = 0; i < 2; i++) if ((await runHelm(['version', '--short'])).code !== 0) process.exit(9);
        console.log(fs.readdirSync(process.env.TMPDIR).join(','));`;
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
        env: { ...process.env, TMPDIR: tmp },
        encoding: 'utf8',
      });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout.trim()).toMatch(/^helm-home-\w+$/); // one while it ran
      expect(readdirSync(tmp)).toEqual([]); // none once it exited
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('is the real Helm v4 and runs offline', async () => {
    const r = await runHelm(['version', '--short']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^v4\.\d+\.\d+/);
    expect(r.timedOut).toBeUndefined();
  });
  it('reports a failing command through its exit code', async () => {
    const r = await runHelm(['template', '/nonexistent-chart-dir']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/nonexistent-chart-dir/);
  });
  it('passes its input on standard input', async () => {
    const r = await runHelm(['template', TPL_LOOP, '--values', '-', '--show-only', 'templates/configmap.yaml'], {
      input: 'loop: plain\n',
    });
    expect(r.stdout).toContain('loop: "plain"');
  });
});

describe('a chart whose tpl renders itself', () => {
  // helm's engine stops 1,000 nested includes of one template, but not tpl: this chart recurses until the Go
  // stack reaches its 1 GB limit, minutes and gigabytes later. Whatever the machine's speed, 1 s is too short.
  it('is killed after the time it was given, and no helm is left running', async () => {
    const r = await runHelm(['template', TPL_LOOP], { timeoutSeconds: 1 });
    expect(r.timedOut).toEqual({ seconds: 1 });
    expect(r.code).toBe(124);
    expect(r.stdout).toBe('');
    expect(processesNaming(TPL_LOOP)).toEqual([]);
  });

  it('renders with a value that does not call tpl (the fixture itself is sound)', async () => {
    const r = await runHelm(['template', TPL_LOOP, '--set', 'loop=x'], { timeoutSeconds: 120 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('loop: "x"');
  });

  it('dies with the process that started it when that process is terminated', async () => {
    // A process running the tpl loop through runHelm with a long timeout; SIGTERM to it alone (not its group).
    const script = `import { runHelm } from ${JSON.stringify(join(fixtures, '..', '..', 'src', 'index.ts'))};
      setTimeout(() => process.stdout.write('started\\n'), 300);
      await runHelm(['template', ${JSON.stringify(TPL_LOOP)}, '--namespace', 'sigterm-case'], { timeoutSeconds: 600 });`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const started = await new Promise<boolean>((resolve) => {
      child.stdout.on('data', () => resolve(true));
      child.on('exit', () => resolve(false));
    });
    expect(started).toBe(true);
    // helm has been spawned by now (the message comes after the synchronous spawn); wait until it runs.
    for (let i = 0; i < 200 && processesNaming('sigterm-case').length === 0; i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(processesNaming('sigterm-case').length).toBeGreaterThan(0);
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_c, s) => resolve(s)));
    child.kill('SIGTERM');
    expect(await exited).toBe('SIGTERM');
    // SIGKILL is delivered at once, but the kernel may take a moment to reap the process.
    for (let i = 0; i < 100 && processesNaming('sigterm-case').length > 0; i++)
      await new Promise((r) => setTimeout(r, 50));
    const left = processesNaming('sigterm-case');
    for (const pid of left) process.kill(pid, 'SIGKILL'); // never leave a runaway helm behind a failed test
    expect(left).toEqual([]);
  }, 60_000);
});

describe('scaleTimeoutForLoad', () => {
  it.each([
    [60, 0, 2, 60],
    [60, 1.5, 2, 60],
    [60, 6, 2, 180],
    [60, 30, 2, 600],
    [60, 1000, 2, 600],
    [10, 4, 0, 40],
  ])('%i s at load %d on %i cores: %i s', (base, load, cores, want) => {
    expect(scaleTimeoutForLoad(base, load, cores)).toBe(want);
  });
});

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// The bins' launcher, run as a bin runs it: a fresh node process importing @cmsweb/toolkit/run-built.
const dir = mkdtempSync(join(tmpdir(), 'run-built-'));
const LAUNCHER = pathToFileURL(join(import.meta.dirname, '..', 'run-built.mjs')).href;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function bin(entry: string, bundle?: string): { status: number | null; stdout: string; stderr: string } {
  const script = join(dir, `bin-${Math.random().toString(36).slice(2)}.mjs`);
  const url = (p: string) => `new URL(${JSON.stringify(pathToFileURL(p).href)})`;
  writeFileSync(
    script,
    `import { runBuilt } from ${JSON.stringify(LAUNCHER)};\nawait runBuilt('tool', ${url(entry)}${bundle ? `, ${url(bundle)}` : ''});\n`,
  );
  const r = spawnSync(process.execPath, [script], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('runBuilt', () => {
  it('is what the bins import: @cmsweb/toolkit/run-built', async () => {
    const m = await import('@cmsweb/toolkit/run-built');
    expect(typeof m.runBuilt).toBe('function');
  });

  it('runs the compiled entry when it exists', () => {
    const entry = join(dir, 'cli.js');
    writeFileSync(entry, "process.stdout.write('ran');\n");
    expect(bin(entry)).toEqual({ status: 0, stdout: 'ran', stderr: '' });
  });

  it('exits 3 with how to build it, not a stack trace, when dist/ is missing', () => {
    expect(bin(join(dir, 'missing', 'cli.js'))).toEqual({
      status: 3,
      stdout: '',
      stderr: 'tool: not built: run `npm run build` at the repository root (`npm ci` does it)\n',
    });
  });

  describe('with a bundle', () => {
    // dist/cli.js and dist/bundle/cli.js with inputs.json naming two compiled packages' .tsbuildinfo (bundle.mjs).
    const pkg = join(dir, 'pkg');
    const entry = join(pkg, 'dist', 'cli.js');
    const bundle = join(pkg, 'dist', 'bundle', 'cli.js');
    const inputs = [join(pkg, 'dist', '.tsbuildinfo'), join(dir, 'other', 'dist', '.tsbuildinfo')];
    const at = (file: string, seconds: number) => utimesSync(file, seconds, seconds);
    const setUp = (list: unknown = ['../.tsbuildinfo', '../../../other/dist/.tsbuildinfo']) => {
      mkdirSync(join(pkg, 'dist', 'bundle'), { recursive: true });
      mkdirSync(join(dir, 'other', 'dist'), { recursive: true });
      writeFileSync(entry, "process.stdout.write('compiled');\n");
      writeFileSync(bundle, "process.stdout.write('bundle');\n");
      for (const f of inputs) writeFileSync(f, '{}');
      writeFileSync(join(pkg, 'dist', 'bundle', 'inputs.json'), JSON.stringify(list));
      for (const f of inputs) at(f, 1_000);
      at(bundle, 2_000);
    };

    it('runs the bundle while it is newer than every input', () => {
      setUp();
      expect(bin(entry, bundle)).toEqual({ status: 0, stdout: 'bundle', stderr: '' });
    });

    it('runs the compiled entry once tsc has emitted a package the bundle holds since (a stale bundle never runs)', () => {
      setUp();
      at(inputs[1]!, 3_000);
      expect(bin(entry, bundle)).toEqual({ status: 0, stdout: 'compiled', stderr: '' });
    });

    it('runs the compiled entry when an input is missing, or inputs.json is missing, empty or not a list', () => {
      setUp(['../.tsbuildinfo', '../gone/.tsbuildinfo']);
      expect(bin(entry, bundle).stdout).toBe('compiled');
      for (const list of [[], { a: 1 }]) {
        setUp(list);
        expect(bin(entry, bundle).stdout).toBe('compiled');
      }
      setUp();
      rmSync(join(pkg, 'dist', 'bundle', 'inputs.json'));
      expect(bin(entry, bundle).stdout).toBe('compiled');
    });

    it('still exits 3 when the compiled entry is missing, bundle or not', () => {
      setUp();
      rmSync(entry);
      expect(bin(entry, bundle).status).toBe(3);
    });
  });
});

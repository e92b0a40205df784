import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// The bins' launcher, run as a bin runs it: a fresh node process importing @cmsweb/toolkit/run-built.
const dir = mkdtempSync(join(tmpdir(), 'run-built-'));
const LAUNCHER = pathToFileURL(join(import.meta.dirname, '..', 'run-built.mjs')).href;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function bin(
  entry: string,
  bundle?: string,
  args: string[] = [],
): { status: number | null; stdout: string; stderr: string } {
  const script = join(dir, `bin-${Math.random().toString(36).slice(2)}.mjs`);
  const url = (p: string) => `new URL(${JSON.stringify(pathToFileURL(p).href)})`;
  writeFileSync(
    script,
    `import { runBuilt } from ${JSON.stringify(LAUNCHER)};\nawait runBuilt('tool', ${url(entry)}${bundle ? `, ${url(bundle)}` : ''});\n`,
  );
  const r = spawnSync(process.execPath, [script, ...args], { encoding: 'utf8' });
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
    const bundle = join(pkg, 'dist', 'bundle', 'cli.cjs');
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

    it('runs the compiled entry for --help or --version, which it answers loading little', () => {
      setUp();
      expect(bin(entry, bundle, ['--help'])).toEqual({ status: 0, stdout: 'compiled', stderr: '' });
      expect(bin(entry, bundle, ['--scope', 'service:a'])).toEqual({ status: 0, stdout: 'bundle', stderr: '' });
    });

    it('runs the compiled entry once tsc has emitted a package the bundle holds since (a stale bundle never runs)', () => {
      setUp();
      at(inputs[1]!, 3_000);
      expect(bin(entry, bundle)).toEqual({ status: 0, stdout: 'compiled', stderr: '' });
    });

    it('is not fresh when an input is missing, or inputs.json is missing, empty or not a list (in process: bundleFresh decides)', async () => {
      const { bundleFresh } = await import('../run-built.mjs');
      const url = pathToFileURL(bundle);
      setUp();
      expect(bundleFresh(url)).toBe(true);
      setUp(['../.tsbuildinfo', '../gone/.tsbuildinfo']);
      expect(bundleFresh(url)).toBe(false);
      for (const list of [[], { a: 1 }]) {
        setUp(list);
        expect(bundleFresh(url)).toBe(false);
      }
      setUp();
      rmSync(join(pkg, 'dist', 'bundle', 'inputs.json'));
      expect(bundleFresh(url)).toBe(false);
    });

    it('still exits 3 when the compiled entry is missing, bundle or not', () => {
      setUp();
      rmSync(entry);
      expect(bin(entry, bundle).status).toBe(3);
    });
  });

  describe('runBundle', () => {
    // A CommonJS bundle at <pkg>/dist/bundle/, its V8 code cache at <pkg>/node_modules/.cache/code-cache/.
    const pkg = join(dir, 'cached');
    const file = join(pkg, 'dist', 'bundle', 'tool.cjs');
    const cache = join(pkg, 'node_modules', '.cache', 'code-cache', 'tool.cjs.v8');
    const LAUNCH = (f: string) =>
      `import { runBundle } from ${JSON.stringify(LAUNCHER)};\nrunBundle(new URL(${JSON.stringify(pathToFileURL(f).href)}));\n`;
    const runIt = () => {
      const script = join(dir, `run-${Math.random().toString(36).slice(2)}.mjs`);
      writeFileSync(script, LAUNCH(file));
      const r = spawnSync(process.execPath, [script, 'arg'], { encoding: 'utf8' });
      return { status: r.status, stdout: r.stdout, stderr: r.stderr };
    };
    // What a bundle uses of its CommonJS scope, and a function that runs (so that the cache holds it compiled).
    const program = (word: string) =>
      `const { basename } = require('node:path');\nfunction say(w) { return w + ' ' + basename(__filename) + ' ' + basename(__dirname) + ' ' + process.argv[2] + ' ' + typeof module.exports; }\nprocess.stdout.write(say('${word}'));\n`;

    it('runs the bundle as Node would, writes its code cache at exit and compiles from it the next time', () => {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, program('one'));
      expect(existsSync(cache)).toBe(false);
      expect(runIt()).toEqual({ status: 0, stdout: 'one tool.cjs bundle arg object', stderr: '' });
      const made = statSync(cache).mtimeMs;
      expect(runIt().stdout).toBe('one tool.cjs bundle arg object');
      // V8 took the cache: it is not written again
      expect(statSync(cache).mtimeMs).toBe(made);
    });

    it('does not give V8 a cache made for other code of the same length, nor a damaged one: the code runs from source', () => {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, program('one'));
      runIt();
      writeFileSync(file, program('two'));
      expect(runIt().stdout).toBe('two tool.cjs bundle arg object');
      const bytes = readFileSync(cache);
      bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0xff;
      writeFileSync(cache, bytes);
      expect(runIt()).toEqual({ status: 0, stdout: 'two tool.cjs bundle arg object', stderr: '' });
      // and written again, whole
      expect(readFileSync(cache).equals(bytes)).toBe(false);
    });
  });
});

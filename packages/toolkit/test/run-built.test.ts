import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// The bins' launcher, run as a bin runs it: a fresh node process importing @cmsweb/toolkit/run-built.
const dir = mkdtempSync(join(tmpdir(), 'run-built-'));
const LAUNCHER = pathToFileURL(join(import.meta.dirname, '..', 'run-built.mjs')).href;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function bin(entry: string): { status: number | null; stdout: string; stderr: string } {
  const script = join(dir, `bin-${Math.random().toString(36).slice(2)}.mjs`);
  writeFileSync(
    script,
    `import { runBuilt } from ${JSON.stringify(LAUNCHER)};\nawait runBuilt('tool', new URL(${JSON.stringify(pathToFileURL(entry).href)}));\n`,
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
});

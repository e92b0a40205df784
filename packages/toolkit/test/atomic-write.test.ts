import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { open } from 'node:fs/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { atomicWriteTemp, writeFileAtomic, writeFileAtomicSync } from '../src/index.js';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'toolkit-atomic-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('writeFileAtomic syncFile', () => {
  it('fsyncs the content by default and not with syncFile: false, which still writes it whole by rename', async () => {
    const dir = tempDir();
    const probe = await open(join(dir, 'probe'), 'w');
    const handleProto = Object.getPrototypeOf(probe) as { sync: () => Promise<void> };
    await probe.close();
    const sync = vi.spyOn(handleProto, 'sync');
    try {
      await writeFileAtomic(join(dir, 'a.yaml'), 'x: 1\n', { syncDirectory: false });
      expect(sync).toHaveBeenCalledTimes(1);
      await writeFileAtomic(join(dir, 'b.yaml'), 'y: 2\n', { syncDirectory: false, syncFile: false });
      expect(sync).toHaveBeenCalledTimes(1);
    } finally {
      sync.mockRestore();
    }
    expect(readFileSync(join(dir, 'b.yaml'), 'utf8')).toBe('y: 2\n');
    expect(readdirSync(dir).sort()).toEqual(['a.yaml', 'b.yaml', 'probe']);
  });
});

describe.each([
  [
    'writeFileAtomic',
    (p: string, c: string | Uint8Array, o?: Parameters<typeof writeFileAtomicSync>[2]) => writeFileAtomic(p, c, o),
  ],
  [
    'writeFileAtomicSync',
    async (p: string, c: string | Uint8Array, o?: Parameters<typeof writeFileAtomicSync>[2]) =>
      writeFileAtomicSync(p, c, o),
  ],
])('%s', (_name, write) => {
  it('creates a file with the content and mode 0644, leaving no temporary file', async () => {
    const dir = tempDir();
    await write(join(dir, 'a.yaml'), 'x: 1\n');
    expect(readFileSync(join(dir, 'a.yaml'), 'utf8')).toBe('x: 1\n');
    expect(statSync(join(dir, 'a.yaml')).mode & 0o777).toBe(0o644 & ~process.umask());
    expect(readdirSync(dir)).toEqual(['a.yaml']);
  });

  it('replaces an existing file whole and keeps its permission bits', async () => {
    const dir = tempDir();
    const path = join(dir, 'run.sh');
    writeFileSync(path, 'old content that is longer than the new one\n');
    chmodSync(path, 0o755);
    await write(path, new TextEncoder().encode('new\n'));
    expect(readFileSync(path, 'utf8')).toBe('new\n');
    expect(statSync(path).mode & 0o777).toBe(0o755);
  });

  it('uses the given temporary name and leaves the target untouched when the write fails', async () => {
    const dir = tempDir();
    const path = join(dir, 'a.yaml');
    writeFileSync(path, 'kept\n');
    // The temporary name is a directory: opening it for writing fails before the target is touched.
    const blocked = join(dir, 'missing', 'tmp');
    await expect(write(path, 'lost\n', { tempPath: blocked })).rejects.toThrow(/ENOENT/);
    expect(readFileSync(path, 'utf8')).toBe('kept\n');
    expect(readdirSync(dir)).toEqual(['a.yaml']);
  });

  it('refuses a target in a directory that does not exist (no directory is created)', async () => {
    const dir = tempDir();
    await expect(write(join(dir, 'nope', 'a.yaml'), 'x')).rejects.toThrow(/ENOENT/);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('atomicWriteTemp', () => {
  it.each([
    ['charts/a/.values.yaml.1234.k3x9a1.tmp', { target: 'charts/a/values.yaml', pid: 1234 }],
    ['.x.yaml.7.a.tmp', { target: 'x.yaml', pid: 7 }],
    ['charts/a/.values.yaml.tmp', undefined],
    ['charts/a/values.yaml.1234.k3x9a1.tmp', undefined],
    ['charts/a/.values.yaml.12x.k3x9a1.tmp', undefined],
  ])('%s', (path, want) => {
    expect(atomicWriteTemp(path)).toEqual(want);
  });
});

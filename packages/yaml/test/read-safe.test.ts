import { isUtf8 } from 'node:buffer';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  firstInvalidUtf8,
  listSafeDir,
  listSafeTree,
  lookupSafeDir,
  readSafeBytes,
  readSafeFile,
  RefusedFileError,
  scanSafeBytes,
} from '../src/index.js';

const base = mkdtempSync(join(tmpdir(), 'read-safe-'));
const root = join(base, 'repo');
mkdirSync(join(root, 'd/sub'), { recursive: true });
writeFileSync(join(base, 'secret.txt'), 'TOP-SECRET-CONTENT\n');
writeFileSync(join(root, 'ok.yaml'), 'a: 1\n');
writeFileSync(join(root, 'd/sub/x.yaml'), 'b: 2\n');
symlinkSync('ok.yaml', join(root, 'inner-link.yaml'));
symlinkSync(join(base, 'secret.txt'), join(root, 'outer-link.yaml'));
symlinkSync('../secret.txt', join(root, 'relative-outer.yaml'));
symlinkSync('nowhere.yaml', join(root, 'dangling.yaml'));
symlinkSync('loop-b.yaml', join(root, 'loop-a.yaml'));
symlinkSync('loop-a.yaml', join(root, 'loop-b.yaml'));
symlinkSync(base, join(root, 'outdir'));
execFileSync('mkfifo', [join(root, 'fifo.yaml')]);
writeFileSync(join(root, 'bad-utf8.yaml'), Buffer.from([0x61, 0x3a, 0x0a, 0x62, 0x3a, 0x20, 0xff, 0x0a]));
writeFileSync(join(root, 'bom.yaml'), '\ufeffa: 1\n');
afterAll(() => rmSync(base, { recursive: true, force: true }));

function refusal(path: string, opts = { root }): RefusedFileError {
  try {
    readSafeFile(path, opts);
  } catch (e) {
    if (e instanceof RefusedFileError) return e;
    throw e;
  }
  throw new Error(`${path} was not refused`);
}

describe('readSafeFile', () => {
  it('reads regular files and symlinks that stay inside the root', () => {
    expect(readSafeFile('ok.yaml', { root })).toBe('a: 1\n');
    expect(readSafeFile('inner-link.yaml', { root })).toBe('a: 1\n');
    expect(readSafeFile('d/sub/x.yaml', { root })).toBe('b: 2\n');
    expect(readSafeFile('bom.yaml', { root })).toBe('a: 1\n');
  });
  it('returns undefined for a missing file', () => {
    expect(readSafeFile('missing.yaml', { root })).toBeUndefined();
    expect(readSafeFile('ok.yaml/child', { root })).toBeUndefined();
  });
  it.each([
    ['outer-link.yaml', /symlink leading outside the repository root/],
    ['relative-outer.yaml', /symlink leading outside the repository root/],
    ['outdir/secret.txt', /outside the repository root/],
    ['../secret.txt', /lies outside the repository root/],
    ['dangling.yaml', /dangling symlink/],
    ['loop-a.yaml', /symlink loop/],
    ['fifo.yaml', /FIFO/],
    ['d', /directory where a file belongs/],
  ])('refuses %s without printing its content', (path, reason) => {
    const e = refusal(path);
    expect(e.message).toMatch(reason);
    expect(e.message.startsWith(path)).toBe(true);
    expect(e.message).not.toContain('TOP-SECRET');
  });
  it('refuses a device without opening it, even without a root', () => {
    expect(() => readSafeFile('/dev/zero')).toThrow(/device/);
  });
  it('refuses invalid UTF-8 naming line and column', () => {
    const e = refusal('bad-utf8.yaml');
    expect(e.message).toMatch(/invalid UTF-8 at line 2 column 4/);
    expect([e.line, e.column]).toEqual([2, 4]);
  });
});

describe('scanSafeBytes', () => {
  /** The blocks scanSafeBytes hands out, copied (each is valid only during its visit). */
  const scan = (path: string) => {
    const blocks: Buffer[] = [];
    const scanned = scanSafeBytes(path, (b) => blocks.push(Buffer.from(b)), { root });
    return { scanned, blocks };
  };
  // 1 MB blocks: texts of several MB, with a line longer than a block, multi-byte characters everywhere
  // (so that some fall on a block's edge), with and without a byte order mark and a last newline.
  const line = (i: number) => `k${i}: "é€𝄞 ${'x'.repeat(i % 97)}"\n`;
  const big = Array.from({ length: 60_000 }, (_, i) => line(i)).join('');
  const cases: Array<[string, string | Buffer]> = [
    ['empty.yaml', ''],
    ['only-bom.yaml', '\ufeff'],
    ['short.yaml', 'a'],
    ['big.yaml', big],
    ['big-bom.yaml', `\ufeff${big}`],
    ['no-last-newline.yaml', big.slice(0, -1)],
    ['long-line.yaml', `a: ${'é'.repeat(1_500_000)}\nb: 1\n${big}`],
  ];
  it.each(cases)('hands out %s whole, in order, in blocks of whole lines, as readSafeBytes reads it', (name, text) => {
    writeFileSync(join(root, name), text);
    const whole = readSafeBytes(name, { root })!;
    const { scanned, blocks } = scan(name);
    expect(Buffer.concat(blocks).equals(whole.bytes)).toBe(true);
    const { real, stat, offset, size } = scanned!;
    expect({ real, offset, size }).toEqual({ real: whole.real, offset: whole.offset, size: whole.bytes.length });
    expect([stat.ino, stat.size, stat.mtimeMs]).toEqual([whole.stat.ino, whole.stat.size, whole.stat.mtimeMs]);
    for (const b of blocks.slice(0, -1)) expect(b[b.length - 1], 'a block ends a line').toBe(0x0a);
    if (name.startsWith('big')) expect(blocks.length).toBeGreaterThan(2);
  });
  it('refuses invalid UTF-8 in a later block with its line and column in the file', () => {
    const bad = Buffer.concat([Buffer.from(big), Buffer.from('z: \xff\n', 'latin1')]);
    writeFileSync(join(root, 'late-bad.yaml'), bad);
    const lines = big.split('\n').length;
    let refused: unknown;
    try {
      scan('late-bad.yaml');
    } catch (e) {
      refused = e;
    }
    expect(refused).toBeInstanceOf(RefusedFileError);
    expect([(refused as RefusedFileError).line, (refused as RefusedFileError).column]).toEqual([lines, 4]);
  });
  it('refuses what readSafeFile refuses', () => {
    expect(() => scanSafeBytes('fifo.yaml', () => {}, { root })).toThrow(/FIFO/);
    expect(() => scanSafeBytes('outer-link.yaml', () => {}, { root })).toThrow(/outside the repository root/);
    expect(scanSafeBytes('missing.yaml', () => {}, { root })).toBeUndefined();
  });
});

describe('firstInvalidUtf8', () => {
  it.each([
    [[0x61, 0xc3, 0xa9], -1],
    [[0xe2, 0x82, 0xac], -1],
    [[0xf0, 0x9f, 0x98, 0x80], -1],
    [[0xc0, 0x80], 0], // overlong
    [[0xed, 0xa0, 0x80], 0], // surrogate
    [[0x61, 0xe2, 0x82], 1], // truncated
    [[0xf5, 0x80, 0x80, 0x80], 0],
  ])('%j → %d', (bytes, at) => expect(firstInvalidUtf8(Uint8Array.from(bytes))).toBe(at));

  it("agrees with node's isUtf8 (decodeUtf8 asks it first) on mutated multi-byte text", () => {
    const base = Buffer.from('a é € 😀 ü\n', 'utf8');
    let seed = 7;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    let invalid = 0;
    for (let k = 0; k < 5000; k++) {
      const b = Uint8Array.from(base);
      for (let m = rnd(3) + 1; m > 0; m--) b[rnd(b.length)] = rnd(256);
      const bad = firstInvalidUtf8(b);
      if (bad !== -1) invalid++;
      expect(bad === -1).toBe(isUtf8(b));
    }
    expect(invalid).toBeGreaterThan(1000);
  });
});

describe('listSafeTree', () => {
  it('lists files and symlinks, never descends a symlinked directory', () => {
    const files = listSafeTree(root, 'd');
    expect(files).toEqual(['d/sub/x.yaml']);
    expect(listSafeTree(root, '.').filter((f) => f.includes('outdir'))).toEqual(['./outdir']);
  });
  it('refuses a file where a directory belongs', () => {
    expect(() => listSafeTree(root, 'ok.yaml')).toThrow(/a file where a directory belongs/);
  });
});

describe('lookupSafeDir', () => {
  // Every kind of entry the root holds: a file, a directory, symlinks inside and out (and to a directory),
  // a dangling one, a FIFO; plus names that are missing or are not entry names.
  const names = [
    'ok.yaml',
    'd',
    'inner-link.yaml',
    'outer-link.yaml',
    'outdir',
    'dangling.yaml',
    'fifo.yaml',
    'missing.yaml',
    '',
    '.',
    '..',
    'd/sub',
    'ok.yaml',
  ];

  it('gives what listSafeDir gives for those names, in its order, without listing the directory', () => {
    const listed = listSafeDir('.', { root })!.filter((e) => names.includes(e.name));
    // d a directory; the symlinks (outdir to a directory too) files, for readSafeFile to decide; the FIFO other
    expect(listed.map((e) => e.kind).sort()).toEqual(['dir', 'file', 'file', 'file', 'file', 'file', 'other']);
    expect(lookupSafeDir('.', names, { root })).toEqual(listed);
    expect(lookupSafeDir('.', [...names].reverse(), { root })).toEqual(listed);
  });

  it('refuses what listSafeDir refuses about the directory itself; undefined when it is missing', () => {
    for (const dir of ['ok.yaml', 'outdir', 'fifo.yaml']) {
      expect(() => listSafeDir(dir, { root })).toThrow(RefusedFileError);
      const e = (() => {
        try {
          lookupSafeDir(dir, ['x'], { root });
        } catch (err) {
          return err as RefusedFileError;
        }
      })();
      expect(e).toBeInstanceOf(RefusedFileError);
      expect(() => listSafeDir(dir, { root })).toThrow(e!.message);
    }
    expect(lookupSafeDir('missing-dir', ['x'], { root })).toBeUndefined();
    expect(listSafeDir('missing-dir', { root })).toBeUndefined();
  });
});

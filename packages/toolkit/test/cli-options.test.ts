import { describe, expect, it } from 'vitest';
import { colorWanted, createProgress, EXIT, helpFooter, listOption, oneOf, UsageError } from '../src/index.js';

describe('listOption', () => {
  it('accepts the flag repeated and comma-separated alike, trimmed, in order, without duplicates', () => {
    let v = listOption('dbs, das');
    v = listOption('frontend', v);
    v = listOption('dbs', v);
    expect(v).toEqual(['dbs', 'das', 'frontend']);
  });

  it('refuses an empty entry the way commander refuses an invalid argument (exit 2)', () => {
    expect(() => listOption('a,,b')).toThrow(
      expect.objectContaining({
        code: 'commander.invalidArgument',
        exitCode: EXIT.usage,
        message: expect.stringContaining('"a,,b" has an empty entry'),
      }),
    );
    expect(() => listOption('a,')).toThrow(/empty entry/);
  });
});

describe('oneOf', () => {
  it('gives the one value, undefined for none, and a usage error naming the command for several', () => {
    expect(oneOf(['dbs'], '--service', 'bump')).toBe('dbs');
    expect(oneOf(undefined, '--service', 'bump')).toBeUndefined();
    expect(() => oneOf(['dbs', 'das'], '--service', 'bump')).toThrow(
      new UsageError('bump takes one --service, got 2: dbs, das'),
    );
  });
});

describe('colorWanted', () => {
  it('follows NO_COLOR, then FORCE_COLOR, then the terminal', () => {
    expect(colorWanted({}, true)).toBe(true);
    expect(colorWanted({}, false)).toBe(false);
    expect(colorWanted({ TERM: 'dumb' }, true)).toBe(false);
    expect(colorWanted({ NO_COLOR: '1' }, true)).toBe(false);
    expect(colorWanted({ NO_COLOR: '1', FORCE_COLOR: '1' }, true)).toBe(false);
    expect(colorWanted({ NO_COLOR: '' }, true)).toBe(true);
    expect(colorWanted({ FORCE_COLOR: '1' }, false)).toBe(true);
    expect(colorWanted({ FORCE_COLOR: '' }, false)).toBe(true);
    expect(colorWanted({ FORCE_COLOR: '0' }, true)).toBe(false);
    expect(colorWanted({ FORCE_COLOR: 'false' }, true)).toBe(false);
  });
});

describe('helpFooter', () => {
  it('lists the examples aligned and the four exit codes, with overrides', () => {
    const text = helpFooter(
      [
        ['npx x a', 'one'],
        ['npx x longer', 'two'],
      ],
      { findings: 'drift' },
    );
    expect(text).toContain('  $ npx x a       one\n  $ npx x longer  two');
    expect(text).toContain(
      'Exit codes:\n  0  success\n  1  drift\n  2  bad input or usage (nothing was changed)\n  3  internal error',
    );
  });
});

describe('createProgress', () => {
  const fakeStream = (isTTY: boolean) => {
    const writes: string[] = [];
    return { writes, stream: { isTTY, columns: 80, write: (s: string) => writes.push(s) } };
  };

  it('draws nothing before the delay, then at most one line per interval, and erases it at the end', () => {
    let t = 0;
    const { writes, stream } = fakeStream(true);
    const p = createProgress({ label: 'rendered', stream, now: () => t, delayMs: 1000, intervalMs: 100 });
    p.update(1, 10);
    t = 1000;
    p.update(2, 10);
    t = 1050;
    p.update(3, 10);
    t = 1100;
    p.update(4, 10);
    p.update(10, 10);
    p.done();
    expect(writes).toEqual([
      '\rrendered 2/10 (20%)\x1b[K',
      '\rrendered 4/10 (40%)\x1b[K',
      '\rrendered 10/10 (100%)\x1b[K',
      '\r\x1b[K',
    ]);
  });

  it('cuts the line to the terminal width, and takes 80 columns when the terminal reports none', () => {
    for (const [columns, shown] of [
      [20, 'rendered 12/300 (4%'],
      [0, 'rendered 12/300 (4%)'],
    ] as const) {
      const writes: string[] = [];
      const p = createProgress({
        label: 'rendered',
        stream: { isTTY: true, columns, write: (s: string) => writes.push(s) },
        now: () => 5000,
        delayMs: 0,
      });
      p.update(12, 300);
      expect(writes).toEqual([`\r${shown}\x1b[K`]);
    }
  });

  it('is silent when the stream is not a terminal, or with --quiet', () => {
    for (const [isTTY, quiet] of [
      [false, false],
      [true, true],
    ] as const) {
      const { writes, stream } = fakeStream(isTTY);
      const p = createProgress({ label: 'x', stream, quiet, now: () => 5000, delayMs: 0 });
      p.update(1, 2);
      p.done();
      expect(writes).toEqual([]);
    }
  });
});

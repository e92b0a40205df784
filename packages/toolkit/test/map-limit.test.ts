import { describe, expect, it } from 'vitest';
import { mapLimit } from '../src/index.js';

const tick = () => new Promise((r) => setImmediate(r));

describe('mapLimit', () => {
  it('keeps the order of the items whatever order the calls finish in', async () => {
    const out = await mapLimit(
      [30, 10, 20, 0],
      async (n, i) => {
        for (let k = 0; k < n; k++) await tick();
        return `${i}:${n}`;
      },
      2,
    );
    expect(out).toEqual(['0:30', '1:10', '2:20', '3:0']);
  });

  it('never has more than `limit` calls in flight, and uses all of them', async () => {
    let inFlight = 0;
    let peak = 0;
    await mapLimit(
      Array.from({ length: 20 }, (_, i) => i),
      async () => {
        peak = Math.max(peak, ++inFlight);
        await tick();
        inFlight--;
      },
      3,
    );
    expect(peak).toBe(3);
  });

  it('rejects with the first error and starts no further item', async () => {
    const started: number[] = [];
    await expect(
      mapLimit(
        [0, 1, 2, 3, 4, 5],
        async (n) => {
          started.push(n);
          await tick();
          if (n === 0) throw new Error('boom');
        },
        1,
      ),
    ).rejects.toThrow('boom');
    expect(started).toEqual([0]);
  });

  it('handles no items, and refuses a limit that is not a positive integer', async () => {
    expect(await mapLimit([], async () => 1, 4)).toEqual([]);
    await expect(mapLimit([1], async () => 1, 0)).rejects.toThrow(/positive integer/);
  });
});

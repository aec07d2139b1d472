import { describe, expect, it } from 'vitest';
import { uplinkBackoffMs } from './uplink-client.ts';

describe('uplinkBackoffMs', () => {
  it('doubles from 500 ms and caps at 10 s by default', () => {
    const ceiling = (attempt: number) => uplinkBackoffMs(attempt, {}, () => 1);
    expect([0, 1, 2, 3, 4, 5, 6, 40].map(ceiling)).toEqual([
      500, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000,
    ]);
  });

  it('jitters within the upper half of each step', () => {
    expect(uplinkBackoffMs(0, {}, () => 0)).toBe(250);
    expect(uplinkBackoffMs(3, {}, () => 0)).toBe(2000);
    for (let i = 0; i < 100; i++) {
      const delay = uplinkBackoffMs(4, { initialMs: 100, maxMs: 1000 });
      expect(delay).toBeGreaterThanOrEqual(500);
      expect(delay).toBeLessThanOrEqual(1000);
    }
  });
});

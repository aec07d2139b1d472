import { describe, expect, it } from 'vitest';
import { bucketWidth, HOUR_MS, MINUTE_MS, planSeries } from './series-plan.ts';

const DAY = 24 * HOUR_MS;
const now = Date.UTC(2025, 5, 1);
const base = { now, rawRetentionMs: 30 * DAY, rawCount: 10_000 };

describe('planSeries', () => {
  it('returns raw points when the range holds no more samples than maxPoints', () => {
    expect(planSeries({ ...base, from: now - HOUR_MS, to: now, maxPoints: 500, rawCount: 500 })).toEqual({
      source: 'raw',
      bucketMs: 0,
    });
  });

  it('re-buckets raw samples while the bucket stays under a minute', () => {
    expect(planSeries({ ...base, from: now - HOUR_MS, to: now, maxPoints: 500 })).toEqual({
      source: 'raw',
      bucketMs: 7215,
    });
  });

  it('reads minute rollups for a day at 500 points, in whole minutes', () => {
    expect(planSeries({ ...base, from: now - DAY, to: now, maxPoints: 500 })).toEqual({
      source: 'minute',
      bucketMs: 3 * MINUTE_MS,
    });
  });

  it('reads hour rollups for 30 days at 500 points, and minute rollups at 2000', () => {
    expect(planSeries({ ...base, from: now - 30 * DAY, to: now, maxPoints: 500 })).toEqual({
      source: 'hour',
      bucketMs: 2 * HOUR_MS,
    });
    expect(planSeries({ ...base, from: now - 30 * DAY, to: now, maxPoints: 2000 })).toEqual({
      source: 'minute',
      bucketMs: 22 * MINUTE_MS,
    });
  });

  it('skips raw samples past raw retention and minute rollups past 90 days', () => {
    expect(
      planSeries({ ...base, from: now - 40 * DAY, to: now - 40 * DAY + HOUR_MS, maxPoints: 500, rawCount: 0 })
        .source,
    ).toBe('minute');
    expect(
      planSeries({
        ...base,
        from: now - 100 * DAY,
        to: now - 100 * DAY + HOUR_MS,
        maxPoints: 500,
        rawCount: 0,
      }).source,
    ).toBe('hour');
  });
});

describe('bucketWidth', () => {
  it('never yields more epoch-aligned buckets than maxPoints, whatever the range offset', () => {
    for (const [range, maxPoints, resolution] of [
      [30 * DAY, 500, HOUR_MS],
      [7 * DAY + 13, 333, MINUTE_MS],
      [12_345_678, 10, 1],
    ] as const) {
      const width = bucketWidth(range, maxPoints, resolution);
      for (const from of [0, 1, width - 1, 987_654_321]) {
        const buckets = Math.floor((from + range - 1) / width) - Math.floor(from / width) + 1;
        expect(buckets).toBeLessThanOrEqual(maxPoints);
      }
    }
  });
});

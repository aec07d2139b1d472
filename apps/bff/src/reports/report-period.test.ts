import { describe, expect, it } from 'vitest';
import { periodRange } from './report-period.ts';

describe('periodRange', () => {
  it('ends rolling periods at the start of the next hour', () => {
    const at = Date.UTC(2026, 2, 10, 7, 20);
    expect(periodRange('7d', at, 'UTC')).toEqual({
      from: Date.UTC(2026, 2, 3, 8),
      to: Date.UTC(2026, 2, 10, 8),
    });
  });

  it("takes last month's calendar in the schedule's time zone, across a summer-time change", () => {
    // 1 April 2026 at 00:30 in Berlin is still 31 March in UTC.
    const at = Date.UTC(2026, 2, 31, 22, 30);
    expect(periodRange('last-month', at, 'Europe/Berlin')).toEqual({
      from: Date.UTC(2026, 1, 28, 23), // 1 March 00:00 CET (UTC+1)
      to: Date.UTC(2026, 2, 31, 22), // 1 April 00:00 CEST (UTC+2)
    });
    expect(periodRange('last-month', at, 'UTC')).toEqual({
      from: Date.UTC(2026, 1, 1),
      to: Date.UTC(2026, 2, 1),
    });
  });
});

import { describe, expect, it } from 'vitest';
import {
  describePeriod,
  parseReportSearch,
  periodToSearch,
  reportPeriod,
  resolvePeriod,
} from './report-search.ts';

// TZ is Europe/Berlin in the web project (vitest.config.ts): local days are Berlin's.
const NOW = new Date('2026-11-15T10:20:00+01:00');
const local = (text: string) => new Date(text).getTime();

describe('the report period', () => {
  it('ends a rolling period at the next full hour, so refreshing within the hour asks the same', () => {
    const range = resolvePeriod({ kind: 'preset', period: '7d' }, NOW);
    expect(range).toEqual({
      from: local('2026-11-08T11:00:00+01:00'),
      to: local('2026-11-15T11:00:00+01:00'),
    });
    expect(resolvePeriod({ kind: 'preset', period: '7d' }, new Date('2026-11-15T10:59:59+01:00'))).toEqual(
      range,
    );
  });

  it('reads "this month" from the first of the month and "last month" as the whole previous month', () => {
    expect(resolvePeriod({ kind: 'preset', period: 'month' }, NOW)).toEqual({
      from: local('2026-11-01T00:00:00+01:00'),
      to: local('2026-11-15T11:00:00+01:00'),
    });
    // October has a daylight-saving change: the month is whole local days, not 31 × 24 h.
    expect(resolvePeriod({ kind: 'preset', period: 'last-month' }, NOW)).toEqual({
      from: local('2026-10-01T00:00:00+02:00'),
      to: local('2026-11-01T00:00:00+01:00'),
    });
  });

  it('includes both the first and the last day of a custom period', () => {
    expect(resolvePeriod({ kind: 'days', from: '2026-11-01', to: '2026-11-03' }, NOW)).toEqual({
      from: local('2026-11-01T00:00:00+01:00'),
      to: local('2026-11-04T00:00:00+01:00'),
    });
  });

  it('refuses a custom period longer than a report spans', () => {
    expect(resolvePeriod({ kind: 'days', from: '2024-01-01', to: '2026-01-01' }, NOW)).toBeUndefined();
  });

  it('falls back to the last 30 days when the URL has days out of order or mistyped', () => {
    expect(reportPeriod(parseReportSearch({ from: '2026-11-05', to: '2026-11-01' }))).toEqual({
      kind: 'preset',
      period: '30d',
    });
    expect(reportPeriod(parseReportSearch({ period: 'fortnight', from: '2026-13-01', to: 'x' }))).toEqual({
      kind: 'preset',
      period: '30d',
    });
  });

  it('round-trips a custom period through the URL', () => {
    const days = { kind: 'days', from: '2026-11-01', to: '2026-11-30' } as const;
    expect(reportPeriod(parseReportSearch(periodToSearch(days)))).toEqual(days);
    expect(describePeriod(days)).toBe('Nov 1, 2026 – Nov 30, 2026');
  });

  it('drops an unknown grouping or node path rather than failing the page', () => {
    expect(parseReportSearch({ group: 'colour', node: '../x', period: '90d' })).toEqual({ period: '90d' });
  });
});

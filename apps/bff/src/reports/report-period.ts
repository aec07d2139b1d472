import type { ReportPeriod } from '@tierscope/shared';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const ROLLING_DAYS: Partial<Record<ReportPeriod, number>> = { '7d': 7, '30d': 30, '90d': 90 };

/** How far `timeZone`'s wall clock is ahead of UTC at `at` (ms). */
function zoneOffsetMs(at: number, timeZone: string): number {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    })
      .formatToParts(at)
      .map((p) => [p.type, Number(p.value)]),
  ) as Record<string, number>;
  const wall = Date.UTC(parts.year!, parts.month! - 1, parts.day, parts.hour, parts.minute, parts.second);
  return wall - Math.floor(at / 1000) * 1000;
}

/** The instant a month starts in `timeZone`: `monthsBack` months before the one `at` falls in. */
function startOfZonedMonth(at: number, timeZone: string, monthsBack: number): number {
  const wall = new Date(at + zoneOffsetMs(at, timeZone));
  const guess = Date.UTC(wall.getUTCFullYear(), wall.getUTCMonth() - monthsBack, 1);
  // The offset at the month's start can differ from today's (summer time): settle it once more.
  const first = guess - zoneOffsetMs(guess, timeZone);
  return guess - zoneOffsetMs(first, timeZone);
}

/**
 * The instants of a period at `at`, closed-open, as the report page computes them: rolling periods
 * end at the start of the next hour; months follow the calendar of `timeZone`.
 */
export function periodRange(
  period: ReportPeriod,
  at: number,
  timeZone: string,
): { from: number; to: number } {
  const endOfHour = Math.floor(at / HOUR_MS) * HOUR_MS + HOUR_MS;
  const days = ROLLING_DAYS[period];
  if (days !== undefined) return { from: endOfHour - days * DAY_MS, to: endOfHour };
  if (period === 'month') return { from: startOfZonedMonth(at, timeZone, 0), to: endOfHour };
  return { from: startOfZonedMonth(at, timeZone, 1), to: startOfZonedMonth(at, timeZone, 0) };
}

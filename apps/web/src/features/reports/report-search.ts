import { NodePath } from '@tierscope/shared/domain';
import { MAX_RANGE_MS } from '@tierscope/shared/domain';
import { format, isValid, parseISO, startOfDay, startOfMonth, subDays, subMonths } from 'date-fns';
import { z } from 'zod';
import { PERIOD_LABELS, REPORT_PERIODS, type ReportPeriod } from '@tierscope/shared/schemas';

export { PERIOD_LABELS, REPORT_PERIODS, type ReportPeriod } from '@tierscope/shared/schemas';

export const REPORT_GROUPINGS = ['node', 'site', 'kind'] as const;
export type ReportGrouping = (typeof REPORT_GROUPINGS)[number];

/**
 * The report page's URL: `/reports?period=30d&group=site&node=district-1`, or a custom period as
 * whole local days, `from=2026-11-01&to=2026-11-30` (both days included).
 */
const ReportSearch = z.object({
  period: z.enum(REPORT_PERIODS).optional().catch(undefined),
  from: z.string().max(10).optional().catch(undefined),
  to: z.string().max(10).optional().catch(undefined),
  group: z.enum(REPORT_GROUPINGS).optional().catch(undefined),
  node: NodePath.optional().catch(undefined),
});
export type ReportSearch = z.infer<typeof ReportSearch>;

/** A value that does not parse is dropped rather than failing the page: a mistyped link still opens. */
export function parseReportSearch(search: Record<string, unknown>): ReportSearch {
  return ReportSearch.parse(search);
}

export type ReportPeriodSelection =
  { kind: 'preset'; period: ReportPeriod } | { kind: 'days'; from: string; to: string };

const DAY_FORMAT = 'yyyy-MM-dd';

/** The period the page shows: whole days from the URL when both parse in order, else a preset (30 days). */
export function reportPeriod(search: ReportSearch): ReportPeriodSelection {
  const from = parseDay(search.from);
  const to = parseDay(search.to);
  if (from && to && from <= to && search.from && search.to)
    return { kind: 'days', from: search.from, to: search.to };
  return { kind: 'preset', period: search.period ?? '30d' };
}

/** The URL fields of a period (the others cleared). */
export function periodToSearch(
  selection: ReportPeriodSelection,
): Pick<ReportSearch, 'period' | 'from' | 'to'> {
  if (selection.kind === 'preset') return { period: selection.period, from: undefined, to: undefined };
  return { period: undefined, from: selection.from, to: selection.to };
}

export interface PeriodRange {
  from: number;
  to: number;
}

/**
 * The instants of a period at `now`, closed-open. Rolling periods end at the start of the next hour,
 * so a page refreshed within the hour asks the same question (and the nodes' hourly rollups line up);
 * months and custom days follow the local calendar. Undefined when the period exceeds what a report spans.
 */
export function resolvePeriod(selection: ReportPeriodSelection, now: Date): PeriodRange | undefined {
  const range = instantsOf(selection, now);
  return range.from < range.to && range.to - range.from <= MAX_RANGE_MS ? range : undefined;
}

function instantsOf(selection: ReportPeriodSelection, now: Date): PeriodRange {
  if (selection.kind === 'days') {
    const from = parseDay(selection.from)!;
    const to = parseDay(selection.to)!;
    return { from: from.getTime(), to: startOfDay(subDays(to, -1)).getTime() };
  }
  const endOfHour = new Date(now);
  endOfHour.setMinutes(60, 0, 0);
  switch (selection.period) {
    case '7d':
      return { from: subDays(endOfHour, 7).getTime(), to: endOfHour.getTime() };
    case '30d':
      return { from: subDays(endOfHour, 30).getTime(), to: endOfHour.getTime() };
    case '90d':
      return { from: subDays(endOfHour, 90).getTime(), to: endOfHour.getTime() };
    case 'month':
      return { from: startOfMonth(now).getTime(), to: endOfHour.getTime() };
    case 'last-month':
      return { from: startOfMonth(subMonths(now, 1)).getTime(), to: startOfMonth(now).getTime() };
  }
}

/** "Last 30 days", or "Nov 1, 2026 – Nov 30, 2026" for custom days. */
export function describePeriod(selection: ReportPeriodSelection): string {
  if (selection.kind === 'preset') return PERIOD_LABELS[selection.period];
  return `${format(parseDay(selection.from)!, 'MMM d, yyyy')} – ${format(parseDay(selection.to)!, 'MMM d, yyyy')}`;
}

/** The `<input type="date">` value of a local day. */
export function toDayValue(at: number): string {
  return format(at, DAY_FORMAT);
}

function parseDay(text: string | undefined): Date | undefined {
  if (!text || !/^\d{4}-\d{2}-\d{2}$/.test(text)) return undefined;
  const parsed = parseISO(text);
  return isValid(parsed) ? startOfDay(parsed) : undefined;
}

import { keepPreviousData, queryOptions } from '@tanstack/react-query';
import { api } from '../../lib/trpc.ts';
import type { PeriodRange } from './report-search.ts';

export interface ReportQuery {
  range: PeriodRange;
  /** Only this node's subtree; the user's scope narrows it further at the BFF. */
  nodePath?: string | undefined;
}

/** How many devices the report lists, least available first. */
export const REPORT_DEVICE_ROWS = 20;

/**
 * The report's figures over a period, merged by every tier (docs/decisions/0027). A report does
 * not move much from minute to minute: it is asked again only when the period or scope changes,
 * and the previous period's figures stay on screen while the next one is computed.
 */
export const reportQueryOptions = ({ range, nodePath }: ReportQuery) =>
  queryOptions({
    queryKey: ['reports.figures', range, nodePath],
    queryFn: ({ signal }) =>
      api.reports.figures.query(
        { from: range.from, to: range.to, nodePath, deviceLimit: REPORT_DEVICE_ROWS },
        { signal },
      ),
    staleTime: 5 * 60_000,
    placeholderData: keepPreviousData,
  });

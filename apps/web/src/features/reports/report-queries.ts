import { keepPreviousData, queryOptions } from '@tanstack/react-query';
import { api } from '../../lib/trpc.ts';
import type { PeriodRange } from './report-search.ts';

export interface ReportQuery {
  range: PeriodRange;
  /** Only this node's subtree; the user's scope narrows it further at the BFF. */
  nodePath?: string | undefined;
}

/** A report missing a node is asked again this often, until every node has answered. */
export const PARTIAL_REPORT_RETRY_MS = 15_000;

/** How many devices the report lists, least available first. */
export const REPORT_DEVICE_ROWS = 20;

/**
 * The report's figures over a period, merged by every tier (docs/decisions/0027). A report does
 * not move much from minute to minute: it is asked again when the period or scope changes, or
 * while a node is missing from it; the previous figures stay on screen while the next are computed.
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
    refetchInterval: (query) => {
      const coverage = query.state.data?.coverage;
      return coverage && coverage.answered < coverage.asked ? PARTIAL_REPORT_RETRY_MS : false;
    },
    placeholderData: keepPreviousData,
  });

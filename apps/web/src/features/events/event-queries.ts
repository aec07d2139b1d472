import { infiniteQueryOptions } from '@tanstack/react-query';
import type { Severity } from '@tierscope/shared/domain';
import { api } from '../../lib/trpc.ts';
import { resolveRange, type RangeSelection, type ResolvedRange } from '../../lib/time-range.ts';

export interface EventFilters {
  query?: string | undefined;
  severity?: Severity | undefined;
  deviceId?: string | undefined;
  selection: RangeSelection;
}

export const EVENT_PAGE_SIZE = 200;

interface EventPageParam {
  cursor: string;
  /** The first page's instants, so later pages continue the same window while "now" moves on. */
  range: ResolvedRange;
}

/** Events newest first, full-text searched, a page at a time through the federation cursor. */
export const eventListQueryOptions = ({ selection, ...filters }: EventFilters) =>
  infiniteQueryOptions({
    queryKey: ['events.search', filters, selection],
    queryFn: async ({ pageParam, signal }) => {
      const range = pageParam?.range ?? resolveRange(selection, new Date());
      const page = await api.events.search.query(
        {
          ...filters,
          from: range.from,
          to: range.to,
          limit: EVENT_PAGE_SIZE,
          ...(pageParam && { cursor: pageParam.cursor }),
        },
        { signal },
      );
      return { ...page, range };
    },
    initialPageParam: null as EventPageParam | null,
    getNextPageParam: (page): EventPageParam | null =>
      page.nextCursor ? { cursor: page.nextCursor, range: page.range } : null,
  });

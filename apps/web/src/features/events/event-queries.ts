import { infiniteQueryOptions } from '@tanstack/react-query';
import type { Severity } from '@tierscope/shared/domain';
import { api } from '../../lib/trpc.ts';
import { resolveRange, type RangeSelection, type ResolvedRange } from '../../lib/time-range.ts';

/** What the server filters on; `nodePath` limits the search to that node and its subtree. */
export interface EventFilters {
  query?: string | undefined;
  severity?: Severity | undefined;
  deviceId?: string | undefined;
  nodePath?: string | undefined;
  selection: RangeSelection;
}

export const EVENT_PAGE_SIZE = 200;
/** Refreshing re-reads every loaded page; past this many, refresh stops until the filters change. */
const MAX_REFRESHED_PAGES = 3;

interface EventPageParam {
  cursor: string;
  /** The first page's instants, so later pages continue the same window while "now" moves on. */
  range: ResolvedRange;
}

/**
 * Events newest first, full-text searched, a page at a time through the federation cursor. Only a
 * range relative to now refreshes: a fixed window's events do not change.
 */
export const eventListQueryOptions = (
  { selection, ...filters }: EventFilters,
  refetchInterval: number | false,
) =>
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
    refetchInterval: (query) =>
      selection.kind === 'preset' && (query.state.data?.pages.length ?? 0) <= MAX_REFRESHED_PAGES
        ? refetchInterval
        : false,
  });

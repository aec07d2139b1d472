import { useInfiniteQuery } from '@tanstack/react-query';
import type { DeviceEvent } from '@tierscope/shared/schemas';
import { useCallback, useEffect, useMemo } from 'react';
import { combineCoverage, isWithin, scopeCoverage } from '../../lib/coverage.ts';
import { useRefetchInterval } from '../../lib/refresh-interval.tsx';
import { eventListQueryOptions, type EventFilters } from './event-queries.ts';

/** Below this many matching rows, the next page is fetched without waiting for a scroll. */
const FILL_ROWS = 30;
const MAX_REFRESHED_PAGES = 3;

/**
 * Events matching `filters`, optionally only those owned by nodes under `scope` (the contract's
 * search has no node filter yet: a device id alone may name devices on several probes).
 */
export function useEventList(filters: EventFilters, scope?: string) {
  const refetchInterval = useRefetchInterval();
  const query = useInfiniteQuery({
    ...eventListQueryOptions(filters),
    refetchInterval: (q) =>
      filters.selection.kind === 'preset' && (q.state.data?.pages.length ?? 0) <= MAX_REFRESHED_PAGES
        ? refetchInterval
        : false,
  });
  const pages = query.data?.pages;
  const rows: DeviceEvent[] = useMemo(
    () => (pages ?? []).flatMap((page) => page.items.filter((event) => isWithin(event.nodePath, scope))),
    [pages, scope],
  );
  const coverage = useMemo(() => {
    const combined = combineCoverage((pages ?? []).map((page) => page.coverage));
    return combined && scopeCoverage(combined, scope);
  }, [pages, scope]);

  const { hasNextPage, isFetchingNextPage, fetchNextPage } = query;
  const loadMore = useCallback(() => void fetchNextPage(), [fetchNextPage]);
  useEffect(() => {
    if (scope && rows.length < FILL_ROWS && hasNextPage && !isFetchingNextPage) loadMore();
  }, [scope, rows.length, hasNextPage, isFetchingNextPage, loadMore]);

  return { query, rows, coverage, loadMore };
}

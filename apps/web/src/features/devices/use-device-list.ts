import { useInfiniteQuery } from '@tanstack/react-query';
import type { Device } from '@tierscope/shared/schemas';
import { useCallback, useEffect, useMemo } from 'react';
import { combineCoverage, isWithin, scopeCoverage } from '../../lib/coverage.ts';
import { useRefetchInterval } from '../../lib/refresh-interval.tsx';
import { deviceListQueryOptions, type DeviceListFilters } from './device-queries.ts';

/** Below this many matching rows, the next page is fetched without waiting for a scroll. */
const FILL_ROWS = 40;
/** Refreshing re-reads every loaded page; past this many, refresh stops until the filters change. */
const MAX_REFRESHED_PAGES = 5;

/**
 * The devices matching `filters`, optionally only those under the node `scope`. The contract's
 * list has no node filter yet, so scoped lists page through the fleet and keep the scope's rows.
 */
export function useDeviceList(filters: DeviceListFilters, scope: string | undefined) {
  const refetchInterval = useRefetchInterval();
  const query = useInfiniteQuery({
    ...deviceListQueryOptions(filters),
    refetchInterval: (q) =>
      (q.state.data?.pages.length ?? 0) <= MAX_REFRESHED_PAGES ? refetchInterval : false,
  });
  const pages = query.data?.pages;
  const rows: Device[] = useMemo(
    () => (pages ?? []).flatMap((page) => page.items.filter((device) => isWithin(device.nodePath, scope))),
    [pages, scope],
  );
  const coverage = useMemo(() => {
    const combined = combineCoverage((pages ?? []).map((page) => page.coverage));
    return combined && scopeCoverage(combined, scope);
  }, [pages, scope]);
  const scanned = useMemo(() => (pages ?? []).reduce((sum, page) => sum + page.items.length, 0), [pages]);

  const { hasNextPage, isFetchingNextPage, fetchNextPage } = query;
  const loadMore = useCallback(() => void fetchNextPage(), [fetchNextPage]);
  useEffect(() => {
    if (scope && rows.length < FILL_ROWS && hasNextPage && !isFetchingNextPage) loadMore();
  }, [scope, rows.length, hasNextPage, isFetchingNextPage, loadMore]);

  return { query, rows, coverage, scanned, loadMore };
}

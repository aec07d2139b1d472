import { infiniteQueryOptions, useInfiniteQuery } from '@tanstack/react-query';
import type { DeadLetter } from '@tierscope/shared/schemas';
import { useCallback, useMemo } from 'react';
import { combineCoverage, isWithin, scopeCoverage } from '../../lib/coverage.ts';
import { useRefetchInterval } from '../../lib/refresh-interval.tsx';
import { api } from '../../lib/trpc.ts';

export const DEAD_LETTER_PAGE_SIZE = 50;

export const deadLetterListQueryOptions = () =>
  infiniteQueryOptions({
    queryKey: ['deadLetters.list'],
    queryFn: ({ pageParam, signal }) =>
      api.deadLetters.list.query(
        { limit: DEAD_LETTER_PAGE_SIZE, ...(pageParam !== null && { cursor: pageParam }) },
        { signal },
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.nextCursor,
  });

/**
 * Dead letters newest first, only those of nodes under `scope` (kept in the browser: the
 * contract's list has no node filter yet).
 */
export function useDeadLetters(scope: string) {
  const refetchInterval = useRefetchInterval();
  const query = useInfiniteQuery({
    ...deadLetterListQueryOptions(),
    refetchInterval: (q) => ((q.state.data?.pages.length ?? 0) <= 2 ? refetchInterval : false),
  });
  const pages = query.data?.pages;
  const rows: DeadLetter[] = useMemo(
    () =>
      (pages ?? []).flatMap((page) =>
        page.items.filter((item) => isWithin(item.nodePath, scope || undefined)),
      ),
    [pages, scope],
  );
  const coverage = useMemo(() => {
    const combined = combineCoverage((pages ?? []).map((page) => page.coverage));
    return combined && scopeCoverage(combined, scope || undefined);
  }, [pages, scope]);
  const { fetchNextPage } = query;
  const loadMore = useCallback(() => void fetchNextPage(), [fetchNextPage]);
  return { query, rows, coverage, loadMore };
}

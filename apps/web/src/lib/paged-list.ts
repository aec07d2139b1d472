import type { Coverage } from '@tierscope/shared/domain';
import { useCallback, useMemo } from 'react';
import { combineCoverage } from './coverage.ts';

/** What useInfiniteQuery returns for a paged list answer, as far as a list view reads it. */
export interface PagedListQuery<T> {
  data?: { pages: readonly { items: readonly T[]; coverage: Coverage }[] } | undefined;
  fetchNextPage: () => Promise<unknown>;
}

/** The rows of every loaded page in the server's order, their combined coverage, and the next page. */
export function usePagedList<T>(query: PagedListQuery<T>) {
  const pages = query.data?.pages;
  const rows: T[] = useMemo(() => (pages ?? []).flatMap((page) => page.items), [pages]);
  const coverage = useMemo(() => combineCoverage((pages ?? []).map((page) => page.coverage)), [pages]);
  const { fetchNextPage } = query;
  const loadMore = useCallback(() => void fetchNextPage(), [fetchNextPage]);
  return { rows, coverage, loadMore };
}

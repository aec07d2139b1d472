import { infiniteQueryOptions } from '@tanstack/react-query';
import { api } from '../../lib/trpc.ts';

export const DEAD_LETTER_PAGE_SIZE = 50;
/** Refreshing re-reads every loaded page; past this many, refresh stops until the page reloads. */
const MAX_REFRESHED_PAGES = 2;

/** Dead letters of the node at `nodePath` and its subtree (every node without one), newest first. */
export const deadLetterListQueryOptions = (nodePath: string | undefined, refetchInterval: number | false) =>
  infiniteQueryOptions({
    queryKey: ['deadLetters.list', { nodePath }],
    queryFn: ({ pageParam, signal }) =>
      api.deadLetters.list.query(
        { nodePath, limit: DEAD_LETTER_PAGE_SIZE, ...(pageParam !== null && { cursor: pageParam }) },
        { signal },
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.nextCursor,
    refetchInterval: (query) =>
      (query.state.data?.pages.length ?? 0) <= MAX_REFRESHED_PAGES ? refetchInterval : false,
  });

import { infiniteQueryOptions, queryOptions } from '@tanstack/react-query';
import { api } from '../../lib/trpc.ts';
import { resolveRange, type RangeSelection, type ResolvedRange } from '../../lib/time-range.ts';

export interface AuditFilters {
  actor?: string | undefined;
  action?: string | undefined;
  target?: string | undefined;
  selection: RangeSelection;
}

export const AUDIT_PAGE_SIZE = 100;

interface AuditPageParam {
  cursor: string;
  /** The first page's instants, so later pages continue the same window while "now" moves on. */
  range: ResolvedRange;
}

/** The audit log newest first, a page at a time. */
export const auditListQueryOptions = ({ selection, ...filters }: AuditFilters) =>
  infiniteQueryOptions({
    queryKey: ['console.audit.list', filters, selection],
    queryFn: async ({ pageParam, signal }) => {
      const range = pageParam?.range ?? resolveRange(selection, new Date());
      const page = await api.console.audit.list.query(
        {
          ...filters,
          from: range.from,
          to: range.to,
          limit: AUDIT_PAGE_SIZE,
          ...(pageParam && { cursor: pageParam.cursor }),
        },
        { signal },
      );
      return { ...page, range };
    },
    initialPageParam: null as AuditPageParam | null,
    getNextPageParam: (page): AuditPageParam | null =>
      page.nextCursor ? { cursor: page.nextCursor, range: page.range } : null,
  });

/** The chain check runs only when asked: it reads the whole log. */
export const auditVerifyQueryOptions = () =>
  queryOptions({
    queryKey: ['console.audit.verify'],
    queryFn: ({ signal }) => api.console.audit.verify.query(undefined, { signal }),
    enabled: false,
    staleTime: 0,
  });

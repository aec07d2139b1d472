import { useInfiniteQuery } from '@tanstack/react-query';
import { getRouteApi } from '@tanstack/react-router';
import { useCallback, useMemo } from 'react';
import { FanOutPanel } from '../../components/ui/fan-out-panel.tsx';
import { PageHeader } from '../../components/ui/page-header.tsx';
import { TimeRangePicker } from '../../components/ui/time-range-picker.tsx';
import { AuditFilters } from '../../features/audit/audit-filters.tsx';
import { auditListQueryOptions } from '../../features/audit/audit-queries.ts';
import { auditRange, parseAuditSearch, type AuditSearch } from '../../features/audit/audit-search.ts';
import { AuditTable } from '../../features/audit/audit-table.tsx';
import { VerifyChain } from '../../features/audit/verify-chain.tsx';
import { formatCount } from '../../lib/format.ts';
import { useRefetchInterval } from '../../lib/refresh-interval.tsx';
import { describeRange, rangeToSearch, type RangeSelection } from '../../lib/time-range.ts';

const route = getRouteApi('/admin/audit');
const MAX_REFRESHED_PAGES = 3;

/** Who did what, when, to what: every change and login, append-only and hash-chained. */
export function AuditRoute() {
  const rawSearch = route.useSearch();
  const search = useMemo(() => parseAuditSearch(rawSearch), [rawSearch]);
  const navigate = route.useNavigate();
  const selection = auditRange(search);
  const refetchInterval = useRefetchInterval();
  const query = useInfiniteQuery({
    ...auditListQueryOptions({
      actor: search.actor,
      action: search.action,
      target: search.target,
      selection,
    }),
    // New entries appear while the window ends now and only the first pages are loaded (as events).
    refetchInterval: (q) =>
      selection.kind === 'preset' && (q.state.data?.pages.length ?? 0) <= MAX_REFRESHED_PAGES
        ? refetchInterval
        : false,
  });
  const entries = useMemo(() => (query.data?.pages ?? []).flatMap((page) => page.items), [query.data]);
  const setFilters = useCallback(
    (next: Partial<AuditSearch>) =>
      void navigate({ search: (prev) => ({ ...prev, ...next }), replace: true }),
    [navigate],
  );
  const setRange = useCallback((next: RangeSelection) => setFilters(rangeToSearch(next)), [setFilters]);
  const { fetchNextPage } = query;
  const loadMore = useCallback(() => void fetchNextPage(), [fetchNextPage]);
  const filtered = Boolean(search.actor || search.action || search.target);

  return (
    <>
      <PageHeader
        title="Audit log"
        subtitle="Every login and change, newest first. Entries cannot be changed; the chain shows if one was."
        actions={<TimeRangePicker value={selection} onChange={setRange} />}
      />
      <VerifyChain />
      <AuditFilters value={search} onChange={setFilters} />
      <FanOutPanel
        title="Audit entries"
        query={query}
        summary={
          query.data &&
          `${formatCount(entries.length)}${query.hasNextPage ? '+' : ''} · ${describeRange(selection)}`
        }
        isEmpty={entries.length === 0}
        emptyTitle={filtered ? 'No entries match' : 'No entries in this range'}
        emptyText={filtered ? 'Try fewer filters or a longer range.' : 'Try a longer range.'}
        flush
        testId="audit-panel"
      >
        <AuditTable
          entries={entries}
          hasMore={query.hasNextPage}
          loadingMore={query.isFetchingNextPage}
          onLoadMore={loadMore}
          footer={`${formatCount(entries.length)} loaded${query.hasNextPage ? ' · scroll for more' : ' · end of the log'}`}
        />
      </FanOutPanel>
    </>
  );
}

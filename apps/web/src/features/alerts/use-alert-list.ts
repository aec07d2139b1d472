import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useCallback, useMemo } from 'react';
import type { PanelQuery } from '../../components/ui/fan-out-panel.tsx';
import { combineCoverage } from '../../lib/coverage.ts';
import { matchesFilters, type AlertFilters } from './alert-filters.ts';
import { alertListQueryOptions } from './alert-queries.ts';
import { liveAlertsQueryOptions } from './alert-stream.tsx';
import { overlayLive, selectAlerts, type LiveAlert } from './alert-store.ts';
import { useLiveAlerts } from './use-live-alerts.ts';

export interface AlertListView {
  entries: LiveAlert[];
  query: PanelQuery;
  coverage: ReturnType<typeof combineCoverage>;
  partial: boolean;
  hasMore: boolean;
  loadingMore: boolean;
  loadMore: () => void;
}

/**
 * The alerts the page's filters select. Open states come from the live store, filtered in the
 * browser; resolved ones are history: `alerts.list` pages (with their coverage), kept current by
 * the store (alerts that resolve while the page is open join in place).
 */
export function useAlertList(filters: AlertFilters): AlertListView {
  const live = useLiveAlerts(filters.node);
  const history = filters.state === 'resolved';
  const query = useInfiniteQuery({ ...alertListQueryOptions(filters), enabled: history });
  const { data: store } = useQuery(liveAlertsQueryOptions());
  const pages = query.data?.pages;
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = query;
  const keep = useCallback(
    (alert: Parameters<typeof matchesFilters>[0]) => matchesFilters(alert, filters),
    [filters],
  );

  const entries = useMemo(
    () =>
      history
        ? overlayLive(
            (pages ?? []).flatMap((page) => page.items),
            store,
            keep,
            !hasNextPage,
          )
        : selectAlerts(live.store, keep),
    [history, pages, store, keep, hasNextPage, live.store],
  );
  const historyCoverage = useMemo(() => combineCoverage((pages ?? []).map((p) => p.coverage)), [pages]);
  const loadMore = useCallback(() => void fetchNextPage(), [fetchNextPage]);

  if (!history)
    return {
      entries,
      query: live.query,
      coverage: live.coverage,
      partial: live.partial,
      hasMore: false,
      loadingMore: false,
      loadMore,
    };
  return {
    entries,
    query,
    coverage: historyCoverage,
    partial: historyCoverage !== undefined && historyCoverage.answered < historyCoverage.asked,
    hasMore: hasNextPage,
    loadingMore: isFetchingNextPage,
    loadMore,
  };
}

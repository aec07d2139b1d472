import { infiniteQueryOptions, queryOptions } from '@tanstack/react-query';
import type { AlertState } from '@tierscope/shared/schemas';
import { api } from '../../lib/trpc.ts';
import { listInputOf, type AlertFilters } from './alert-filters.ts';

const OPEN_STATES: AlertState[] = ['pending', 'firing', 'flapping'];

/** The most alerts one `alerts.list` page holds (the contract's bound). */
export const ALERT_PAGE_SIZE = 500;

/**
 * Every open alert as the federation answers now, with its coverage. Read once per stream start
 * (`generation`), after the stream is up: whatever changes later arrives over the stream. It also
 * brings the alerts a fresh stream cannot: a lost child's, which only its parent's mirror holds.
 */
export const openAlertListQueryOptions = (generation: number) =>
  queryOptions({
    queryKey: ['alerts.list', 'open-at-stream-start', generation],
    queryFn: ({ signal }) =>
      api.alerts.list.query({ states: OPEN_STATES, limit: ALERT_PAGE_SIZE }, { signal }),
    staleTime: Infinity,
  });

export const HISTORY_PAGE_SIZE = 100;

/** Alerts matching the page's filters in the contract's order, a page at a time (the resolved history). */
export const alertListQueryOptions = (filters: AlertFilters) =>
  infiniteQueryOptions({
    queryKey: ['alerts.list', listInputOf(filters)],
    queryFn: ({ pageParam, signal }) =>
      api.alerts.list.query(
        {
          ...listInputOf(filters),
          limit: HISTORY_PAGE_SIZE,
          ...(pageParam !== null && { cursor: pageParam }),
        },
        { signal },
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.nextCursor,
    // The live stream keeps what is shown current: no refetch on a timer.
    staleTime: Infinity,
  });

/** How many of a device's alerts its page shows, open and resolved. */
export const DEVICE_ALERTS_LIMIT = 50;

/** One device's alerts on its owning node, open and resolved, most severe first. */
export const deviceAlertsQueryOptions = (nodePath: string, deviceId: string) =>
  queryOptions({
    queryKey: ['alerts.list', { nodePath, deviceId }],
    queryFn: ({ signal }) =>
      api.alerts.list.query({ nodePath, deviceId, limit: DEVICE_ALERTS_LIMIT }, { signal }),
    staleTime: Infinity,
  });

/** Active and future silences of every node. */
export const silenceListQueryOptions = () =>
  queryOptions({
    queryKey: ['silences.list'],
    queryFn: ({ signal }) => api.silences.list.query({ limit: ALERT_PAGE_SIZE }, { signal }),
    staleTime: 60_000,
  });

import { queryOptions, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Coverage } from '@tierscope/shared/domain';
import type { Alert } from '@tierscope/shared/schemas';
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api } from '../../lib/trpc.ts';
import { openAlertListQueryOptions } from './alert-queries.ts';
import {
  applyStreamItems,
  EMPTY_LIVE_ALERTS,
  mergeAlerts,
  newCriticalAlerts,
  type LiveAlerts,
  type StreamItem,
} from './alert-store.ts';

/** The live connection to `alerts.watch`. `since`/`lastLiveAt`: how current the store is. */
export type AlertStreamState =
  | { kind: 'connecting'; error?: unknown; lastLiveAt: number | null }
  | { kind: 'live'; since: number }
  | { kind: 'error'; error: unknown; lastLiveAt: number | null };

/** What the open-alert list read at the stream's start said: loading, failed, or its coverage. */
export interface OpeningList {
  status: 'pending' | 'error' | 'success';
  error: unknown;
  coverage: Coverage | undefined;
  refetch: () => unknown;
}

interface AlertStreamContextValue {
  state: AlertStreamState;
  opening: OpeningList;
  /** Starts the stream afresh (after it failed for good): an empty store, a new snapshot. */
  restart: () => void;
}

const liveAlertsKey = ['alerts.live'] as const;

/**
 * The store of every alert the console knows (alert-store.ts). Only AlertStreamProvider writes
 * it, from the stream and from list and mutation answers; everything else reads it.
 */
export const liveAlertsQueryOptions = () =>
  queryOptions({
    queryKey: liveAlertsKey,
    queryFn: () => EMPTY_LIVE_ALERTS,
    initialData: EMPTY_LIVE_ALERTS,
    staleTime: Infinity,
    gcTime: Infinity,
  });

/** Items arriving together are applied together: one store update and one render per batch. */
const BATCH_MS = 20;
/** After the stream failed for good (not a dropped connection, which the link resumes itself). */
const RESTART_AFTER_MS = 5_000;

const CONNECTING: AlertStreamState = { kind: 'connecting', lastLiveAt: null };

const newCriticalListeners = new Set<(alerts: Alert[]) => void>();

/** Calls `listener` with the critical alerts that start firing while the console is open. */
export function onNewCriticalAlerts(listener: (alerts: Alert[]) => void): () => void {
  newCriticalListeners.add(listener);
  return () => newCriticalListeners.delete(listener);
}

const AlertStreamContext = createContext<AlertStreamContextValue | null>(null);

/**
 * Holds one `alerts.watch` subscription for the whole console and merges what it sends into the
 * query cache. A dropped connection resumes after the last event id (the link sends it back and
 * the BFF replays what was missed); a fresh start sends every open alert first. Once the stream is
 * up, `alerts.list` is read once for the open alerts with its coverage: it settles the loading
 * state and brings what a fresh stream cannot (the last known alerts of a child that is down).
 */
export function AlertStreamProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [generation, setGeneration] = useState(0);
  const [started, setStarted] = useState(-1);
  const [reported, setReported] = useState<{ generation: number; state: AlertStreamState } | null>(null);
  const state = reported?.generation === generation ? reported.state : CONNECTING;

  useEffect(() => {
    let lastLiveAt: number | null = null;
    const report = (next: AlertStreamState) => setReported({ generation, state: next });
    queryClient.setQueryData(liveAlertsKey, EMPTY_LIVE_ALERTS);
    let batch: StreamItem[] = [];
    let flushTimer: ReturnType<typeof setTimeout> | undefined;
    let restartTimer: ReturnType<typeof setTimeout> | undefined;
    const flush = () => {
      flushTimer = undefined;
      const items = batch;
      batch = [];
      const before = queryClient.getQueryData<LiveAlerts>(liveAlertsKey) ?? EMPTY_LIVE_ALERTS;
      queryClient.setQueryData(liveAlertsKey, applyStreamItems(before, items));
      const news = newCriticalAlerts(before, items, Date.now());
      if (news.length > 0) for (const listener of newCriticalListeners) listener(news);
    };
    const subscription = api.alerts.watch.subscribe(
      {},
      {
        onStarted: () => setStarted(generation),
        onData: ({ id, data }) => {
          batch.push({ id, change: data });
          flushTimer ??= setTimeout(flush, BATCH_MS);
        },
        onConnectionStateChange: (connection) => {
          if (connection.state === 'pending') {
            report({ kind: 'live', since: Date.now() });
            lastLiveAt = null;
          } else if (connection.state === 'connecting') {
            lastLiveAt ??= Date.now();
            report({ kind: 'connecting', lastLiveAt, ...(connection.error && { error: connection.error }) });
          }
        },
        onError: (error) => {
          report({ kind: 'error', error, lastLiveAt: lastLiveAt ?? Date.now() });
          restartTimer = setTimeout(() => setGeneration((g) => g + 1), RESTART_AFTER_MS);
        },
      },
    );
    return () => {
      subscription.unsubscribe();
      clearTimeout(flushTimer);
      clearTimeout(restartTimer);
    };
  }, [generation, queryClient]);

  const list = useQuery({ ...openAlertListQueryOptions(generation), enabled: started === generation });
  const listed = list.data?.items;
  useEffect(() => {
    if (listed)
      queryClient.setQueryData<LiveAlerts>(liveAlertsKey, (store) =>
        mergeAlerts(store ?? EMPTY_LIVE_ALERTS, listed),
      );
  }, [listed, queryClient]);

  const restart = useCallback(() => setGeneration((g) => g + 1), []);
  const { status, error, refetch } = list;
  const coverage = list.data?.coverage;
  const value = useMemo(
    () => ({ state, opening: { status, error, coverage, refetch }, restart }),
    [state, status, error, coverage, refetch, restart],
  );
  return <AlertStreamContext value={value}>{children}</AlertStreamContext>;
}

export function useAlertStream(): AlertStreamContextValue {
  const value = useContext(AlertStreamContext);
  if (!value) throw new Error('useAlertStream needs an AlertStreamProvider');
  return value;
}

/** Merges a mutation's answer (the alert as its owner now has it) into the store at once. */
export function useConfirmAlert(): (alert: Alert) => void {
  const queryClient = useQueryClient();
  return useCallback(
    (alert: Alert) =>
      queryClient.setQueryData<LiveAlerts>(liveAlertsKey, (store) =>
        mergeAlerts(store ?? EMPTY_LIVE_ALERTS, [alert], 'confirmed'),
      ),
    [queryClient],
  );
}

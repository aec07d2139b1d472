import { useQuery } from '@tanstack/react-query';
import type { Coverage } from '@tierscope/shared/domain';
import { useMemo } from 'react';
import type { PanelQuery } from '../../components/ui/fan-out-panel.tsx';
import { summarizeCoverage } from '../../lib/coverage.ts';
import { coverageOfTree } from '../../lib/node-tree.ts';
import { useNodeTree } from '../../lib/node-watch.tsx';
import { useNow } from '../../lib/use-now.ts';
import { liveAlertsQueryOptions, useAlertStream } from './alert-stream.tsx';
import type { LiveAlerts } from './alert-store.ts';

export interface LiveAlertsView {
  store: LiveAlerts;
  /** For FanOutPanel: pending until the stream and the opening list have answered. */
  query: PanelQuery;
  /**
   * The stream is only as complete as the tree it comes through: the tree's health, scoped to a
   * node. A child that is down makes every count a lower bound (its alerts are last known copies).
   */
  coverage: Coverage | undefined;
  partial: boolean;
}

/**
 * The live alert store with its state for a panel. While the stream is up the data is current
 * (pushed, not polled); once it drops, the panel shows how long ago it was last known current.
 */
export function useLiveAlerts(scope?: string): LiveAlertsView {
  const { data: store } = useQuery(liveAlertsQueryOptions());
  const { state, opening, restart } = useAlertStream();
  const tree = useNodeTree();
  const now = useNow(5_000);

  const coverage = useMemo(
    () => (tree.rows.length > 0 ? coverageOfTree(tree.rows, scope ?? '') : undefined),
    [tree.rows, scope],
  );
  const streamError = state.kind === 'live' ? undefined : state.error;
  const hasData = store.byKey.size > 0 || opening.status === 'success';
  const error = streamError ?? (opening.status === 'error' ? opening.error : undefined);
  const lastKnown = state.kind === 'live' ? now : (state.lastLiveAt ?? now);
  const query: PanelQuery = {
    status: error !== undefined ? 'error' : hasData ? 'success' : 'pending',
    error,
    dataUpdatedAt: hasData ? lastKnown : 0,
    refetch: () => (state.kind === 'error' ? restart() : opening.refetch()),
  };
  return { store, query, coverage, partial: coverage ? summarizeCoverage(coverage).partial : false };
}

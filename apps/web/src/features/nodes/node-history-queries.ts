import { queryOptions, useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import {
  joinFrames,
  liveFrames,
  READING_OF,
  recordedFrames,
  type ChartedMetric,
  type HistoryFrame,
} from '../../lib/node-history.ts';
import { useNodeHistory } from '../../lib/node-watch.tsx';
import { api } from '../../lib/trpc.ts';

/** How far back a node chart reaches when a page opens: the nodes record it (docs/decisions/0029). */
export const RECORDED_SPAN_MS = 3_600_000;
/** The recorded series move a minute bucket at a time; the tab's samples fill in between. */
const RECORDED_REFETCH_MS = 60_000;

/**
 * The last hour of one series as the nodes of a subtree (every node without `nodePath`) recorded
 * it, one point a minute. The range is resolved when the query runs, so each refetch moves it.
 */
export const nodeHistoryQueryOptions = (metric: ChartedMetric, nodePath: string | undefined) =>
  queryOptions({
    queryKey: ['node.history', metric, nodePath ?? ''],
    queryFn: ({ signal }) => {
      const to = Date.now();
      return api.node.history.query(
        { metric, ...(nodePath && { nodePath }), from: to - RECORDED_SPAN_MS, to },
        { signal },
      );
    },
    refetchInterval: RECORDED_REFETCH_MS,
  });

/**
 * A node chart's frames: the last hour as the nodes recorded it, then the tab's own samples, so
 * the chart shows history the moment a page opens or reloads (the root, "", is the whole fleet).
 */
export function useNodeHistoryFrames(metric: ChartedMetric, nodePath: string): HistoryFrame[] {
  const live = useNodeHistory();
  const recorded = useQuery(nodeHistoryQueryOptions(metric, nodePath || undefined));
  return useMemo(
    () =>
      joinFrames(recorded.data ? recordedFrames(recorded.data) : [], liveFrames(live, READING_OF[metric])),
    [recorded.data, live, metric],
  );
}

import { queryOptions, useQuery } from '@tanstack/react-query';
import { useMemo, type ReactNode } from 'react';
import { useNodeHistory } from '../../lib/node-watch.tsx';
import { api } from '../../lib/trpc.ts';
import {
  joinFrames,
  liveFrames,
  READING_OF,
  recordedFrames,
  type ChartedMetric,
  type HistoryFrame,
} from './history-frames.ts';

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
 * Undefined until the nodes' record has answered (or failed: then the tab's samples alone).
 */
export function useNodeHistoryFrames(metric: ChartedMetric, nodePath: string): HistoryFrame[] | undefined {
  const live = useNodeHistory();
  const recorded = useQuery(nodeHistoryQueryOptions(metric, nodePath || undefined));
  return useMemo(
    () =>
      recorded.isPending
        ? undefined
        : joinFrames(
            recorded.data ? recordedFrames(recorded.data) : [],
            liveFrames(live, READING_OF[metric]),
          ),
    [recorded.isPending, recorded.data, live, metric],
  );
}

export interface NodeHistoryFramesProps {
  metric: ChartedMetric;
  nodePath: string;
  children: (frames: HistoryFrame[] | undefined) => ReactNode;
}

/**
 * `useNodeHistoryFrames` as a component, for a page that loads this module on demand
 * (`HistoryChartPanel`): the query and the join stay out of the page's own chunk.
 */
export function NodeHistoryFrames({ metric, nodePath, children }: NodeHistoryFramesProps) {
  return children(useNodeHistoryFrames(metric, nodePath));
}

import { lazy, Suspense } from 'react';
import { FanOutPanel, type PanelQuery } from '../../components/ui/fan-out-panel.tsx';
import { ChartSkeleton } from '../../components/ui/notices.tsx';
import { formatAge } from '../../lib/format.ts';
import type { ChartedMetric, HistoryFrame } from './history-frames.ts';
import type { HistoryLine } from './node-history-options.ts';

// ECharts loads with this chunk, after the page's numbers are on screen.
const loadNodeHistoryChart = () => import('./node-history-chart.tsx');
const NodeHistoryChart = lazy(() => loadNodeHistoryChart().then((m) => ({ default: m.NodeHistoryChart })));
// The history query and its join with the tab's samples load on demand too, not with the page
// (issue 19's first-route budget). The chart's chunk is asked for at the same moment, so the
// history request does not wait for ECharts, nor ECharts for the history.
const NodeHistoryFrames = lazy(() => {
  // A failure shows when the chart itself is rendered (its own import fails the same way).
  loadNodeHistoryChart().catch(() => undefined);
  return import('./node-history-queries.ts').then((m) => ({ default: m.NodeHistoryFrames }));
});

export interface HistoryChartPanelProps {
  title: string;
  query: PanelQuery;
  metric: ChartedMetric;
  /** The subtree whose nodes it charts; "" is the whole fleet. */
  nodePath: string;
  lines: readonly HistoryLine[];
  unit: string;
  stacked?: boolean;
  testId?: string;
}

/**
 * A panel charting a node series over its history (what the nodes recorded, then the tab's own
 * samples). The span it draws is on the chart's box too: `data-from`, `data-to` and `data-points`.
 */
export function HistoryChartPanel({ metric, nodePath, ...panel }: HistoryChartPanelProps) {
  const loading = <HistoryPanel {...panel} frames={undefined} />;
  // The history and ECharts are asked for once the page's own numbers are in (the tree's first
  // answer), so on a slow network they do not compete with what a phone shows first.
  if (panel.query.dataUpdatedAt === 0) return loading;
  return (
    <Suspense fallback={loading}>
      <NodeHistoryFrames metric={metric} nodePath={nodePath}>
        {(frames) => <HistoryPanel {...panel} frames={frames} />}
      </NodeHistoryFrames>
    </Suspense>
  );
}

/** The panel over `frames`; a skeleton while they are undefined (their code or the record on the way). */
function HistoryPanel({
  title,
  query,
  frames,
  lines,
  unit,
  stacked = false,
  testId,
}: Omit<HistoryChartPanelProps, 'metric' | 'nodePath'> & { frames: readonly HistoryFrame[] | undefined }) {
  const skeleton = <ChartSkeleton label={title} />;
  const first = frames?.[0];
  const last = frames?.at(-1);
  const span = first && last ? last.at - first.at : 0;
  const drawn = frames !== undefined && frames.length > 1;
  return (
    <FanOutPanel
      title={title}
      query={query}
      summary={drawn ? `${unit}${stacked ? ', stacked' : ''} · last ${formatAge(span)}` : unit}
      isEmpty={frames !== undefined && !drawn}
      emptyTitle="Collecting samples"
      emptyText="No node has recorded this yet; the chart fills in as node info arrives."
      loading={skeleton}
      {...(testId !== undefined && { testId })}
    >
      {frames === undefined ? (
        skeleton
      ) : (
        <div data-testid="history-chart" data-from={first?.at} data-to={last?.at} data-points={frames.length}>
          <Suspense fallback={skeleton}>
            <NodeHistoryChart title={title} frames={frames} lines={lines} unit={unit} stacked={stacked} />
          </Suspense>
        </div>
      )}
    </FanOutPanel>
  );
}

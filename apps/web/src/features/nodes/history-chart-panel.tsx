import { lazy, Suspense } from 'react';
import { FanOutPanel, type PanelQuery } from '../../components/ui/fan-out-panel.tsx';
import { ChartSkeleton } from '../../components/ui/notices.tsx';
import { formatAge } from '../../lib/format.ts';
import type { HistoryFrame } from '../../lib/node-history.ts';
import type { HistoryLine } from './node-history-options.ts';

// ECharts loads with this chunk, after the page's numbers are on screen.
const NodeHistoryChart = lazy(() =>
  import('./node-history-chart.tsx').then((m) => ({ default: m.NodeHistoryChart })),
);

/**
 * A panel charting a node series over its history (what the nodes recorded, then the tab's own
 * samples). The span it draws is on the chart's box too: `data-from`, `data-to` and `data-points`.
 */
export function HistoryChartPanel({
  title,
  query,
  frames,
  lines,
  unit,
  stacked = false,
  testId,
}: {
  title: string;
  query: PanelQuery;
  frames: readonly HistoryFrame[];
  lines: readonly HistoryLine[];
  unit: string;
  stacked?: boolean;
  testId?: string;
}) {
  const first = frames[0];
  const last = frames.at(-1);
  const span = first && last ? last.at - first.at : 0;
  return (
    <FanOutPanel
      title={title}
      query={query}
      summary={frames.length > 1 ? `${unit}${stacked ? ', stacked' : ''} · last ${formatAge(span)}` : unit}
      isEmpty={frames.length < 2}
      emptyTitle="Collecting samples"
      emptyText="No node has recorded this yet; the chart fills in as node info arrives."
      loading={<ChartSkeleton label={title} />}
      {...(testId !== undefined && { testId })}
    >
      <div data-testid="history-chart" data-from={first?.at} data-to={last?.at} data-points={frames.length}>
        <Suspense fallback={<ChartSkeleton label={title} />}>
          <NodeHistoryChart title={title} frames={frames} lines={lines} unit={unit} stacked={stacked} />
        </Suspense>
      </div>
    </FanOutPanel>
  );
}

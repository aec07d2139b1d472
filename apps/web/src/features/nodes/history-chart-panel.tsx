import { lazy, Suspense } from 'react';
import { FanOutPanel, type PanelQuery } from '../../components/ui/fan-out-panel.tsx';
import { ChartSkeleton } from '../../components/ui/notices.tsx';
import { formatAge } from '../../lib/format.ts';
import type { NodeReading, NodeSample } from '../../lib/node-history.ts';
import type { HistoryLine } from './node-history-options.ts';

// ECharts loads with this chunk, after the page's numbers are on screen.
const NodeHistoryChart = lazy(() =>
  import('./node-history-chart.tsx').then((m) => ({ default: m.NodeHistoryChart })),
);

/** A panel charting node readings over the console's sampled history. */
export function HistoryChartPanel({
  title,
  query,
  history,
  lines,
  pick,
  unit,
  stacked = false,
  testId,
}: {
  title: string;
  query: PanelQuery;
  history: readonly NodeSample[];
  lines: readonly HistoryLine[];
  pick: (reading: NodeReading) => number;
  unit: string;
  stacked?: boolean;
  testId?: string;
}) {
  const first = history[0];
  const last = history.at(-1);
  const span = first && last ? last.at - first.at : 0;
  return (
    <FanOutPanel
      title={title}
      query={query}
      summary={history.length > 1 ? `${unit}${stacked ? ', stacked' : ''} · last ${formatAge(span)}` : unit}
      isEmpty={history.length < 2}
      emptyTitle="Collecting samples"
      emptyText="This chart is drawn from node info as it arrives; it fills in over the next seconds."
      loading={<ChartSkeleton label={title} />}
      {...(testId !== undefined && { testId })}
    >
      <Suspense fallback={<ChartSkeleton label={title} />}>
        <NodeHistoryChart
          title={title}
          history={history}
          lines={lines}
          pick={pick}
          unit={unit}
          stacked={stacked}
        />
      </Suspense>
    </FanOutPanel>
  );
}

import { useMemo } from 'react';
import { useChartTheme } from '../../components/charts/chart-theme.ts';
import { EChart } from '../../components/charts/echart.tsx';
import type { NodeReading, NodeSample } from '../../lib/node-history.ts';
import { describeHistoryChart, historyChartOptions, type HistoryLine } from './node-history-options.ts';

export interface NodeHistoryChartProps {
  title: string;
  history: readonly NodeSample[];
  lines: readonly HistoryLine[];
  pick: (reading: NodeReading) => number;
  unit: string;
  stacked?: boolean;
  height?: number;
}

/** A line per node over the console's sampled history; loaded lazily with ECharts. */
export function NodeHistoryChart({
  title,
  history,
  lines,
  pick,
  unit,
  stacked = false,
  height = 220,
}: NodeHistoryChartProps) {
  const theme = useChartTheme();
  const option = useMemo(
    () => historyChartOptions({ history, lines, pick, theme, unit, stacked }),
    [history, lines, pick, theme, unit, stacked],
  );
  return (
    <EChart option={option} height={height} label={describeHistoryChart(title, history, lines, pick, unit)} />
  );
}

import { useMemo } from 'react';
import { useChartTheme } from '../../components/charts/chart-theme.ts';
import { EChart } from '../../components/charts/echart.tsx';
import type { HistoryFrame } from './history-frames.ts';
import { describeHistoryChart, historyChartOptions, type HistoryLine } from './node-history-options.ts';

export interface NodeHistoryChartProps {
  title: string;
  frames: readonly HistoryFrame[];
  lines: readonly HistoryLine[];
  unit: string;
  stacked?: boolean;
  height?: number;
}

/** A line per node over its history; loaded lazily with ECharts. */
export function NodeHistoryChart({
  title,
  frames,
  lines,
  unit,
  stacked = false,
  height = 220,
}: NodeHistoryChartProps) {
  const theme = useChartTheme();
  const option = useMemo(
    () => historyChartOptions({ frames, lines, theme, unit, stacked }),
    [frames, lines, theme, unit, stacked],
  );
  return <EChart option={option} height={height} label={describeHistoryChart(title, frames, lines, unit)} />;
}

import { tooltipColors } from '../../components/charts/chart-parts.ts';
import type { ChartTheme, EChartOption } from '../../components/charts/echart-option.ts';
import { formatAge, formatTimestamp, formatValue } from '../../lib/format.ts';
import { seriesOf, type HistoryFrame } from './history-frames.ts';

export interface HistoryLine {
  path: string;
  name: string;
}

export interface HistoryChartInput {
  frames: readonly HistoryFrame[];
  lines: readonly HistoryLine[];
  theme: ChartTheme;
  unit: string;
  /** Stack the lines as areas, so the top edge is the total. */
  stacked?: boolean;
}

/**
 * One line per node over its history: what the nodes recorded, then the tab's own samples. A node
 * with no value at a moment (down, or nothing recorded) leaves a gap rather than a misleading zero.
 */
export function historyChartOptions({
  frames,
  lines,
  theme,
  unit,
  stacked = false,
}: HistoryChartInput): EChartOption {
  return {
    animation: false,
    color: theme.palette,
    grid: { left: 8, right: 16, top: lines.length > 1 ? 40 : 16, bottom: 8, containLabel: true },
    legend:
      lines.length > 1
        ? { top: 0, type: 'scroll', textStyle: { color: theme.muted }, pageTextStyle: { color: theme.muted } }
        : { show: false },
    tooltip: {
      trigger: 'axis',
      ...tooltipColors(theme),
      valueFormatter: (value) => (typeof value === 'number' ? `${formatValue(value)} ${unit}` : 'no data'),
    },
    xAxis: {
      type: 'time',
      axisLine: { lineStyle: { color: theme.border } },
      axisLabel: {
        color: theme.muted,
        hideOverlap: true,
        formatter: (v: number) => formatTimestamp(v).slice(-8),
      },
      splitLine: { show: false },
    },
    yAxis: {
      type: 'value',
      min: 0,
      axisLabel: { color: theme.muted },
      splitLine: { lineStyle: { color: theme.grid } },
    },
    series: lines.map((line) => ({
      id: line.path || 'fleet',
      name: line.name,
      type: 'line' as const,
      symbol: 'none',
      connectNulls: false,
      lineStyle: { width: 1.6 },
      ...(stacked && { stack: 'total', areaStyle: { opacity: 0.22 } }),
      data: seriesOf(frames, line.path),
    })),
  };
}

/** The chart's accessible name: the span it covers, with each line's latest value. */
export function describeHistoryChart(
  title: string,
  frames: readonly HistoryFrame[],
  lines: readonly HistoryLine[],
  unit: string,
): string {
  const first = frames[0];
  const last = frames.at(-1);
  if (!first || !last) return `${title}: no samples yet`;
  const latest = lines.map((line) => {
    const value = last.values[line.path];
    return `${line.name} ${value === undefined ? 'no data' : `${formatValue(value)} ${unit}`}`;
  });
  return `${title} over the last ${formatAge(last.at - first.at)} (${frames.length} points); now ${latest.join(', ')}`;
}

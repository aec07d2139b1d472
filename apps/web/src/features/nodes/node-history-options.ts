import { tooltipColors } from '../../components/charts/chart-parts.ts';
import type { ChartTheme, EChartOption } from '../../components/charts/echart-option.ts';
import { formatTimestamp, formatValue } from '../../lib/format.ts';
import { seriesOf, type NodeReading, type NodeSample } from '../../lib/node-history.ts';

export interface HistoryLine {
  path: string;
  name: string;
}

export interface HistoryChartInput {
  history: readonly NodeSample[];
  lines: readonly HistoryLine[];
  pick: (reading: NodeReading) => number;
  theme: ChartTheme;
  unit: string;
  /** Stack the lines as areas, so the top edge is the total. */
  stacked?: boolean;
}

/**
 * One line per node over the console's own short history (sampled from node.watch). A node that
 * was down at a sample leaves a gap rather than a misleading zero.
 */
export function historyChartOptions({
  history,
  lines,
  pick,
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
      data: seriesOf(history, line.path, pick),
    })),
  };
}

/** The chart's accessible name, with each line's latest value. */
export function describeHistoryChart(
  title: string,
  history: readonly NodeSample[],
  lines: readonly HistoryLine[],
  pick: (reading: NodeReading) => number,
  unit: string,
): string {
  const last = history.at(-1);
  if (!last) return `${title}: no samples yet`;
  const latest = lines.map((line) => {
    const reading = last.nodes[line.path];
    return `${line.name} ${reading ? `${formatValue(pick(reading))} ${unit}` : 'no data'}`;
  });
  return `${title} over the last ${history.length} samples; now ${latest.join(', ')}`;
}

import { tooltipColors } from '../../components/charts/chart-parts.ts';
import type { ChartTheme, EChartOption } from '../../components/charts/echart-option.ts';
import { availabilityOf, type TrendPoint } from '@tierscope/shared/schemas';
import { formatShare } from './report-format.ts';

/**
 * Availability per trend step, in percent. A step with nothing observed (no device known yet, or
 * every node silent) is a gap, never 0 % or 100 %.
 */
export function reportTrendOptions(trend: readonly TrendPoint[], theme: ChartTheme): EChartOption {
  const values = trend.map((point) => availabilityOf(point));
  const known = values.filter((value): value is number => value !== null);
  // The axis starts a little below the lowest point: availability lives in the top percent.
  const floor = known.length > 0 ? Math.max(0, Math.floor(Math.min(...known) * 100 - 1)) : 0;
  return {
    animation: false,
    color: theme.palette,
    grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
    tooltip: {
      trigger: 'axis',
      ...tooltipColors(theme),
      valueFormatter: (value) => (typeof value === 'number' ? formatShare(value / 100) : 'nothing observed'),
    },
    xAxis: {
      type: 'time',
      axisLine: { lineStyle: { color: theme.border } },
      axisLabel: { color: theme.muted, hideOverlap: true },
      splitLine: { show: false },
    },
    yAxis: {
      type: 'value',
      min: floor,
      max: 100,
      axisLabel: { color: theme.muted, formatter: '{value} %' },
      splitLine: { lineStyle: { color: theme.grid } },
    },
    series: [
      {
        id: 'availability',
        name: 'Availability',
        type: 'line',
        symbol: 'circle',
        symbolSize: 4,
        connectNulls: false,
        lineStyle: { width: 1.8 },
        areaStyle: { opacity: 0.12 },
        data: trend.map((point, i) => [point.at, values[i] === null ? null : values[i]! * 100]),
      },
    ],
  };
}

/** The chart's accessible name: its span and its lowest step. */
export function describeReportTrend(trend: readonly TrendPoint[]): string {
  const known = trend
    .map((point) => ({ at: point.at, value: availabilityOf(point) }))
    .filter((point): point is { at: number; value: number } => point.value !== null);
  if (known.length === 0) return 'Availability trend: nothing observed in this period';
  const lowest = known.reduce((low, point) => (point.value < low.value ? point : low));
  return `Availability trend over ${known.length} steps; lowest ${formatShare(lowest.value)} on ${new Date(lowest.at).toLocaleString('en-US', { dateStyle: 'medium' })}`;
}

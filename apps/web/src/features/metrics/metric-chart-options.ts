import type { Series, SeriesPoint } from '@tierscope/shared/schemas';
import { timeAxis, tooltipColors } from '../../components/charts/chart-parts.ts';
import type { ChartTheme, EChartOption } from '../../components/charts/echart-option.ts';
import { formatTimestamp, formatValue } from '../../lib/format.ts';
import type { ResolvedRange } from '../../lib/time-range.ts';

/** A gap wider than this many buckets breaks the line instead of drawing across missing data. */
const GAP_BUCKETS = 3;

type Pair = [number, number | null];

export interface MetricChartInput {
  series: Series;
  range: ResolvedRange;
  theme: ChartTheme;
  unit: string | null;
}

/**
 * The bucket width to judge gaps by: the series' own, or for raw samples (width 0) the median
 * spacing of the points.
 */
export function expectedSpacing(series: Pick<Series, 'bucketMs' | 'points'>): number {
  if (series.bucketMs > 0) return series.bucketMs;
  const spacings = series.points.slice(1).map((p, i) => p.ts - series.points[i]!.ts);
  if (spacings.length === 0) return 0;
  spacings.sort((a, b) => a - b);
  return spacings[Math.floor(spacings.length / 2)]!;
}

/** [time, value] pairs with a null between points further apart than GAP_BUCKETS buckets. */
export function withGaps(
  points: readonly SeriesPoint[],
  spacing: number,
  pick: (p: SeriesPoint) => number,
): Pair[] {
  const pairs: Pair[] = [];
  points.forEach((point, i) => {
    const previous = points[i - 1];
    if (previous && spacing > 0 && point.ts - previous.ts > GAP_BUCKETS * spacing)
      pairs.push([previous.ts + spacing, null]);
    pairs.push([point.ts, pick(point)]);
  });
  return pairs;
}

/** The size (px) of the dot that stands for a point with no neighbour to draw a line to. */
const LONE_POINT_SIZE = 6;

/**
 * The line's data, with a dot on each point that has no point beside it (one sample, or a sample
 * between two gaps): a line needs two points, so such a point would otherwise draw nothing.
 */
function markLonePoints(
  pairs: readonly Pair[],
): (Pair | { value: Pair; symbol: string; symbolSize: number })[] {
  const present = (pair: Pair | undefined) => pair !== undefined && pair[1] !== null;
  return pairs.map((pair, i) =>
    present(pair) && !present(pairs[i - 1]) && !present(pairs[i + 1])
      ? { value: pair, symbol: 'circle', symbolSize: LONE_POINT_SIZE }
      : pair,
  );
}

/**
 * A metric over time: the average as a line inside a band from the bucket's minimum to its
 * maximum (stacked: the band series is max − min on top of an invisible min line).
 */
export function metricChartOptions({ series, range, theme, unit }: MetricChartInput): EChartOption {
  const color = theme.palette[0] ?? theme.text;
  const spacing = expectedSpacing(series);
  const byTime = new Map(series.points.map((p) => [p.ts, p]));
  const banded = series.points.some((p) => p.max > p.min);

  return {
    animation: false,
    grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
    tooltip: {
      trigger: 'axis',
      ...tooltipColors(theme),
      formatter: (params) => {
        const first = Array.isArray(params) ? params[0] : params;
        const ts = (first?.value as Pair | undefined)?.[0];
        const point = ts === undefined ? undefined : byTime.get(ts);
        if (!point) return '';
        const u = unit ? ` ${unit}` : '';
        const lines = [`<strong>${formatTimestamp(point.ts)}</strong>`, `avg ${formatValue(point.avg)}${u}`];
        if (point.count > 1)
          lines.push(
            `min ${formatValue(point.min)}${u} · max ${formatValue(point.max)}${u}`,
            `${point.count} samples`,
          );
        return lines.join('<br/>');
      },
    },
    xAxis: timeAxis(theme, range.from, range.to),
    yAxis: {
      type: 'value',
      scale: true,
      axisLabel: { color: theme.muted },
      splitLine: { lineStyle: { color: theme.grid } },
    },
    series: [
      ...(banded
        ? [
            {
              id: 'min',
              name: 'min',
              type: 'line' as const,
              stack: 'band',
              symbol: 'none',
              lineStyle: { opacity: 0 },
              tooltip: { show: false },
              data: withGaps(series.points, spacing, (p) => p.min),
            },
            {
              id: 'band',
              name: 'min–max',
              type: 'line' as const,
              stack: 'band',
              symbol: 'none',
              lineStyle: { opacity: 0 },
              areaStyle: { color, opacity: 0.16 },
              data: withGaps(series.points, spacing, (p) => p.max - p.min),
            },
          ]
        : []),
      {
        id: 'avg',
        name: 'average',
        type: 'line' as const,
        // No symbols on the line; lone points carry their own (markLonePoints).
        symbol: 'none',
        showSymbol: true,
        lineStyle: { width: 1.6, color },
        itemStyle: { color },
        data: markLonePoints(withGaps(series.points, spacing, (p) => p.avg)),
      },
    ],
  };
}

/** The chart's accessible name: what, over when, and its extremes. */
export function describeMetricChart(
  series: Series,
  label: string,
  unit: string | null,
  when: string,
): string {
  if (series.points.length === 0) return `${label}, ${when}: no data`;
  const min = Math.min(...series.points.map((p) => p.min));
  const max = Math.max(...series.points.map((p) => p.max));
  const u = unit ? ` ${unit}` : '';
  return `${label}, ${when}: ${series.points.length} points from ${formatValue(min)}${u} to ${formatValue(max)}${u}`;
}

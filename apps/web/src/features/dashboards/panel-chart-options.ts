import type { FleetMetricAnswer } from '@tierscope/shared/schemas';
import { timeAxis, tooltipColors } from '../../components/charts/chart-parts.ts';
import type { ChartTheme, EChartOption } from '../../components/charts/echart-option.ts';
import { formatValue } from '../../lib/format.ts';
import { seriesName } from './panel-query.ts';

export interface PanelChartInput {
  answer: FleetMetricAnswer;
  theme: ChartTheme;
  unit?: string | undefined;
  /** Wall mode: larger type. */
  large?: boolean;
}

const withUnit = (value: number, unit: string | undefined) =>
  unit ? `${formatValue(value)} ${unit}` : formatValue(value);

const valueAxis = (theme: ChartTheme, fontSize: number) => ({
  type: 'value' as const,
  scale: true,
  axisLabel: { color: theme.muted, fontSize },
  splitLine: { lineStyle: { color: theme.grid } },
});

/**
 * One line per series over the answer's frame. A bucket without samples has no point, and the
 * line breaks there rather than drawing through it: absent is never zero.
 */
export function timeSeriesOptions({ answer, theme, unit, large = false }: PanelChartInput): EChartOption {
  const fontSize = large ? 16 : 12;
  return {
    animation: false,
    color: theme.palette,
    grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
    legend: { type: 'scroll', top: 0, textStyle: { color: theme.text, fontSize } },
    tooltip: {
      trigger: 'axis',
      ...tooltipColors(theme),
      valueFormatter: (value) => (typeof value === 'number' ? withUnit(value, unit) : '—'),
    },
    xAxis: {
      ...timeAxis(theme, answer.from, answer.to),
      axisLabel: { color: theme.muted, hideOverlap: true, fontSize },
    },
    yAxis: valueAxis(theme, fontSize),
    series: answer.series.map((series) => {
      const data: [number, number | null][] = [];
      series.points.forEach((point, i) => {
        const previous = series.points[i - 1];
        if (previous && point.at - previous.at > answer.stepMs)
          data.push([previous.at + answer.stepMs, null]);
        data.push([point.at, point.value]);
      });
      return {
        type: 'line' as const,
        name: seriesName(series),
        showSymbol: series.points.length === 1,
        connectNulls: false,
        data,
      };
    }),
  };
}

/** A bar per series by its whole-range figure, highest at the top (the answer's order for top devices). */
export function barOptions({ answer, theme, unit, large = false }: PanelChartInput): EChartOption {
  const fontSize = large ? 16 : 12;
  const ranked = [...answer.series].sort((a, b) => b.total - a.total);
  return {
    animation: false,
    grid: { left: 8, right: 48, top: 8, bottom: 8, containLabel: true },
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      ...tooltipColors(theme),
      valueFormatter: (value) => (typeof value === 'number' ? withUnit(value, unit) : '—'),
    },
    xAxis: { ...valueAxis(theme, fontSize), scale: false },
    yAxis: {
      type: 'category',
      inverse: true,
      data: ranked.map(seriesName),
      axisLabel: { color: theme.text, fontSize },
      axisLine: { lineStyle: { color: theme.border } },
    },
    series: [
      {
        type: 'bar',
        name: answer.metric,
        itemStyle: { color: theme.palette[0] ?? theme.text },
        label: {
          show: true,
          position: 'right',
          color: theme.text,
          fontSize,
          formatter: ({ value }) => (typeof value === 'number' ? formatValue(value) : ''),
        },
        data: ranked.map((series) => series.total),
      },
    ],
  };
}

/** Series by time: each cell a bucket of one series, its colour the value; an empty bucket stays blank. */
export function heatmapOptions({ answer, theme, unit, large = false }: PanelChartInput): EChartOption {
  const fontSize = large ? 16 : 12;
  const buckets = Math.max(1, Math.round((answer.to - answer.from) / answer.stepMs));
  const times = Array.from({ length: buckets }, (_, i) => answer.from + i * answer.stepMs);
  const names = answer.series.map(seriesName);
  const cells: [number, number, number][] = [];
  const values: number[] = [];
  answer.series.forEach((series, row) => {
    for (const point of series.points) {
      cells.push([Math.round((point.at - answer.from) / answer.stepMs), row, point.value]);
      values.push(point.value);
    }
  });
  const min = values.length > 0 ? Math.min(...values) : 0;
  const max = values.length > 0 ? Math.max(...values) : 1;
  return {
    animation: false,
    grid: { left: 8, right: 16, top: 8, bottom: 48, containLabel: true },
    tooltip: {
      ...tooltipColors(theme),
      formatter: (params) => {
        const cell = (params as { value?: [number, number, number] }).value;
        if (!cell) return '';
        return `${names[cell[1]] ?? ''} · ${new Date(times[cell[0]] ?? 0).toLocaleString()}<br>${withUnit(cell[2], unit)}`;
      },
    },
    xAxis: {
      type: 'category',
      data: times.map((at) => new Date(at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })),
      axisLabel: { color: theme.muted, hideOverlap: true, fontSize },
      splitArea: { show: false },
    },
    yAxis: { type: 'category', data: names, axisLabel: { color: theme.text, fontSize } },
    visualMap: {
      min,
      max: max > min ? max : min + 1,
      calculable: false,
      orient: 'horizontal',
      left: 'center',
      bottom: 0,
      itemHeight: 120,
      textStyle: { color: theme.muted, fontSize },
      inRange: { color: [theme.surface, theme.palette[0] ?? theme.text] },
    },
    series: [{ type: 'heatmap', name: answer.metric, data: cells, progressive: 0 }],
  };
}

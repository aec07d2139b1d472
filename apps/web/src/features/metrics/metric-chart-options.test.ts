import type { Series, SeriesPoint } from '@tierscope/shared/schemas';
import type { LineSeriesOption } from 'echarts/charts';
import { describe, expect, it } from 'vitest';
import type { ChartTheme } from '../../components/charts/echart-option.ts';
import {
  describeMetricChart,
  expectedSpacing,
  metricChartOptions,
  withGaps,
} from './metric-chart-options.ts';
import { metricLabel } from './metric-units.ts';

const theme: ChartTheme = {
  text: '#111',
  muted: '#555',
  grid: '#eee',
  surface: '#fff',
  border: '#ccc',
  palette: ['#1d5bd6'],
};
const point = (ts: number, avg: number, min = avg, max = avg, count = 1): SeriesPoint => ({
  ts,
  avg,
  min,
  max,
  count,
});
const seriesOf = (points: SeriesPoint[], bucketMs = 0): Series => ({
  deviceId: 'pump-1',
  nodePath: 'district-1/probe-a',
  metric: 'flow_m3h',
  source: bucketMs ? 'minute' : 'raw',
  bucketMs,
  points,
});
const seriesById = (series: Series): Record<string, LineSeriesOption> => {
  const option = metricChartOptions({ series, range: { from: 0, to: 1000 }, theme, unit: 'm³/h' });
  return Object.fromEntries((option.series as LineSeriesOption[]).map((line) => [String(line.id), line]));
};

describe('metricChartOptions', () => {
  it('draws the average inside a min–max band stacked on an invisible min line', () => {
    const lines = seriesById(seriesOf([point(0, 5, 4, 7, 60), point(60_000, 6, 5, 9, 60)], 60_000));
    expect(Object.keys(lines)).toEqual(['min', 'band', 'avg']);
    expect(lines.min?.data).toEqual([
      [0, 4],
      [60_000, 5],
    ]);
    expect(lines.band?.data).toEqual([
      [0, 3],
      [60_000, 4],
    ]);
    expect(lines.band?.stack).toBe(lines.min?.stack);
    expect(lines.avg?.data).toEqual([
      [0, 5],
      [60_000, 6],
    ]);
  });

  it('draws only the line for raw samples, whose min and max equal the value', () => {
    expect(Object.keys(seriesById(seriesOf([point(0, 1), point(10, 2)])))).toEqual(['avg']);
  });

  it('spans the x axis over the range asked for, not only the data', () => {
    const option = metricChartOptions({
      series: seriesOf([point(500, 1)]),
      range: { from: 0, to: 1000 },
      theme,
      unit: null,
    });
    expect(option.xAxis).toMatchObject({ type: 'time', min: 0, max: 1000 });
  });
});

/** The data indexes ECharts draws a symbol at: an item's own symbol wins over the series'. */
const drawnSymbols = (line: LineSeriesOption | undefined): number[] =>
  line?.showSymbol === false
    ? []
    : (line?.data ?? []).flatMap((item, i) => {
        const own = typeof item === 'object' && item !== null && 'symbol' in item ? item.symbol : undefined;
        return (own ?? line?.symbol ?? 'emptyCircle') === 'none' ? [] : [i];
      });

describe('single points', () => {
  it('draws a device with one sample as a point, since a line needs two', () => {
    expect(drawnSymbols(seriesById(seriesOf([point(500, 1)])).avg)).toEqual([0]);
  });

  it('draws a point cut off by gaps on both sides, and no symbols on the line', () => {
    const points = [point(0, 1), point(60_000, 2), point(600_000, 3), point(1_200_000, 4)];
    expect(drawnSymbols(seriesById(seriesOf(points, 60_000)).avg)).toEqual([3, 5]);
  });
});

describe('gaps', () => {
  it('breaks the line where buckets are missing', () => {
    const points = [point(0, 1), point(60_000, 2), point(600_000, 3)];
    expect(withGaps(points, 60_000, (p) => p.avg)).toEqual([
      [0, 1],
      [60_000, 2],
      [120_000, null],
      [600_000, 3],
    ]);
  });

  it('judges raw samples by their median spacing', () => {
    expect(expectedSpacing(seriesOf([point(0, 1), point(2000, 1), point(4000, 1), point(100_000, 1)]))).toBe(
      2000,
    );
    expect(expectedSpacing(seriesOf([point(0, 1)]))).toBe(0);
    expect(expectedSpacing(seriesOf([], 3_600_000))).toBe(3_600_000);
  });
});

it('describes a chart for screen readers by its extremes', () => {
  expect(describeMetricChart(seriesOf([point(0, 5, 4, 7, 2)]), 'flow', 'm³/h', 'Last hour')).toBe(
    'flow, Last hour: 1 points from 4 m³/h to 7 m³/h',
  );
  expect(describeMetricChart(seriesOf([]), 'flow', null, 'Last hour')).toBe('flow, Last hour: no data');
});

describe('metricLabel', () => {
  it('reads the unit from the metric name suffix', () => {
    expect(metricLabel('motor_temp_c')).toEqual({ name: 'motor temp', unit: '°C' });
    expect(metricLabel('vibration_mm_s')).toEqual({ name: 'vibration', unit: 'mm/s' });
    expect(metricLabel('pm25_ugm3')).toEqual({ name: 'pm25', unit: 'µg/m³' });
  });

  it('leaves a name without a known unit alone', () => {
    expect(metricLabel('power_factor')).toEqual({ name: 'power factor', unit: null });
    expect(metricLabel('temp')).toEqual({ name: 'temp', unit: null });
  });
});

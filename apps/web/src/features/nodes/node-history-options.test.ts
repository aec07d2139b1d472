import type { LineSeriesOption } from 'echarts/charts';
import { describe, expect, it } from 'vitest';
import type { ChartTheme } from '../../components/charts/echart-option.ts';
import type { HistoryFrame } from './history-frames.ts';
import { describeHistoryChart, historyChartOptions } from './node-history-options.ts';

const theme: ChartTheme = {
  text: '#111',
  muted: '#555',
  grid: '#eee',
  surface: '#fff',
  border: '#ccc',
  palette: ['#1', '#2'],
};
const frames: HistoryFrame[] = [
  { at: 1000, values: { 'd/a': 10, 'd/b': 20 } },
  { at: 61_000, values: { 'd/a': 12 } },
];
const lines = [
  { path: 'd/a', name: 'a' },
  { path: 'd/b', name: 'b' },
];

describe('historyChartOptions', () => {
  it('draws a line per node, with a gap where a node has no reading', () => {
    const series = historyChartOptions({ frames, lines, theme, unit: 'samples/s' })
      .series as LineSeriesOption[];
    expect(series.map((s) => [s.name, s.data])).toEqual([
      [
        'a',
        [
          [1000, 10],
          [61_000, 12],
        ],
      ],
      [
        'b',
        [
          [1000, 20],
          [61_000, null],
        ],
      ],
    ]);
    expect(series[0]?.stack).toBeUndefined();
  });

  it('stacks the lines as areas when asked, so the top edge is the total', () => {
    const series = historyChartOptions({
      frames,
      lines,
      theme,
      unit: 'samples/s',
      stacked: true,
    }).series as LineSeriesOption[];
    expect(series.every((s) => s.stack === 'total' && s.areaStyle)).toBe(true);
  });
});

it("names the chart with the span it covers and each line's latest value", () => {
  expect(describeHistoryChart('Ingest', frames, lines, 'samples/s')).toBe(
    'Ingest over the last 1 minute (2 points); now a 12 samples/s, b no data',
  );
  expect(describeHistoryChart('Ingest', [], lines, 'samples/s')).toBe('Ingest: no samples yet');
});

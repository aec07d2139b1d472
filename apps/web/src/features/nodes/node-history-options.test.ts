import type { LineSeriesOption } from 'echarts/charts';
import { describe, expect, it } from 'vitest';
import type { ChartTheme } from '../../components/charts/echart-option.ts';
import type { NodeReading, NodeSample } from '../../lib/node-history.ts';
import { describeHistoryChart, historyChartOptions } from './node-history-options.ts';

const theme: ChartTheme = {
  text: '#111',
  muted: '#555',
  grid: '#eee',
  surface: '#fff',
  border: '#ccc',
  palette: ['#1', '#2'],
};
const reading = (samplesPerSec: number): NodeReading => ({
  samplesPerSec,
  queueDepth: 0,
  devicesOnline: 1,
  devicesTotal: 1,
  status: 'live',
});
const history: NodeSample[] = [
  { at: 1000, nodes: { 'd/a': reading(10), 'd/b': reading(20) } },
  { at: 2000, nodes: { 'd/a': reading(12) } },
];
const lines = [
  { path: 'd/a', name: 'a' },
  { path: 'd/b', name: 'b' },
];
const rate = (r: NodeReading) => r.samplesPerSec;

describe('historyChartOptions', () => {
  it('draws a line per node, with a gap where a node has no reading', () => {
    const series = historyChartOptions({ history, lines, pick: rate, theme, unit: 'samples/s' })
      .series as LineSeriesOption[];
    expect(series.map((s) => [s.name, s.data])).toEqual([
      [
        'a',
        [
          [1000, 10],
          [2000, 12],
        ],
      ],
      [
        'b',
        [
          [1000, 20],
          [2000, null],
        ],
      ],
    ]);
    expect(series[0]?.stack).toBeUndefined();
  });

  it('stacks the lines as areas when asked, so the top edge is the total', () => {
    const series = historyChartOptions({
      history,
      lines,
      pick: rate,
      theme,
      unit: 'samples/s',
      stacked: true,
    }).series as LineSeriesOption[];
    expect(series.every((s) => s.stack === 'total' && s.areaStyle)).toBe(true);
  });
});

it("names the chart with each line's latest value", () => {
  expect(describeHistoryChart('Ingest', history, lines, rate, 'samples/s')).toBe(
    'Ingest over the last 2 samples; now a 12 samples/s, b no data',
  );
  expect(describeHistoryChart('Ingest', [], lines, rate, 'samples/s')).toBe('Ingest: no samples yet');
});

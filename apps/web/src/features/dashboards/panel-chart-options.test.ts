import { describe, expect, it } from 'vitest';
import type { FleetMetricAnswer, FleetPoint } from '@tierscope/shared/schemas';
import type { ChartTheme } from '../../components/charts/echart-option.ts';
import { barOptions, heatmapOptions, timeSeriesOptions } from './panel-chart-options.ts';

const STEP = 60_000;
const theme: ChartTheme = {
  text: '#000',
  muted: '#555',
  grid: '#eee',
  surface: '#fff',
  border: '#ccc',
  palette: ['#00f'],
};
const point = (at: number, value: number): FleetPoint => ({
  at,
  value,
  count: 1,
  sum: value,
  min: value,
  max: value,
});
const answer = {
  metric: 'temperature_c',
  aggregation: 'avg',
  groupBy: { by: 'site' },
  from: 0,
  to: 5 * STEP,
  stepMs: STEP,
  relativeError: null,
  devices: 4,
  series: [
    { key: 's01', total: 21, points: [point(0, 20), point(STEP, 21), point(4 * STEP, 22)] },
    { key: 's02', total: 25, points: [point(0, 25)] },
  ],
  read: { rawSamples: 0, rollupRows: 4, sketchRows: 0, sources: ['minute'] },
  coverage: { asked: 1, answered: 1, nodes: [] },
} as FleetMetricAnswer;

describe('panel chart options', () => {
  it('breaks a line where buckets have no samples rather than drawing zero', () => {
    const option = timeSeriesOptions({ answer, theme });
    const series = option.series as { name: string; data: [number, number | null][] }[];
    expect(series[0]).toMatchObject({
      name: 's01',
      data: [
        [0, 20],
        [STEP, 21],
        [2 * STEP, null],
        [4 * STEP, 22],
      ],
    });
  });

  it('ranks bars by the whole-range figure, highest first', () => {
    const option = barOptions({ answer, theme });
    expect((option.yAxis as { data: string[] }).data).toEqual(['s02', 's01']);
    expect((option.series as { data: number[] }[])[0]!.data).toEqual([25, 21]);
  });

  it('leaves heatmap cells without samples out', () => {
    const option = heatmapOptions({ answer, theme });
    expect((option.series as { data: number[][] }[])[0]!.data).toEqual([
      [0, 0, 20],
      [1, 0, 21],
      [4, 0, 22],
      [0, 1, 25],
    ]);
  });
});

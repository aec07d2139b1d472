import { describe, expect, it } from 'vitest';
import type { FleetMetricAnswer, PanelQuery } from '@tierscope/shared/schemas';
import { fleetInputOf, seriesName, statValue, stepFor, thresholdLevel } from './panel-query.ts';

const HOUR = 3_600_000;
const query: PanelQuery = {
  metric: 'co2_ppm',
  aggregation: 'max',
  groupBy: { by: 'site' },
  labels: ['floor=2'],
  site: 's01',
  kind: 'air-quality',
};

describe('fleetInputOf', () => {
  it('lets each variable that is set replace that selector and keeps the others', () => {
    const input = fleetInputOf(
      { kind: 'timeseries', query },
      { site: 's02', node: 'district-1' },
      { from: 0, to: HOUR },
    );
    expect(input).toMatchObject({
      site: 's02',
      kind: 'air-quality',
      nodePath: 'district-1',
      labels: ['floor=2'],
      groupBy: { by: 'site' },
      from: 0,
      to: HOUR,
      stepMs: 60_000,
    });
  });

  it('asks a single stat for the whole selection, ungrouped', () => {
    expect(fleetInputOf({ kind: 'stat', query }, {}, { from: 0, to: HOUR }).groupBy).toEqual({ by: 'none' });
  });
});

describe('stepFor', () => {
  it('takes about 120 points in whole minutes when the panel names no step', () => {
    expect(stepFor({ from: 0, to: 24 * HOUR }, undefined)).toBe(12 * 60_000);
    expect(stepFor({ from: 0, to: 10 * 60_000 }, undefined)).toBe(60_000);
  });

  it('takes whole hours for a quantile panel naming no step over more than 6 h, so nodes read hour sketches', () => {
    expect(stepFor({ from: 0, to: 24 * HOUR }, undefined, { quantile: true })).toBe(HOUR);
    expect(stepFor({ from: 0, to: 30 * 24 * HOUR }, undefined, { quantile: true })).toBe(6 * HOUR);
    expect(stepFor({ from: 0, to: 6 * HOUR }, undefined, { quantile: true })).toBe(3 * 60_000);
    expect(stepFor({ from: 0, to: 24 * HOUR }, 5 * 60_000, { quantile: true })).toBe(5 * 60_000);
  });

  it('widens a panel step that would pass the bucket cap over a long range', () => {
    const range = { from: 0, to: 30 * 24 * HOUR };
    const step = stepFor(range, 60_000);
    expect(step % 60_000).toBe(0);
    expect(Math.ceil((range.to - range.from) / step) + 1).toBeLessThanOrEqual(1500);
  });
});

describe('thresholdLevel', () => {
  const thresholds = [
    { value: 1000, level: 'warning' as const },
    { value: 1400, level: 'critical' as const },
  ];
  it('is ok below every threshold and takes the highest one reached', () => {
    expect(thresholdLevel(thresholds, 999.9)).toBe('ok');
    expect(thresholdLevel(thresholds, 1000)).toBe('warning');
    expect(thresholdLevel(thresholds, 1500)).toBe('critical');
    expect(thresholdLevel([], 1e9)).toBe('ok');
  });
});

describe('answers', () => {
  const answer = {
    series: [
      {
        key: 'district-1/probe-b/aq-7',
        device: { nodePath: 'district-1/probe-b', deviceId: 'aq-7' },
        total: 9,
        points: [],
      },
    ],
  } as unknown as FleetMetricAnswer;
  it('names a top device by its id, the whole selection "all"', () => {
    expect(seriesName(answer.series[0]!)).toBe('aq-7');
    expect(seriesName({ key: '', total: 1, points: [] })).toBe('all');
  });
  it('reads a stat from the whole-range figure, and nothing when no series came back', () => {
    expect(statValue(answer)).toBe(9);
    expect(statValue({ ...answer, series: [] })).toBeUndefined();
  });
});

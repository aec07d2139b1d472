import { describe, expect, it } from 'vitest';
import {
  FLEET_MAX_DEVICES,
  FLEET_MAX_SERIES,
  FLEET_SKETCH_RELATIVE_ACCURACY,
  FleetMetricInput,
  selfCoverage,
  type FleetAggregation,
  type FleetMetricAnswer,
} from '@tierscope/shared';
import { exactFleetValue } from '../testing/fleet-reference.ts';
import {
  addToGroup,
  assertFleetCaps,
  binsOf,
  fleetAnswer,
  mergeBins,
  mergeFleetAnswers,
  prefixFleetAnswer,
  type FleetGroup,
} from './fleet-metrics.ts';

const STEP = 60_000;

interface Sample {
  node: string;
  device: string;
  site: string;
  at: number;
  value: number;
}

/** Deterministic values, multiples of 0.5 (so float sums are exact in any order), with negatives and zeros. */
function samples(): Sample[] {
  const out: Sample[] = [];
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
  for (const node of ['a', 'b', 'c'])
    for (let d = 0; d < 4; d++)
      for (let i = 0; i < 60; i++)
        out.push({
          node,
          device: `dev-${d}`,
          site: d % 2 === 0 ? 'north' : 'south',
          at: (i % 5) * STEP + i * 7,
          value: ((next() % 4001) - 1000) / 2,
        });
  return out;
}

function input(aggregation: FleetAggregation, groupBy: FleetMetricInput['groupBy']): FleetMetricInput {
  return FleetMetricInput.parse({
    metric: 'temp',
    from: 0,
    to: 5 * STEP,
    stepMs: STEP,
    aggregation,
    groupBy,
  });
}

function keyOf(query: FleetMetricInput, s: Sample): string {
  if (query.groupBy.by === 'node') return s.node;
  if (query.groupBy.by === 'site') return s.site;
  if (query.groupBy.by === 'top') return `${s.node}/${s.device}`;
  return '';
}

/** What a node answers for its own samples, built as a leaf does. */
function leafAnswer(query: FleetMetricInput, node: string, all: readonly Sample[]): FleetMetricAnswer {
  const groups = new Map<string, FleetGroup>();
  for (const s of all.filter((x) => x.node === node)) {
    const device = query.groupBy.by === 'top' ? { nodePath: node, deviceId: s.device } : undefined;
    const at = Math.floor(s.at / STEP) * STEP;
    addToGroup(
      groups,
      keyOf(query, s),
      { at, count: 1, sum: s.value, min: s.value, max: s.value, sketch: binsOf([s.value]) },
      device,
    );
  }
  return fleetAnswer(query, {
    groups: groups.values(),
    devices: 4,
    read: { rawSamples: all.length, rollupRows: 0, sketchRows: 0, sources: ['raw'] },
    coverage: selfCoverage(node, 1),
  });
}

/** The reference: every sample in one place, each value computed directly. */
function reference(query: FleetMetricInput, all: readonly Sample[]): Map<string, Map<number, number[]>> {
  const out = new Map<string, Map<number, number[]>>();
  for (const s of all) {
    const key = keyOf(query, s);
    const byAt = out.get(key) ?? new Map<number, number[]>();
    const at = Math.floor(s.at / STEP) * STEP;
    byAt.set(at, [...(byAt.get(at) ?? []), s.value]);
    out.set(key, byAt);
  }
  return out;
}

function merged(query: FleetMetricInput, all: readonly Sample[]): FleetMetricAnswer {
  // Two tiers: a and b under a district, c beside it.
  const district = mergeFleetAnswers(
    ['a', 'b'].map((n) => leafAnswer(query, n, all)),
    query,
    selfCoverage('district', 1),
  );
  return mergeFleetAnswers([district, leafAnswer(query, 'c', all)], query, selfCoverage('bff', 1));
}

describe('fleet metric merge', () => {
  const all = samples();

  for (const aggregation of ['avg', 'min', 'max', 'sum', 'count'] as const)
    for (const by of ['none', 'node', 'site'] as const)
      it(`merges ${aggregation} by ${by} over two tiers exactly as over all samples at once`, () => {
        const query = input(aggregation, { by });
        const answer = merged(query, all);
        const expected = reference(query, all);
        expect(answer.series.map((s) => s.key)).toEqual([...expected.keys()].sort());
        for (const series of answer.series)
          for (const point of series.points)
            expect(point.value).toBe(exactFleetValue(aggregation, expected.get(series.key)!.get(point.at)!));
      });

  for (const aggregation of ['p50', 'p90', 'p99'] as const)
    it(`keeps ${aggregation} within the sketch's relative error of the exact rank's value after two tiers`, () => {
      const query = input(aggregation, { by: 'site' });
      const answer = merged(query, all);
      expect(answer.relativeError).toBe(FLEET_SKETCH_RELATIVE_ACCURACY);
      const expected = reference(query, all);
      let checked = 0;
      for (const series of answer.series)
        for (const point of series.points) {
          const truth = exactFleetValue(aggregation, expected.get(series.key)!.get(point.at)!);
          expect(Math.abs(point.value - truth)).toBeLessThanOrEqual(Math.abs(truth) * answer.relativeError!);
          checked += 1;
        }
      expect(checked).toBe(10);
    });

  it('merges sketch bins to exactly the bins of all values together', () => {
    const values = all.map((s) => s.value);
    const parts = [values.slice(0, 100), values.slice(100, 500), values.slice(500)].map(binsOf);
    expect(mergeBins(parts)).toEqual(binsOf(values));
  });

  it('answers top devices as the global top by whole-range value, each node sending only its own top', () => {
    const query = input('max', { by: 'top', limit: 3 });
    const answer = merged(query, all);
    const totals = [...reference(query, all)]
      .map(([key, byAt]) => ({ key, total: Math.max(...[...byAt.values()].flat()) }))
      .sort((a, b) => b.total - a.total || (a.key < b.key ? -1 : 1));
    expect(answer.series.map((s) => [s.key, s.total])).toEqual(
      totals.slice(0, 3).map((t) => [t.key, t.total]),
    );
    expect(answer.series[0]!.device).toEqual({
      nodePath: totals[0]!.key.split('/')[0],
      deviceId: totals[0]!.key.split('/')[1],
    });
  });

  it('sums devices and what was read, and keeps buckets without samples absent', () => {
    const query = input('count', { by: 'node' });
    const answer = merged(
      query,
      all.filter((s) => s.node !== 'c' || s.at < STEP),
    );
    expect(answer.devices).toBe(12);
    expect(answer.read.sources).toEqual(['raw']);
    expect(answer.series.find((s) => s.key === 'c')!.points.map((p) => p.at)).toEqual([0]);
  });

  it('sums the hour sketch rows the nodes read next to their raw samples and rollup rows', () => {
    const query = input('p90', { by: 'none' });
    const fromSketches = (node: string, read: FleetMetricAnswer['read']) => ({
      ...leafAnswer(query, node, all),
      read,
    });
    const answer = mergeFleetAnswers(
      [
        fromSketches('a', { rawSamples: 0, rollupRows: 24, sketchRows: 24, sources: ['hour', 'sketch'] }),
        fromSketches('b', {
          rawSamples: 7,
          rollupRows: 24,
          sketchRows: 23,
          sources: ['hour', 'raw', 'sketch'],
        }),
      ],
      query,
      selfCoverage('district', 1),
    );
    expect(answer.read).toEqual({
      rawSamples: 7,
      rollupRows: 48,
      sketchRows: 47,
      sources: ['hour', 'raw', 'sketch'],
    });
  });

  it('prefixes node keys, top devices and coverage with the tier the answer passes through', () => {
    const top = prefixFleetAnswer(leafAnswer(input('max', { by: 'top', limit: 1 }), 'a', all), 'district/');
    expect(top.series[0]!.key).toMatch(/^district\/a\/dev-/);
    expect(top.series[0]!.device!.nodePath).toBe('district/a');
    expect(top.coverage.nodes[0]!.path).toBe('district/a');
    const bySite = prefixFleetAnswer(leafAnswer(input('max', { by: 'site' }), 'a', all), 'district/');
    expect(bySite.series.map((s) => s.key)).toEqual(['north', 'south']);
  });

  it('refuses an answer past the device, series or point cap with an error naming the cap', () => {
    const ok = merged(input('avg', { by: 'none' }), all);
    expect(() => assertFleetCaps(ok)).not.toThrow();
    expect(() => assertFleetCaps({ ...ok, devices: FLEET_MAX_DEVICES + 1 })).toThrow(/at most 20000/);
    const many = Array.from({ length: FLEET_MAX_SERIES + 1 }, (_, i) => ({ ...ok.series[0]!, key: `k${i}` }));
    expect(() => assertFleetCaps({ ...ok, series: many })).toThrow(/more than 200 series/);
    const long = Array.from({ length: 1500 }, (_, i) => ({ ...ok.series[0]!.points[0]!, at: i }));
    const wide = Array.from({ length: 40 }, (_, i) => ({ ...ok.series[0]!, key: `k${i}`, points: long }));
    expect(() => assertFleetCaps({ ...ok, series: wide })).toThrow(/60000 points/);
  });

  it('refuses a query whose range holds more buckets than a series may, or raw steps over a long range', () => {
    const base = { metric: 'temp', from: 0, aggregation: 'avg' };
    expect(FleetMetricInput.safeParse({ ...base, to: 1501 * STEP, stepMs: STEP }).success).toBe(false);
    expect(FleetMetricInput.safeParse({ ...base, to: 1500 * STEP, stepMs: STEP }).success).toBe(true);
    expect(FleetMetricInput.safeParse({ ...base, to: 7 * 3_600_000, stepMs: 30_000 }).success).toBe(false);
    expect(FleetMetricInput.safeParse({ ...base, to: 6 * 3_600_000, stepMs: 30_000 }).success).toBe(true);
  });
});

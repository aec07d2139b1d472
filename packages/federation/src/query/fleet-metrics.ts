import sketches from '@datadog/sketches-js';
import {
  BadRequestError,
  FLEET_MAX_DEVICES,
  FLEET_MAX_POINTS,
  FLEET_MAX_SERIES,
  FLEET_SKETCH_RELATIVE_ACCURACY,
  QUANTILE_OF,
  fleetFrame,
  isQuantile,
  type Coverage,
  type FleetAggregation,
  type FleetMetricAnswer,
  type FleetMetricInput,
  type FleetPoint,
  type FleetSeries,
  type FleetSource,
  type SketchBins,
} from '@tierscope/shared';

// Partials of fleet metric queries (docs/decisions/0028): built at each node, merged exactly at
// every tier, values derived after each merge. Pure; the fan-out is in federated-node-service.ts.

const { DDSketch } = sketches;
type Sketch = InstanceType<typeof DDSketch>;

const mapping = new DDSketch({ relativeAccuracy: FLEET_SKETCH_RELATIVE_ACCURACY }).mapping;

/**
 * How a node bins raw samples in SQL the way the sketch's logarithmic mapping does: a value v with
 * |v| ≥ `minMagnitude` goes to key ⌈ln|v| / lnGamma⌉ on the side of its sign; the rest count as zero.
 */
export const FLEET_SKETCH_BINNING = { lnGamma: Math.log(mapping.gamma), minMagnitude: mapping.minPossible };

/** One bucket's partials before its value is derived. */
export type FleetPartial = Omit<FleetPoint, 'value'>;

/** A group's partials by bucket start, as a node or a merge collects them. */
export interface FleetGroup {
  key: string;
  device?: FleetSeries['device'];
  points: Map<number, FleetPartial>;
}

/** Bins with the same key summed: the DDSketch merge, exact (the counts are integers). */
export function mergeBins(parts: readonly SketchBins[]): SketchBins {
  const positive = new Map<number, number>();
  const negative = new Map<number, number>();
  let zero = 0;
  for (const part of parts) {
    zero += part.zero;
    for (const [key, count] of part.positive) positive.set(key, (positive.get(key) ?? 0) + count);
    for (const [key, count] of part.negative) negative.set(key, (negative.get(key) ?? 0) + count);
  }
  return { zero, positive: ascending(positive), negative: ascending(negative) };
}

function ascending(bins: Map<number, number>): Array<[number, number]> {
  return [...bins].sort((a, b) => a[0] - b[0]);
}

/** The bins of `values`, binned by the sketch's own mapping (what a node's SQL does). */
export function binsOf(values: readonly number[]): SketchBins {
  const positive = new Map<number, number>();
  const negative = new Map<number, number>();
  let zero = 0;
  for (const value of values) {
    if (Math.abs(value) < FLEET_SKETCH_BINNING.minMagnitude) zero += 1;
    else {
      const bins = value > 0 ? positive : negative;
      const key = mapping.key(Math.abs(value));
      bins.set(key, (bins.get(key) ?? 0) + 1);
    }
  }
  return { zero, positive: ascending(positive), negative: ascending(negative) };
}

function sketchOf(bins: SketchBins): Sketch {
  const sketch = new DDSketch({ relativeAccuracy: FLEET_SKETCH_RELATIVE_ACCURACY });
  // Each bin's representative value maps back to its key, so the sketch holds exactly these bins.
  for (const [key, count] of bins.positive) sketch.accept(mapping.value(key), count);
  for (const [key, count] of bins.negative) sketch.accept(-mapping.value(key), count);
  if (bins.zero > 0) sketch.accept(0, bins.zero);
  return sketch;
}

/** The aggregation's value of merged partials. */
export function fleetValue(aggregation: FleetAggregation, partial: FleetPartial): number {
  switch (aggregation) {
    case 'avg':
      return partial.sum / partial.count;
    case 'min':
      return partial.min;
    case 'max':
      return partial.max;
    case 'sum':
      return partial.sum;
    case 'count':
      return partial.count;
    default: {
      const quantile = QUANTILE_OF[aggregation]!;
      if (!partial.sketch) throw new Error(`${aggregation} needs a sketch in every point`);
      return sketchOf(partial.sketch).getValueAtQuantile(quantile);
    }
  }
}

/** `part` folded into `into` (same bucket, same group). */
export function addPartial(into: FleetPartial, part: FleetPartial): void {
  into.count += part.count;
  into.sum += part.sum;
  into.min = Math.min(into.min, part.min);
  into.max = Math.max(into.max, part.max);
  if (into.sketch && part.sketch) into.sketch = mergeBins([into.sketch, part.sketch]);
}

function copyPartial(point: FleetPartial): FleetPartial {
  const { at, count, sum, min, max, sketch } = point;
  return { at, count, sum, min, max, ...(sketch && { sketch }) };
}

/** Adds a bucket's partial to the group `key` (made on first use). */
export function addToGroup(
  groups: Map<string, FleetGroup>,
  key: string,
  point: FleetPartial,
  device?: FleetSeries['device'],
): void {
  let group = groups.get(key);
  if (!group) {
    group = { key, ...(device && { device }), points: new Map() };
    groups.set(key, group);
  }
  const into = group.points.get(point.at);
  if (into) addPartial(into, point);
  else group.points.set(point.at, copyPartial(point));
}

function seriesOf(group: FleetGroup, aggregation: FleetAggregation): FleetSeries {
  const partials = [...group.points.values()].sort((a, b) => a.at - b.at);
  const whole = partials
    .slice(1)
    .reduce<FleetPartial | undefined>(
      (into, part) => (addPartial(into!, part), into),
      partials[0] && copyPartial(partials[0]),
    );
  return {
    key: group.key,
    ...(group.device && { device: group.device }),
    total: whole ? fleetValue(aggregation, whole) : 0,
    points: partials.map((p) => ({ ...p, value: fleetValue(aggregation, p) })),
  };
}

const byKey = (a: FleetSeries, b: FleetSeries) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/**
 * The series of collected groups, values derived: top devices ranked by their whole-range value
 * (highest first, then key) and cut to the limit, exact because a device belongs to one node and
 * each node sends its own top ones; other groupings in key order, cut one past the series cap so
 * the top tier can refuse the query (assertFleetCaps).
 */
export function fleetSeries(groups: Iterable<FleetGroup>, input: FleetMetricInput): FleetSeries[] {
  const series = [...groups].filter((g) => g.points.size > 0).map((g) => seriesOf(g, input.aggregation));
  if (input.groupBy.by === 'top')
    return series.sort((a, b) => b.total - a.total || byKey(a, b)).slice(0, input.groupBy.limit);
  return series.sort(byKey).slice(0, FLEET_MAX_SERIES + 1);
}

/** The answer of a node from its groups (or of a merge), with what it read and its coverage. */
export function fleetAnswer(
  input: FleetMetricInput,
  parts: {
    groups: Iterable<FleetGroup>;
    devices: number;
    read: FleetMetricAnswer['read'];
    coverage: Coverage;
  },
): FleetMetricAnswer {
  const frame = fleetFrame(input);
  return {
    metric: input.metric,
    aggregation: input.aggregation,
    groupBy: input.groupBy,
    from: frame.from,
    to: frame.to,
    stepMs: frame.stepMs,
    relativeError: isQuantile(input.aggregation) ? FLEET_SKETCH_RELATIVE_ACCURACY : null,
    devices: parts.devices,
    series: fleetSeries(parts.groups, input),
    read: parts.read,
    coverage: parts.coverage,
  };
}

/** Node paths in a member's answer, seen from the tier above (`prefix` + path). */
export function prefixFleetAnswer(answer: FleetMetricAnswer, prefix: string): FleetMetricAnswer {
  if (prefix === '') return answer;
  const by = answer.groupBy.by;
  return {
    ...answer,
    series: answer.series.map((s) =>
      s.device
        ? {
            ...s,
            key: `${prefix}${s.key}`,
            device: { ...s.device, nodePath: `${prefix}${s.device.nodePath}` },
          }
        : by === 'node'
          ? { ...s, key: `${prefix}${s.key}` }
          : s,
    ),
    coverage: {
      ...answer.coverage,
      nodes: answer.coverage.nodes.map((n) => ({ ...n, path: `${prefix}${n.path}` })),
    },
  };
}

/**
 * The members' answers as one: partials of the same group and bucket merged exactly (sums, counts,
 * extremes, sketch bins), values derived again. A member that did not answer is only in `coverage`.
 */
export function mergeFleetAnswers(
  parts: readonly FleetMetricAnswer[],
  input: FleetMetricInput,
  coverage: Coverage,
): FleetMetricAnswer {
  const groups = new Map<string, FleetGroup>();
  const sources = new Set<FleetSource>();
  const read = { rawSamples: 0, rollupRows: 0, sketchRows: 0 };
  let devices = 0;
  for (const part of parts) {
    devices += part.devices;
    read.rawSamples += part.read.rawSamples;
    read.rollupRows += part.read.rollupRows;
    read.sketchRows += part.read.sketchRows;
    for (const source of part.read.sources) sources.add(source);
    for (const series of part.series)
      for (const point of series.points) addToGroup(groups, series.key, point, series.device);
  }
  return fleetAnswer(input, {
    groups: groups.values(),
    devices,
    read: { ...read, sources: [...sources].sort() },
    coverage,
  });
}

/** At the top tier: a query past a cap is refused, saying which cap and how to narrow it. */
export function assertFleetCaps(answer: FleetMetricAnswer): void {
  if (answer.devices > FLEET_MAX_DEVICES)
    throw new BadRequestError(
      `the query selects ${answer.devices} devices; at most ${FLEET_MAX_DEVICES}: narrow it by subtree, kind, site, labels or pattern`,
    );
  if (answer.series.length > FLEET_MAX_SERIES)
    throw new BadRequestError(
      `the grouping makes more than ${FLEET_MAX_SERIES} series: group by something coarser or narrow the selection`,
    );
  const points = answer.series.reduce((n, s) => n + s.points.length, 0);
  if (points > FLEET_MAX_POINTS)
    throw new BadRequestError(
      `the answer holds ${points} points; at most ${FLEET_MAX_POINTS}: a longer step, a shorter range or fewer series`,
    );
}

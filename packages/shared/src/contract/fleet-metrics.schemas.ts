import { z } from 'zod';
import { Coverage } from '../domain/coverage.ts';
import { DeviceId, LabelKey, MetricName, NodePath } from '../domain/ids.ts';
import { MAX_RANGE_MS, Timestamp } from '../domain/time.ts';
import { LabelFilter } from './devices.schemas.ts';

/**
 * Fleet metric queries: one metric over the devices a selector picks, bucketed by a step and
 * grouped. Each node answers with mergeable partials (sum, count, min, max and a DDSketch per
 * point); every tier merges them exactly and derives the values at the end. See
 * docs/decisions/0028.
 */

/** Devices one query may cover, fleet-wide. */
export const FLEET_MAX_DEVICES = 20_000;
/** Series one answer may hold. */
export const FLEET_MAX_SERIES = 200;
/** Buckets per series (the range divided by the step). */
export const FLEET_MAX_BUCKETS = 1_500;
/** Points over all series of one answer. */
export const FLEET_MAX_POINTS = 50_000;
export const FLEET_MAX_TOP = 100;
/** A step that is not a whole number of minutes reads raw samples, so its range is kept short. */
export const FLEET_RAW_MAX_RANGE_MS = 6 * 3_600_000;
/** The DDSketch's relative accuracy: a quantile is within 1 % of the value of that rank. */
export const FLEET_SKETCH_RELATIVE_ACCURACY = 0.01;

export const FleetAggregation = z.enum(['avg', 'min', 'max', 'sum', 'count', 'p50', 'p90', 'p99']);
export type FleetAggregation = z.infer<typeof FleetAggregation>;

export const QUANTILE_OF: Partial<Record<FleetAggregation, number>> = { p50: 0.5, p90: 0.9, p99: 0.99 };

export function isQuantile(aggregation: FleetAggregation): boolean {
  return QUANTILE_OF[aggregation] !== undefined;
}

/**
 * How series are formed: one for the whole selection, one per node, site, kind or value of a label
 * (devices without the label form the '' series), or one per device for the `limit` devices whose
 * aggregate over the whole range is highest.
 */
export const FleetGrouping = z.discriminatedUnion('by', [
  z.object({ by: z.literal('none') }),
  z.object({ by: z.literal('node') }),
  z.object({ by: z.literal('site') }),
  z.object({ by: z.literal('kind') }),
  z.object({ by: z.literal('label'), label: LabelKey }),
  z.object({ by: z.literal('top'), limit: z.number().int().min(1).max(FLEET_MAX_TOP) }),
]);
export type FleetGrouping = z.infer<typeof FleetGrouping>;

const MINUTE_MS = 60_000;

export const FleetMetricInput = z
  .object({
    /** Only devices of this node and its subtree. */
    nodePath: NodePath.optional(),
    kind: z.string().max(64).optional(),
    site: z.string().max(200).optional(),
    /** Every one must match (`key=value`). */
    labels: z.array(LabelFilter).max(10).default([]),
    /** A glob over device ids, as rule scopes take it (`boiler-*`). */
    devicePattern: z.string().min(1).max(128).optional(),
    metric: MetricName,
    from: Timestamp,
    to: Timestamp,
    /** Buckets start at multiples of the step since the epoch: every node buckets alike. */
    stepMs: z.number().int().min(1000).max(MAX_RANGE_MS),
    aggregation: FleetAggregation,
    groupBy: FleetGrouping.default({ by: 'none' }),
  })
  .refine((r) => r.from < r.to, { message: '"from" must be before "to"', path: ['from'] })
  .refine((r) => r.to - r.from <= MAX_RANGE_MS, { message: 'range is at most 400 days', path: ['to'] })
  .refine((r) => fleetFrame(r).buckets <= FLEET_MAX_BUCKETS, {
    message: `at most ${FLEET_MAX_BUCKETS} points per series: a longer step or a shorter range`,
    path: ['stepMs'],
  })
  .refine((r) => r.stepMs % MINUTE_MS === 0 || r.to - r.from <= FLEET_RAW_MAX_RANGE_MS, {
    message: 'a step that is not a whole number of minutes takes a range of at most 6 h',
    path: ['stepMs'],
  });
export type FleetMetricInput = z.infer<typeof FleetMetricInput>;

/** The buckets of a query: [from, to) widened to whole steps. */
export function fleetFrame(input: { from: number; to: number; stepMs: number }): {
  from: number;
  to: number;
  stepMs: number;
  buckets: number;
} {
  const from = Math.floor(input.from / input.stepMs) * input.stepMs;
  const buckets = Math.ceil((input.to - from) / input.stepMs);
  return { from, to: from + buckets * input.stepMs, stepMs: input.stepMs, buckets };
}

const Count = z.number().int().min(0);
const Bin = z.tuple([z.number().int(), z.number().int().min(1)]);

/** DDSketch bins (key, count) for positive and negative values, ascending keys, and the zeros. */
export const SketchBins = z.object({
  zero: Count,
  positive: z.array(Bin),
  negative: z.array(Bin),
});
export type SketchBins = z.infer<typeof SketchBins>;

/** One bucket of a series: the partials, and the aggregation's value derived from them. */
export const FleetPoint = z.object({
  at: Timestamp,
  count: z.number().int().min(1),
  sum: z.number(),
  min: z.number(),
  max: z.number(),
  /** Only for quantile aggregations. */
  sketch: SketchBins.optional(),
  value: z.number(),
});
export type FleetPoint = z.infer<typeof FleetPoint>;

export const FleetSeries = z.object({
  /** The node path, site, kind or label value; for top devices `nodePath/deviceId`; '' for `none`. */
  key: z.string().max(1200),
  /** For top devices: which device. */
  device: z.object({ nodePath: NodePath, deviceId: DeviceId }).optional(),
  /** The aggregation over the whole range: what top devices are ranked by (highest first). */
  total: z.number(),
  /** Only buckets that hold samples: a bucket with none is absent, never zero. */
  points: z.array(FleetPoint).max(FLEET_MAX_BUCKETS),
});
export type FleetSeries = z.infer<typeof FleetSeries>;

/** `sketch`: hour sketches (DDSketch bins per device and closed hour) for quantiles by whole hours. */
export const FleetSource = z.enum(['raw', 'minute', 'hour', 'sketch']);
export type FleetSource = z.infer<typeof FleetSource>;

export const FleetMetricAnswer = z.object({
  metric: MetricName,
  aggregation: FleetAggregation,
  groupBy: FleetGrouping,
  /** The range widened to whole steps (fleetFrame). */
  from: Timestamp,
  to: Timestamp,
  stepMs: z.number().int().min(1),
  /**
   * For p50, p90 and p99: each value is within this relative error of the sample at rank
   * ⌊q·(n − 1)⌋ (0-based, ascending). Null for the exact aggregations.
   */
  relativeError: z.number().nullable(),
  /** Devices the selector picked, summed over the nodes that answered. */
  devices: Count,
  /** In key order; top devices highest first. One past FLEET_MAX_SERIES means over the cap. */
  series: z.array(FleetSeries).max(FLEET_MAX_SERIES + 1),
  /**
   * What the nodes read, summed: raw samples, minute or hour rollup rows, and hour sketch rows (one
   * per device and hour). A node of an older version sends no `sketchRows`: it read none.
   */
  read: z.object({
    rawSamples: Count,
    rollupRows: Count,
    sketchRows: Count.default(0),
    sources: z.array(FleetSource).max(4),
  }),
  /** Which nodes answered: a node that did not is named here and none of its series is in the answer. */
  coverage: Coverage,
});
export type FleetMetricAnswer = z.infer<typeof FleetMetricAnswer>;

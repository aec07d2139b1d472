import { z } from 'zod';
import { DeviceId, MetricName, NodePath } from '../domain/ids.ts';
import { MAX_RANGE_MS, Timestamp } from '../domain/time.ts';
import { DeviceRef, LatestValue } from './devices.schemas.ts';

export const LatestInput = DeviceRef;
export const LatestValues = z.object({
  deviceId: DeviceId,
  nodePath: NodePath,
  values: z.record(MetricName, LatestValue),
});
export type LatestValues = z.infer<typeof LatestValues>;

export const MAX_SERIES_POINTS = 2000;

export const SeriesInput = DeviceRef.extend({
  metric: MetricName,
  from: Timestamp,
  to: Timestamp,
  maxPoints: z.number().int().min(10).max(MAX_SERIES_POINTS).default(500),
})
  .refine((r) => r.from < r.to, { message: '"from" must be before "to"', path: ['from'] })
  .refine((r) => r.to - r.from <= MAX_RANGE_MS, { message: 'range is at most 400 days', path: ['to'] });
export type SeriesInput = z.infer<typeof SeriesInput>;

/** One bucket; for raw samples min = max = avg and count = 1. */
export const SeriesPoint = z.object({
  ts: Timestamp,
  avg: z.number(),
  min: z.number(),
  max: z.number(),
  count: z.number().int().min(1),
});
export type SeriesPoint = z.infer<typeof SeriesPoint>;

/** `source` says what was read: raw samples, minute or hour rollups; `bucketMs` the width of a point. */
export const Series = z.object({
  deviceId: DeviceId,
  nodePath: NodePath,
  metric: MetricName,
  source: z.enum(['raw', 'minute', 'hour']),
  bucketMs: z.number().int().min(0),
  points: z.array(SeriesPoint).max(MAX_SERIES_POINTS),
});
export type Series = z.infer<typeof Series>;

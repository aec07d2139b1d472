import { z } from 'zod';
import { Coverage } from '../domain/coverage.ts';
import { NodePath } from '../domain/ids.ts';
import { Timestamp } from '../domain/time.ts';
import { SeriesPoint } from './metrics.schemas.ts';

/** A node's own series, recorded by every node (sampled every few seconds, rolled up per minute and hour). */
export const NodeHistoryMetric = z.enum([
  'ingest.samplesPerSec',
  'ingest.queueDepth',
  'devices.online',
  'deadLetters.total',
]);
export type NodeHistoryMetric = z.infer<typeof NodeHistoryMetric>;

const DAY_MS = 24 * 3_600_000;
/** Up to a day a point is a minute; beyond, an hour. */
export const NODE_HISTORY_MINUTE_RANGE_MS = DAY_MS;
export const NODE_HISTORY_MAX_RANGE_MS = 31 * DAY_MS;
export const NODE_HISTORY_MAX_NODES = 1000;

export const NodeHistoryInput = z
  .object({
    /** This node and its subtree: one series per node. */
    nodePath: NodePath.optional(),
    metric: NodeHistoryMetric,
    from: Timestamp,
    to: Timestamp,
  })
  .refine((r) => r.from < r.to, { message: '"from" must be before "to"', path: ['from'] })
  .refine((r) => r.to - r.from <= NODE_HISTORY_MAX_RANGE_MS, {
    message: 'node history spans at most 31 days',
    path: ['to'],
  });
export type NodeHistoryInput = z.infer<typeof NodeHistoryInput>;

export const NodeHistory = z.object({
  metric: NodeHistoryMetric,
  /** 60 000 (minute rollups) up to a day, 3 600 000 (hour rollups) beyond. */
  bucketMs: z.number().int().min(1),
  /** One per node that answered, in path order; a node that did not answer is only in `coverage`. */
  series: z
    .array(z.object({ nodePath: NodePath, points: z.array(SeriesPoint).max(31 * 24 * 60) }))
    .max(NODE_HISTORY_MAX_NODES),
  coverage: Coverage,
});
export type NodeHistory = z.infer<typeof NodeHistory>;

export function nodeHistoryBucketMs(input: { from: number; to: number }): number {
  return input.to - input.from <= NODE_HISTORY_MINUTE_RANGE_MS ? 60_000 : 3_600_000;
}

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** How long each rollup is kept (retention.ts deletes past these). */
export const MINUTE_ROLLUP_RETENTION_MS = 90 * DAY_MS;
export const HOUR_ROLLUP_RETENTION_MS = 2 * 365 * DAY_MS;

export type SeriesSource = 'raw' | 'minute' | 'hour';

export interface SeriesPlan {
  source: SeriesSource;
  /** Bucket width; 0 means raw points, one per sample. */
  bucketMs: number;
}

/**
 * The bucket width that keeps a range within `maxPoints` buckets, as a multiple of the source's
 * resolution. Buckets are aligned to the epoch, so a range can touch one more bucket than
 * range / width: dividing by maxPoints - 1 leaves room for it.
 */
export function bucketWidth(rangeMs: number, maxPoints: number, resolutionMs: number): number {
  const needed = Math.ceil(rangeMs / Math.max(1, maxPoints - 1));
  return Math.max(resolutionMs, Math.ceil(needed / resolutionMs) * resolutionMs);
}

/**
 * Picks the finest source whose buckets fit: raw points when the range holds few enough samples,
 * raw samples re-bucketed while the width stays under a minute, then minute rollups while it stays
 * under an hour, else hour rollups. A source is skipped when retention has already removed the
 * start of the range from it.
 */
export function planSeries(args: {
  from: number;
  to: number;
  maxPoints: number;
  now: number;
  rawRetentionMs: number;
  /** How many raw samples the range holds, counted up to maxPoints + 1. */
  rawCount: number;
}): SeriesPlan {
  const range = args.to - args.from;
  const rawKept = args.from >= args.now - args.rawRetentionMs;
  if (rawKept && args.rawCount <= args.maxPoints) return { source: 'raw', bucketMs: 0 };
  const rawWidth = bucketWidth(range, args.maxPoints, 1);
  if (rawKept && rawWidth < MINUTE_MS) return { source: 'raw', bucketMs: rawWidth };
  const minuteWidth = bucketWidth(range, args.maxPoints, MINUTE_MS);
  const minuteKept = args.from >= args.now - MINUTE_ROLLUP_RETENTION_MS;
  if (minuteKept && minuteWidth < HOUR_MS) return { source: 'minute', bucketMs: minuteWidth };
  return { source: 'hour', bucketMs: bucketWidth(range, args.maxPoints, HOUR_MS) };
}

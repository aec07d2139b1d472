import {
  bigint,
  doublePrecision,
  index,
  integer,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
} from 'drizzle-orm/pg-core';

export const latestValues = pgTable(
  'latest_values',
  {
    deviceId: text('device_id').notNull(),
    metric: text('metric').notNull(),
    ts: timestamp('ts', { withTimezone: true }).notNull(),
    value: doublePrecision('value').notNull(),
  },
  (t) => [primaryKey({ columns: [t.deviceId, t.metric] })],
);

/** A rollup's metric, bucket and aggregates: device rollups add the device, the node's history does not. */
export function rollupValueColumns() {
  return {
    metric: text('metric').notNull(),
    bucket: timestamp('bucket', { withTimezone: true }).notNull(),
    min: doublePrecision('min').notNull(),
    max: doublePrecision('max').notNull(),
    sum: doublePrecision('sum').notNull(),
    count: bigint('count', { mode: 'number' }).notNull(),
  };
}

function rollupColumns() {
  return { deviceId: text('device_id').notNull(), ...rollupValueColumns() };
}

// The bucket index serves retention, which deletes by age across every device.
export const rollupsMinute = pgTable('rollups_minute', rollupColumns(), (t) => [
  primaryKey({ columns: [t.deviceId, t.metric, t.bucket] }),
  index('rollups_minute_bucket_idx').on(t.bucket),
]);

export const rollupsHour = pgTable('rollups_hour', rollupColumns(), (t) => [
  primaryKey({ columns: [t.deviceId, t.metric, t.bucket] }),
  index('rollups_hour_bucket_idx').on(t.bucket),
]);

/**
 * Per device, metric and closed hour, the DDSketch bins of that hour's raw samples, written by the
 * node's hour sketcher (fleet-metrics/hour-sketcher.ts), never by ingest. `count` is the number of
 * samples binned: a sketch is complete while it equals rollups_hour.count for the same key. The
 * bins are three parallel arrays (side −1, 0 or 1; key; count), one row per device-hour: a query
 * reads as many rows as hour rollups, not one per bin (docs/decisions/0028).
 */
export const rollupsHourSketch = pgTable(
  'rollups_hour_sketch',
  {
    deviceId: text('device_id').notNull(),
    metric: text('metric').notNull(),
    bucket: timestamp('bucket', { withTimezone: true }).notNull(),
    count: bigint('count', { mode: 'number' }).notNull(),
    binSides: smallint('bin_sides').array().notNull(),
    binKeys: integer('bin_keys').array().notNull(),
    binCounts: bigint('bin_counts', { mode: 'number' }).array().notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.deviceId, t.metric, t.bucket] }),
    index('rollups_hour_sketch_bucket_idx').on(t.bucket),
  ],
);

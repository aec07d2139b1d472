import { bigint, doublePrecision, index, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

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

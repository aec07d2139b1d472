import { doublePrecision, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * Raw samples, for typed queries only. The table is partitioned by day, which drizzle-kit cannot
 * express, so it lives outside the schema glob and its migration is hand-written (a custom
 * migration in drizzle/). Day partitions are created by partitions.ts as samples arrive.
 */
export const samples = pgTable(
  'samples',
  {
    deviceId: text('device_id').notNull(),
    metric: text('metric').notNull(),
    ts: timestamp('ts', { withTimezone: true }).notNull(),
    value: doublePrecision('value').notNull(),
  },
  (t) => [primaryKey({ columns: [t.deviceId, t.metric, t.ts] })],
);

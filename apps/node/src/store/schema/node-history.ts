import { bigint, doublePrecision, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

// The node's own series (ingest rate, queue depth, devices online, dead letters), rolled up per
// minute and per hour as device samples are, so the console shows their history at once.
function nodeHistoryColumns() {
  return {
    metric: text('metric').notNull(),
    bucket: timestamp('bucket', { withTimezone: true }).notNull(),
    min: doublePrecision('min').notNull(),
    max: doublePrecision('max').notNull(),
    sum: doublePrecision('sum').notNull(),
    count: bigint('count', { mode: 'number' }).notNull(),
  };
}

export const nodeHistoryMinute = pgTable('node_history_minute', nodeHistoryColumns(), (t) => [
  primaryKey({ columns: [t.metric, t.bucket] }),
]);

export const nodeHistoryHour = pgTable('node_history_hour', nodeHistoryColumns(), (t) => [
  primaryKey({ columns: [t.metric, t.bucket] }),
]);

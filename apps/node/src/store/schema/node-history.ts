import { pgTable, primaryKey } from 'drizzle-orm/pg-core';
import { rollupValueColumns } from './metrics.ts';

// The node's own series (ingest rate, queue depth, devices online, dead letters), rolled up per
// minute and per hour as device samples are, so the console shows their history at once.
export const nodeHistoryMinute = pgTable('node_history_minute', rollupValueColumns(), (t) => [
  primaryKey({ columns: [t.metric, t.bucket] }),
]);

export const nodeHistoryHour = pgTable('node_history_hour', rollupValueColumns(), (t) => [
  primaryKey({ columns: [t.metric, t.bucket] }),
]);

import { sql } from 'drizzle-orm';
import { check, index, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * Every change of a device's reachability, in the order it happened, written by ingest in the
 * batch's transaction: `online` and `offline` as the device said (or as hearing from it implies),
 * `silent` from the moment a device was overdue (docs/decisions/0027). Reports read availability
 * from here, never from raw samples. Replays add nothing: a change is keyed by device, time and status.
 */
export const deviceStatusChanges = pgTable(
  'device_status_changes',
  {
    deviceId: text('device_id').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull(),
    status: text('status', { enum: ['online', 'offline', 'silent'] }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.deviceId, t.at, t.status] }),
    // Retention and the report's window read by time across every device.
    index('device_status_changes_at_idx').on(t.at),
    check('device_status_changes_status_check', sql`${t.status} in ('online', 'offline', 'silent')`),
  ],
);

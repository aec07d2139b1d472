import { sql } from 'drizzle-orm';
import { check, index, integer, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

export const devices = pgTable(
  'devices',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    kind: text('kind').notNull().default(''),
    site: text('site').notNull().default(''),
    labels: jsonb('labels').$type<Record<string, string>>().notNull().default({}),
    /**
     * How often the device is expected to be heard from. Past three of these with nothing heard it
     * counts as silent, hence down, in reports (docs/decisions/0027).
     */
    expectedIntervalMs: integer('expected_interval_ms').notNull().default(60_000),
    status: text('status', { enum: ['online', 'offline', 'unknown'] })
      .notNull()
      .default('unknown'),
    /** When the status last changed hands: a replayed older status message never overrides a newer one. */
    statusAt: timestamp('status_at', { withTimezone: true }),
    firstSeen: timestamp('first_seen', { withTimezone: true }).notNull().defaultNow(),
    lastSeen: timestamp('last_seen', { withTimezone: true }),
  },
  (t) => [
    check('devices_status_check', sql`${t.status} in ('online', 'offline', 'unknown')`),
    // devices.list pages by (name, id).
    index('devices_name_id_idx').on(t.name, t.id),
  ],
);

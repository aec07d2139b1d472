import { pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/** One login per device for the embedded broker (docs/decisions/0010): the password only as a hash. */
export const deviceCredentials = pgTable('device_credentials', {
  deviceId: text('device_id').primaryKey(),
  /** The MQTT username; the device id, named apart so an external broker's auth plugin can query it. */
  username: text('username').notNull().unique(),
  /**
   * `$sha256$…` of a random token (docs/decisions/0025), or an argon2id PHC string of older
   * credentials (docs/decisions/0010).
   */
  passwordHash: text('password_hash').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  rotatedBy: text('rotated_by').notNull(),
});

/** Devices in quarantine; a row whose `until` has passed is a quarantine that has lifted. */
export const deviceQuarantine = pgTable('device_quarantine', {
  deviceId: text('device_id').primaryKey(),
  reason: text('reason').notNull(),
  until: timestamp('until', { withTimezone: true }),
  by: text('by').notNull(),
  at: timestamp('at', { withTimezone: true }).notNull(),
});

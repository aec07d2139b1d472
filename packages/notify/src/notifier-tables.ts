import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  unique,
} from 'drizzle-orm/pg-core';

/*
 * The notifier's tables, in the database of every tier that notifies (the node and the BFF
 * re-export them into their drizzle-kit schema, so each generates its own migrations).
 */

/**
 * Notifications to send, written with the change that causes them (in its transaction, or by a
 * feed that resumes where it stopped), so a tier killed between "fired" and "sent" still sends
 * after restart (at least once). `source` names the change log `change_seq` numbers: each log
 * has its own sequence.
 */
export const notificationOutbox = pgTable(
  'notification_outbox',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    webhookId: text('webhook_id').notNull(),
    source: text('source').notNull().default('alert'),
    changeSeq: bigint('change_seq', { mode: 'number' }).notNull(),
    fingerprint: text('fingerprint').notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull(),
    deliveredAt: timestamp('delivered_at', { withTimezone: true }),
    /** Set when delivery stopped for good (a 4xx other than 429): kept for the console, not retried. */
    failedAt: timestamp('failed_at', { withTimezone: true }),
    lastError: text('last_error'),
  },
  (t) => [
    unique('notification_outbox_webhook_source_change_key').on(t.webhookId, t.source, t.changeSeq),
    index('notification_outbox_due_idx')
      .on(t.nextAttemptAt)
      .where(sql`${t.deliveredAt} is null and ${t.failedAt} is null`),
  ],
);

/** Per change log fed into the outbox by a feed: the last change fed, where the next feed resumes. */
export const notificationFeeds = pgTable('notification_feeds', {
  source: text('source').primaryKey(),
  fedSeq: bigint('fed_seq', { mode: 'number' }).notNull(),
});

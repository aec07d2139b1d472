import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  index,
  integer,
  jsonb,
  pgSequence,
  pgTable,
  primaryKey,
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
    /** `webhook` (a route: Alertmanager or PagerDuty by the route's kind) or `email` (to `recipient`). */
    channel: text('channel').notNull().default('webhook'),
    /** Whom it tells, one key per channel address (`email:a@example.com`, `route:pd-ops`): what tiers dedupe on. */
    recipient: text('recipient'),
    /** Who that is for a person reading the console: a user's name, the address, the route id. */
    recipientName: text('recipient_name'),
    /** The alert (its episode id) it is about, for the console's "who was told". */
    alertId: text('alert_id'),
    /** `firing`, `acknowledged` or `resolved`. */
    event: text('event'),
    /** The escalation policy that sent it; null for a route that selects the alert itself. */
    escalationId: text('escalation_id'),
  },
  (t) => [
    index('notification_outbox_alert_idx').on(t.alertId),
    unique('notification_outbox_webhook_source_change_key').on(t.webhookId, t.source, t.changeSeq),
    index('notification_outbox_due_idx')
      .on(t.nextAttemptAt)
      .where(sql`${t.deliveredAt} is null and ${t.failedAt} is null`),
  ],
);

/**
 * Per alert and escalation policy at this tier: the next step and when it is due while nobody
 * acks, and every recipient told so far (the resolve goes to each). `state`: `escalating`,
 * `done` (every step told, no repeat), `acked`, `resolved`.
 */
export const notificationEscalations = pgTable(
  'notification_escalations',
  {
    policyId: text('policy_id').notNull(),
    alertId: text('alert_id').notNull(),
    alert: jsonb('alert').$type<Record<string, unknown>>().notNull(),
    firedAt: timestamp('fired_at', { withTimezone: true }).notNull(),
    nextStep: integer('next_step').notNull().default(0),
    nextAt: timestamp('next_at', { withTimezone: true }),
    state: text('state').notNull().default('escalating'),
    told: jsonb('told').$type<unknown[]>().notNull().default([]),
  },
  (t) => [
    primaryKey({ columns: [t.policyId, t.alertId] }),
    index('notification_escalations_due_idx')
      .on(t.nextAt)
      .where(sql`${t.state} = 'escalating'`),
    index('notification_escalations_alert_idx').on(t.alertId),
  ],
);

/** Numbers the notifications escalation policies send (their outbox `change_seq`, source `escalation`). */
export const notificationEscalationSeq = pgSequence('notification_escalation_seq');

/** Per change log fed into the outbox by a feed: the last change fed, where the next feed resumes. */
export const notificationFeeds = pgTable('notification_feeds', {
  source: text('source').primaryKey(),
  fedSeq: bigint('fed_seq', { mode: 'number' }).notNull(),
  /** For a stream read by event id (the BFF's fleet alerts): the last one applied. */
  lastEventId: text('last_event_id'),
});

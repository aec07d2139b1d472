import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  check,
  doublePrecision,
  index,
  jsonb,
  pgTable,
  text,
  timestamp,
  unique,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import type { Alert, RuleCondition, SilenceMatchers } from '@tierscope/shared';

const severity = (name: string) => text(name, { enum: ['info', 'warning', 'critical'] });

export const rules = pgTable('rules', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  severity: severity('severity').notNull(),
  enabled: boolean('enabled').notNull(),
  devicePattern: text('device_pattern').notNull(),
  labels: jsonb('labels').$type<Record<string, string>>().notNull(),
  condition: jsonb('condition').$type<RuleCondition>().notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  updatedBy: text('updated_by').notNull(),
});

export const alerts = pgTable(
  'alerts',
  {
    /** Minted at the edge from rule, device and the episode's first sample time. */
    id: text('id').primaryKey(),
    fingerprint: text('fingerprint').notNull(),
    ruleId: text('rule_id').notNull(),
    ruleName: text('rule_name').notNull(),
    deviceId: text('device_id'),
    severity: severity('severity').notNull(),
    state: text('state', { enum: ['pending', 'firing', 'flapping', 'resolved'] }).notNull(),
    summary: text('summary').notNull(),
    value: doublePrecision('value'),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
    resolvedAt: timestamp('resolved_at', { withTimezone: true }),
    ackBy: text('ack_by'),
    ackAt: timestamp('ack_at', { withTimezone: true }),
    ackNote: text('ack_note'),
    silenced: boolean('silenced').notNull().default(false),
    /** alertSortValue: severity rank above start time, so alerts.list pages by one index. */
    sortKey: bigint('sort_key', { mode: 'number' }).notNull(),
  },
  (t) => [
    // One open episode per rule and device, whatever races: no duplicate alarms.
    uniqueIndex('alerts_open_fingerprint_idx')
      .on(t.fingerprint)
      .where(sql`${t.state} <> 'resolved'`),
    index('alerts_sort_idx').on(t.sortKey.desc(), t.id),
    check('alerts_state_check', sql`${t.state} in ('pending', 'firing', 'flapping', 'resolved')`),
  ],
);

/**
 * Every change of every alert, in order: the live stream's log. `seq` is the resumable event id;
 * `alert` is the alert as it was after the change, so a replay needs no join.
 */
export const alertChanges = pgTable(
  'alert_changes',
  {
    seq: bigserial('seq', { mode: 'number' }).primaryKey(),
    alertId: text('alert_id').notNull(),
    kind: text('kind').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull(),
    alert: jsonb('alert').$type<Alert>().notNull(),
  },
  // A batch replayed from the journal re-derives the same changes: they are stored once.
  (t) => [unique('alert_changes_alert_kind_at_key').on(t.alertId, t.kind, t.at)],
);

export const silences = pgTable('silences', {
  id: text('id').primaryKey(),
  kind: text('kind', { enum: ['silence', 'maintenance'] }).notNull(),
  matchers: jsonb('matchers').$type<SilenceMatchers>().notNull(),
  startsAt: timestamp('starts_at', { withTimezone: true }).notNull(),
  endsAt: timestamp('ends_at', { withTimezone: true }).notNull(),
  createdBy: text('created_by').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  comment: text('comment').notNull(),
});

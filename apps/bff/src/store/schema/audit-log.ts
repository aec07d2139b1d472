import { bigserial, index, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * Who did what, when and from where. Append-only: a trigger (migration 0001) refuses UPDATE,
 * DELETE and TRUNCATE even for the table's owner. Each row's `hash` is
 * sha256(prev_hash || canonical JSON of the row), so an edit made around the trigger breaks the
 * chain at that row (see console/audit.ts).
 */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: timestamp('at', { withTimezone: true }).notNull(),
    /** A user's name, or `system` for the BFF itself. */
    actor: text('actor').notNull(),
    /** Dotted verb, e.g. `auth.login`, `auth.login.failed`, `user.create`. */
    action: text('action').notNull(),
    /** What was acted on: a user's name, an alert id, a node path… */
    target: text('target').notNull(),
    /** The client address the request came from; empty for the BFF's own actions. */
    address: text('address').notNull(),
    details: jsonb('details').$type<Record<string, unknown>>().notNull(),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
  },
  (t) => [index('audit_log_at_idx').on(t.at), index('audit_log_actor_idx').on(t.actor)],
);

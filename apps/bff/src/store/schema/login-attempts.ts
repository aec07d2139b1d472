import { sql } from 'drizzle-orm';
import { bigserial, check, index, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * Every login attempt, kept for the rate limiter's window (in the database, so BFF replicas share
 * it). An attempt is written `pending` before the password is checked, so parallel guesses count
 * against each other.
 */
export const loginAttempts = pgTable(
  'login_attempts',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: timestamp('at', { withTimezone: true }).notNull(),
    /** The name as typed (lower-cased), whether or not such a user exists. */
    username: text('username').notNull(),
    address: text('address').notNull(),
    outcome: text('outcome', { enum: ['pending', 'failed', 'succeeded', 'refused'] }).notNull(),
  },
  (t) => [
    index('login_attempts_username_at_idx').on(t.username, t.at),
    index('login_attempts_address_at_idx').on(t.address, t.at),
    index('login_attempts_at_idx').on(t.at),
    check('login_attempts_outcome_check', sql`${t.outcome} in ('pending', 'failed', 'succeeded', 'refused')`),
  ],
);

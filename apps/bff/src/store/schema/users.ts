import { sql } from 'drizzle-orm';
import type { QuietHours } from '@tierscope/notify';
import { bigserial, boolean, check, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/** Console users. `name` is stored lower-case, so logins compare case-insensitively through the unique key. */
export const users = pgTable(
  'users',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    name: text('name').notNull().unique(),
    role: text('role', { enum: ['viewer', 'operator', 'admin'] }).notNull(),
    /** Node path globs the user may see (`district-1/**`); `['**']` is the whole tree. */
    scope: jsonb('scope').$type<string[]>().notNull(),
    /** An argon2id PHC string: algorithm, parameters and salt travel with the hash. */
    passwordHash: text('password_hash').notNull(),
    /** Set for one-time and admin-reset passwords: the session may only change its password. */
    mustChangePassword: boolean('must_change_password').notNull().default(false),
    disabled: boolean('disabled').notNull().default(false),
    /** Where escalation policies that name the user email them; null: they get no email. */
    email: text('email'),
    /** Non-critical alerts are not sent to them in this window. */
    quietHours: jsonb('quiet_hours').$type<QuietHours>(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [check('users_role_check', sql`${t.role} in ('viewer', 'operator', 'admin')`)],
);

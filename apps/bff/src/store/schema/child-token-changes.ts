import { pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * Uplink children's tokens as rotated or revoked at run time (ChildTokenRegistry in
 * packages/federation, which writes it through `sqlChildTokenStore`): only hashes, one row per child.
 */
export const childTokenChanges = pgTable('child_token_changes', {
  childId: text('child_id').primaryKey(),
  /** The hash in force; null once revoked. */
  tokenHash: text('token_hash'),
  /** The configured hash the change was made under: a different one configured since wins. */
  configuredHash: text('configured_hash').notNull(),
  changedAt: timestamp('changed_at', { withTimezone: true }).notNull(),
});

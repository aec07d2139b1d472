import { bigint, integer, jsonb, pgTable, text } from 'drizzle-orm/pg-core';

/**
 * The fleet policy versions the BFF authors (PolicyBook in packages/federation, through
 * `sqlPolicyVersionStore`; decision 21): immutable once published but for the canary phase.
 */
export const policyVersions = pgTable('policy_versions', {
  version: integer('version').primaryKey(),
  hash: text('hash').notNull(),
  content: jsonb('content').notNull(),
  comment: text('comment').notNull(),
  publishedBy: text('published_by').notNull(),
  /** Epoch ms, as the contract's times. */
  publishedAt: bigint('published_at', { mode: 'number' }).notNull(),
  canaries: jsonb('canaries').notNull(),
  canaryHoldMs: integer('canary_hold_ms').notNull(),
  phase: text('phase').notNull(),
  haltReason: text('halt_reason'),
  rollbackOf: integer('rollback_of'),
  previousVersion: integer('previous_version'),
});

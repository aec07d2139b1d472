import { bigint, integer, jsonb, pgTable, text } from 'drizzle-orm/pg-core';
import type { PolicyContent } from '@tierscope/shared';

/**
 * The policy versions a tier authors (PolicyBook, written through `sqlPolicyVersionStore`;
 * decision 21), defined once: the BFF's and a node's drizzle-kit schemas re-export it. Immutable
 * once published but for the canary phase.
 */
export const policyVersions = pgTable('policy_versions', {
  version: integer('version').primaryKey(),
  hash: text('hash').notNull(),
  content: jsonb('content').$type<PolicyContent>().notNull(),
  comment: text('comment').notNull(),
  publishedBy: text('published_by').notNull(),
  /** Epoch ms, as the contract's times. */
  publishedAt: bigint('published_at', { mode: 'number' }).notNull(),
  canaries: jsonb('canaries').$type<string[]>().notNull(),
  canaryHoldMs: integer('canary_hold_ms').notNull(),
  phase: text('phase', { enum: ['canary', 'released', 'halted'] }).notNull(),
  haltReason: text('halt_reason'),
  rollbackOf: integer('rollback_of'),
  previousVersion: integer('previous_version'),
});

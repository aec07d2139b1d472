import { sql } from 'drizzle-orm';
import { bigint, check, integer, jsonb, pgTable, text } from 'drizzle-orm/pg-core';
import type {
  AppliedPolicyVersion,
  DesiredPolicy,
  EffectivePolicy,
  PolicyDocument,
  PolicyRejection,
} from '@tierscope/shared';

/**
 * The policy this node holds (decision 21), one row: what its parent last sent, what it authors
 * itself, and what it runs. Written by the PolicyAgent, read back at start before the ingest.
 */
export const policyState = pgTable(
  'policy_state',
  {
    id: integer('id').primaryKey(),
    /** The DesiredPolicy last received from a parent. */
    desired: jsonb('desired').$type<DesiredPolicy>(),
    desiredHash: text('desired_hash'),
    /** This node's own authored document, when it federates a subtree. */
    authored: jsonb('authored').$type<PolicyDocument>(),
    /** The EffectivePolicy in force. */
    applied: jsonb('applied').$type<EffectivePolicy>(),
    appliedSources: jsonb('applied_sources').$type<AppliedPolicyVersion[]>().notNull().default([]),
    /** epoch ms */
    appliedAt: bigint('applied_at', { mode: 'number' }),
    rejection: jsonb('rejection').$type<PolicyRejection>(),
  },
  (t) => [check('policy_state_single_row', sql`${t.id} = 1`)],
);

// The versions this node authors when it federates: the table is defined once in packages/federation.
export { policyVersions } from '@tierscope/federation/policy-version-table';

import type { DesiredPolicy, EffectivePolicy, PolicyDocument, PolicyRejection } from '@tierscope/shared';
import type { NodeStore, RawExecutor } from '../store/client.ts';

/** The policy_state row as the agent holds it. */
export interface StoredPolicyState {
  desired: DesiredPolicy | null;
  desiredHash: string | null;
  authored: PolicyDocument | null;
  /** Null before any policy was applied. */
  applied: EffectivePolicy | null;
  /** epoch ms */
  appliedAt: number | null;
  rejection: PolicyRejection | null;
}

export const NO_POLICY_STATE: StoredPolicyState = {
  desired: null,
  desiredHash: null,
  authored: null,
  applied: null,
  appliedAt: null,
  rejection: null,
};

/** The stored row, or NO_POLICY_STATE on a node that never held a policy. */
export async function readPolicyState(store: NodeStore): Promise<StoredPolicyState> {
  const [row] = await store.exec<{
    desired: DesiredPolicy | null;
    desired_hash: string | null;
    authored: PolicyDocument | null;
    applied: (Omit<EffectivePolicy, 'escalations'> & Partial<EffectivePolicy>) | null;
    /** A bigint: postgres.js reads it as a string. */
    applied_at: string | number | null;
    rejection: PolicyRejection | null;
  }>(`SELECT desired, desired_hash, authored, applied, applied_at, rejection FROM policy_state WHERE id = 1`);
  if (!row) return NO_POLICY_STATE;
  return {
    desired: row.desired,
    desiredHash: row.desired_hash,
    authored: row.authored,
    // Stored before escalation policies existed: it had none.
    applied: row.applied && { ...row.applied, escalations: row.applied.escalations ?? [] },
    appliedAt: row.applied_at === null ? null : Number(row.applied_at),
    rejection: row.rejection,
  };
}

/** Writes the whole row (the only one), in `tx` when it must commit with something else. */
export async function writePolicyState(executor: RawExecutor, state: StoredPolicyState): Promise<void> {
  const json = (value: unknown) => (value === null ? null : JSON.stringify(value));
  await executor.exec(
    `INSERT INTO policy_state (id, desired, desired_hash, authored, applied, applied_sources, applied_at, rejection)
     VALUES (1, $1::jsonb, $2, $3::jsonb, $4::jsonb, $5::jsonb, $6::bigint, $7::jsonb)
     ON CONFLICT (id) DO UPDATE SET desired = excluded.desired, desired_hash = excluded.desired_hash,
       authored = excluded.authored, applied = excluded.applied, applied_sources = excluded.applied_sources,
       applied_at = excluded.applied_at, rejection = excluded.rejection`,
    [
      json(state.desired),
      state.desiredHash,
      json(state.authored),
      json(state.applied),
      JSON.stringify(state.applied?.sources ?? []),
      state.appliedAt,
      json(state.rejection),
    ],
  );
}

/** Every metric the node holds a latest value of: what it has stored. */
export async function storedMetrics(store: NodeStore): Promise<Set<string>> {
  const rows = await store.exec<{ metric: string }>(`SELECT DISTINCT metric FROM latest_values`);
  return new Set(rows.map(({ metric }) => metric));
}

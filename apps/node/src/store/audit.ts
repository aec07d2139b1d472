import type { Actor } from '@tierscope/shared';
import type { RawExecutor } from './client.ts';

/** Writes one audit-log entry in the caller's transaction, so it commits with the change it records. */
export async function audit(
  tx: RawExecutor,
  actor: Actor,
  action: string,
  target: string,
  details: Record<string, unknown>,
): Promise<void> {
  await tx.exec(`INSERT INTO audit_log (actor, action, target, details) VALUES ($1, $2, $3, $4::jsonb)`, [
    `${actor.kind}:${actor.name}`,
    action,
    target,
    JSON.stringify(details),
  ]);
}

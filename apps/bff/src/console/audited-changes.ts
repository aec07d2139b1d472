import type { AuditedChange } from '@tierscope/shared';
import type { AuditEvent } from './audit.ts';

/** Fields that name what a change is about rather than what it did: they form the target. */
const TARGET_FIELDS = ['nodePath', 'id', 'deviceId'] as const;

/**
 * The audit entry of a node-contract change made through the console (the contract marks which
 * mutations are audited, `meta.audit`). The target is the owning node's path and the item's id —
 * from the input, or from the answer for an item it created; the details are the rest of the input.
 * Only inputs are logged: secrets in answers (device passwords, node tokens) never reach the log.
 */
export function auditEventOf(change: AuditedChange): AuditEvent {
  const input = asRecord(change.input);
  const output = asRecord(change.output);
  if (change.action === 'policy.publish' || change.action === 'policy.rollback')
    return policyAuditEvent(change.action, input, output);
  if (change.action === 'device.import' || change.action === 'device.provision')
    return deviceBatchAuditEvent(change.action, input);
  const nodePath = typeof input.nodePath === 'string' ? input.nodePath : undefined;
  const id = firstString(input.id, input.deviceId, asRecord(input.rule).id, output.id);
  const target = [nodePath, id].filter((part) => part !== undefined).join('/');
  const details = Object.fromEntries(
    Object.entries(input).filter(([key]) => !(TARGET_FIELDS as readonly string[]).includes(key)),
  );
  return { action: change.action, target, ...(Object.keys(details).length > 0 && { details }) };
}

/**
 * A policy change names the version it made and which nodes it reaches (the bundles' targets and
 * the canaries); the content itself stays in the author's version history, not the log.
 */
function policyAuditEvent(
  action: string,
  input: Record<string, unknown>,
  output: Record<string, unknown>,
): AuditEvent {
  const author = typeof output.author === 'string' ? output.author : 'policy';
  const bundles = asRecord(input.content).bundles;
  const targets = Array.isArray(bundles) ? bundles.map((bundle) => asRecord(bundle).target) : undefined;
  const details = {
    comment: output.comment,
    ...(targets && { targets }),
    canaries: output.canaries,
    ...(output.rollbackOf != null && { rollbackOf: output.rollbackOf }),
    hash: output.hash,
  };
  return { action, target: `${author} v${String(output.version)}`, details };
}

/**
 * An import names its file by size and its setting, a batch its device ids: the rows themselves
 * are audited one by one at the node that made each device (never with a password).
 */
function deviceBatchAuditEvent(action: string, input: Record<string, unknown>): AuditEvent {
  const target = typeof input.nodePath === 'string' ? input.nodePath : '';
  if (typeof input.csv === 'string') {
    const lines = input.csv.split('\n').filter((line) => line.trim() !== '').length;
    return { action, target, details: { lines, importValidRows: input.importValidRows === true } };
  }
  const devices = Array.isArray(input.devices) ? input.devices.map((row) => asRecord(row).deviceId) : [];
  return { action, target, details: { devices } };
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

function firstString(...values: unknown[]): string | undefined {
  return values.find((value): value is string => typeof value === 'string');
}

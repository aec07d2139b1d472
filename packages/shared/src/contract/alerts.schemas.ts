import { z } from 'zod';
import { DeviceId, NodePath } from '../domain/ids.ts';
import { Cursor, Limit, pageOf } from '../domain/page.ts';
import { Severity } from '../domain/severity.ts';
import { Timestamp } from '../domain/time.ts';

export const AlertState = z.enum(['pending', 'firing', 'flapping', 'resolved']);
export type AlertState = z.infer<typeof AlertState>;

/**
 * One episode of one rule on one device. `fingerprint` (rule + device) groups episodes; `id` is
 * minted at the edge from rule, device and episode, so a replay never creates a second alert.
 */
export const Alert = z.object({
  id: z.string().max(200),
  fingerprint: z.string().max(200),
  nodePath: NodePath,
  ruleId: z.string().max(64),
  ruleName: z.string().max(200),
  deviceId: DeviceId.nullable(),
  severity: Severity,
  state: AlertState,
  summary: z.string().max(1000),
  value: z.number().nullable(),
  startedAt: Timestamp,
  updatedAt: Timestamp,
  resolvedAt: Timestamp.nullable(),
  ack: z.object({ by: z.string().max(128), at: Timestamp, note: z.string().max(1000) }).nullable(),
  /** Set by a parent while it cannot reach the owning node: the state shown may be out of date. */
  stale: z.boolean(),
});
export type Alert = z.infer<typeof Alert>;

/** Most severe first, then newest. */
export const ListAlertsInput = z
  .object({
    state: AlertState.optional(),
    severity: Severity.optional(),
    deviceId: DeviceId.optional(),
    search: z.string().max(200).optional(),
    limit: Limit,
    cursor: Cursor.optional(),
  })
  .prefault({});
export type ListAlertsInput = z.infer<typeof ListAlertsInput>;

export const AlertPage = pageOf(Alert);
export type AlertPage = z.infer<typeof AlertPage>;

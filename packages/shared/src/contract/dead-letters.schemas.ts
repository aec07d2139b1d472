import { z } from 'zod';
import { NodePath } from '../domain/ids.ts';
import { Cursor, Limit, pageOf } from '../domain/page.ts';
import { Timestamp } from '../domain/time.ts';

export const DeadLetterReason = z.enum([
  'oversize',
  'bad-topic',
  'bad-device-id',
  'bad-json',
  'invalid-payload',
  'unknown-device',
  'timestamp-out-of-range',
  /** The device is quarantined (devices.quarantine): its messages are kept here, not stored. */
  'quarantined',
  /** A command ack naming a command the node never sent, or one sent to another device. */
  'unknown-command',
  /** A config report of a version the node never set for that device. */
  'unknown-config',
]);
export type DeadLetterReason = z.infer<typeof DeadLetterReason>;

export const DeadLetter = z.object({
  id: z.string().max(64),
  nodePath: NodePath,
  receivedAt: Timestamp,
  topic: z.string().max(1024),
  reason: DeadLetterReason,
  /** What was wrong, in words a device developer can act on. */
  detail: z.string().max(2000),
  /** The payload's first KiB, as text; `size` is the whole payload's size in bytes. */
  payloadPreview: z.string().max(4096),
  size: z.number().int().min(0),
});
export type DeadLetter = z.infer<typeof DeadLetter>;

/** Newest first. */
export const ListDeadLettersInput = z
  .object({
    reason: DeadLetterReason.optional(),
    /** Only items of this node and its subtree. */
    nodePath: NodePath.optional(),
    limit: Limit,
    cursor: Cursor.optional(),
  })
  .prefault({});
export type ListDeadLettersInput = z.infer<typeof ListDeadLettersInput>;

export const DeadLetterPage = pageOf(DeadLetter);
export type DeadLetterPage = z.infer<typeof DeadLetterPage>;

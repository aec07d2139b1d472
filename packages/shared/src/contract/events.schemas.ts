import { z } from 'zod';
import { DeviceId, NodePath } from '../domain/ids.ts';
import { Cursor, Limit, pageOf } from '../domain/page.ts';
import { Severity } from '../domain/severity.ts';
import { Timestamp } from '../domain/time.ts';

export const DeviceEvent = z.object({
  id: z.string().max(64),
  nodePath: NodePath,
  deviceId: DeviceId,
  ts: Timestamp,
  type: z.string().max(64),
  severity: Severity,
  message: z.string().max(2000),
  attrs: z.record(z.string(), z.unknown()),
});
export type DeviceEvent = z.infer<typeof DeviceEvent>;

/** Newest first (time, then node path, then id); `query` is full-text (web search syntax). */
export const SearchEventsInput = z
  .object({
    query: z.string().max(200).optional(),
    severity: Severity.optional(),
    deviceId: DeviceId.optional(),
    from: Timestamp.optional(),
    to: Timestamp.optional(),
    /** Only items of this node and its subtree. */
    nodePath: NodePath.optional(),
    limit: Limit,
    cursor: Cursor.optional(),
  })
  .prefault({});
export type SearchEventsInput = z.infer<typeof SearchEventsInput>;

export const EventPage = pageOf(DeviceEvent);
export type EventPage = z.infer<typeof EventPage>;

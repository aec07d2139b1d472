import { z } from 'zod';
import { NodeId, NodePath } from '../domain/ids.ts';
import { Timestamp } from '../domain/time.ts';

export const NodeInfoInput = z.object({}).optional();

/** `node.watch`: the node's info now, then every `intervalMs` (500..60 000, default 5000). */
export const WatchNodeInput = z.object({
  intervalMs: z.number().int().min(500).max(60_000).default(5000),
});
export type WatchNodeInput = z.infer<typeof WatchNodeInput>;

export const IngestStats = z.object({
  messagesTotal: z.number().int().min(0),
  samplesTotal: z.number().int().min(0),
  /** Samples committed per second, averaged over the last 10 s. */
  samplesPerSec: z.number().min(0),
  /** Messages accepted but not yet committed to the store. */
  queueDepth: z.number().int().min(0),
  deadLettersTotal: z.number().int().min(0),
});
export type IngestStats = z.infer<typeof IngestStats>;

export const NodeInfo = z.object({
  id: NodeId,
  name: z.string().max(200),
  path: NodePath,
  version: z.string().max(64),
  startedAt: Timestamp,
  /** On a federating node: summed over itself and its children that are up; `lowerBound` when one is not. */
  devices: z.object({
    total: z.number().int().min(0),
    online: z.number().int().min(0),
    lowerBound: z.boolean().optional(),
  }),
  ingest: IngestStats,
  broker: z.object({ connected: z.boolean(), embedded: z.boolean(), url: z.string().max(500) }),
  database: z.object({ reachable: z.boolean(), driver: z.enum(['postgres', 'pglite']) }),
  /** Set by a federating node: each child as its heartbeat sees it, recursively. Absent on a leaf. */
  get children(): z.ZodOptional<z.ZodArray<typeof NodeChild>> {
    return z.array(NodeChild).optional();
  },
});
export type NodeInfo = z.infer<typeof NodeInfo>;

export const NodeChildState = z.enum(['up', 'down']);
export type NodeChildState = z.infer<typeof NodeChildState>;

/**
 * One child of a federating node. `down` means it missed heartbeats for about 2 s; `info` is then
 * the last-known-good copy, `ageMs` old (null before the first heartbeat answered).
 */
/** How a child is attached: its parent dials it, or it dials its parent's uplink with a node token. */
export const ChildAttachment = z.enum(['dialled', 'uplink']);
export type ChildAttachment = z.infer<typeof ChildAttachment>;

export const NodeChild = z.object({
  path: NodePath,
  state: NodeChildState,
  /** Absent from a parent that predates it. Only an `uplink` child has a token its parent can rotate. */
  attachment: ChildAttachment.optional(),
  lastHeartbeatAt: Timestamp.nullable(),
  ageMs: z.number().min(0).nullable(),
  get info(): z.ZodNullable<typeof NodeInfo> {
    return NodeInfo.nullable();
  },
});
export type NodeChild = z.infer<typeof NodeChild>;

export const NodePing = z.object({ at: Timestamp });
export type NodePing = z.infer<typeof NodePing>;

/** An uplink child, by its path: the tier it attaches to changes its token. */
export const ChildTokenInput = z.object({ nodePath: NodePath });
export type ChildTokenInput = z.infer<typeof ChildTokenInput>;

/** The new token, shown once: configure the child with it (NODE_TOKEN); only its hash is kept. */
export const RotatedChildToken = z.object({ nodePath: NodePath, token: z.string().min(16).max(512) });
export type RotatedChildToken = z.infer<typeof RotatedChildToken>;

export const RevokedChildToken = z.object({ nodePath: NodePath, revoked: z.boolean() });
export type RevokedChildToken = z.infer<typeof RevokedChildToken>;

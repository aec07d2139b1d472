import { z } from 'zod';
import { NodeId, NodePath } from '../domain/ids.ts';
import { Timestamp } from '../domain/time.ts';
import { NodePolicyState } from './policy.schemas.ts';

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

/**
 * How a backlog moves: `empty`; `draining` (it shrank or held while items left it); `growing` (it
 * grew over the rate window); `stalled` (items wait and none left it for the node's stall period,
 * which also raises the node's `backlog-stalled` alert).
 */
export const BacklogTrend = z.enum(['empty', 'draining', 'growing', 'stalled']);
export type BacklogTrend = z.infer<typeof BacklogTrend>;

/** One queue of work the node holds and still owes somewhere (decision 18). */
export const Backlog = z.object({
  /** Items waiting. */
  depth: z.number().int().min(0),
  /** How long the oldest waiting item has waited; null when none waits. */
  oldestAgeMs: z.number().min(0).nullable(),
  /** Items that left the backlog per second, over the node's rate window. */
  drainPerSec: z.number().min(0),
  /** depth / drainPerSec; null when nothing drains (then it would never end) or nothing waits. */
  etaMs: z.number().min(0).nullable(),
  trend: BacklogTrend,
});
export type Backlog = z.infer<typeof Backlog>;

/** A webhook's outbox: notifications neither delivered nor given up. */
export const WebhookBacklog = Backlog.extend({ webhookId: z.string().max(64) });
export type WebhookBacklog = z.infer<typeof WebhookBacklog>;

/**
 * What a parent has not taken yet: the node's alert changes committed since the parent was last
 * heard, while it is away (a parent that calls follows the changes live, so then nothing is owed).
 */
export const ParentBacklog = Backlog.extend({
  /** The parent as this node knows it: its uplink's host, or the hash prefix of the token it presents. */
  parent: z.string().max(200),
  via: z.enum(['uplink', 'dialled']),
  /** When the parent last called this node; null when not since this node started. */
  lastHeardAt: Timestamp.nullable(),
  /** Not heard for the node's away period: what it owes piles up. */
  away: z.boolean(),
});
export type ParentBacklog = z.infer<typeof ParentBacklog>;

export const NodeBacklogs = z.object({
  /** Messages acked to the broker and journaled, not yet committed to the store. */
  ingest: Backlog,
  webhooks: z.array(WebhookBacklog).max(100),
  parents: z.array(ParentBacklog).max(100),
});
export type NodeBacklogs = z.infer<typeof NodeBacklogs>;

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
  /** The node's own backlogs (decision 18); absent from a node that predates them. */
  backlogs: NodeBacklogs.optional(),
  /** The policy it holds and runs (decision 21); absent from a node that predates fleet policy. */
  policy: NodePolicyState.optional(),
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

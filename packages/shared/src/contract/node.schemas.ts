import { z } from 'zod';
import { NodeId, NodePath } from '../domain/ids.ts';
import { Timestamp } from '../domain/time.ts';

export const NodeInfoInput = z.object({}).optional();

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
  devices: z.object({ total: z.number().int().min(0), online: z.number().int().min(0) }),
  ingest: IngestStats,
  broker: z.object({ connected: z.boolean(), embedded: z.boolean(), url: z.string().max(500) }),
  database: z.object({ reachable: z.boolean(), driver: z.enum(['postgres', 'pglite']) }),
});
export type NodeInfo = z.infer<typeof NodeInfo>;

import type { TreeNode, NodeStatus } from './node-tree.ts';

/** What the console remembers of one node at one moment, for charts over time. */
export interface NodeReading {
  samplesPerSec: number;
  queueDepth: number;
  devicesOnline: number;
  devicesTotal: number;
  status: NodeStatus;
}

export interface NodeSample {
  at: number;
  /** By node path; the root is "". */
  nodes: Record<string, NodeReading>;
}

/** About ten minutes at the default 5 s refresh. */
export const HISTORY_LIMIT = 120;

/** The node tree at `at` as one sample: the console's own short history, sampled as info arrives. */
export function sampleOf(rows: readonly TreeNode[], at: number): NodeSample {
  const nodes: Record<string, NodeReading> = {};
  for (const row of rows)
    if (row.info)
      nodes[row.path] = {
        samplesPerSec: row.info.ingest.samplesPerSec,
        queueDepth: row.info.ingest.queueDepth,
        devicesOnline: row.info.devices.online,
        devicesTotal: row.info.devices.total,
        status: row.status,
      };
  return { at, nodes };
}

/** Appends a sample, dropping the oldest past `limit`; a sample not newer than the last is ignored. */
export function appendSample(
  history: readonly NodeSample[],
  sample: NodeSample,
  limit = HISTORY_LIMIT,
): NodeSample[] {
  const last = history.at(-1);
  if (last && sample.at <= last.at) return [...history];
  const next = [...history, sample];
  return next.length > limit ? next.slice(next.length - limit) : next;
}

// What the node charts draw, as frames: the nodes' own record (node.history) joined with the tab's
// samples. Only the lazily loaded chart code uses it, so it stays out of the console's entry chunk
// (issue 19's first-route budget); lib/node-history.ts, which the entry needs, keeps the sampling.
import type { NodeHistory, NodeHistoryMetric } from '@tierscope/shared/schemas';
import type { NodeReading, NodeSample } from '../../lib/node-history.ts';

/** The node series a chart draws: each one recorded by the nodes (`node.history`) and sampled by the tab. */
export type ChartedMetric = Exclude<NodeHistoryMetric, 'deadLetters.total'>;

/** Where a charted metric is in the tab's own readings. */
export const READING_OF: Record<ChartedMetric, (reading: NodeReading) => number> = {
  'ingest.samplesPerSec': (reading) => reading.samplesPerSec,
  'ingest.queueDepth': (reading) => reading.queueDepth,
  'devices.online': (reading) => reading.devicesOnline,
};

/** One moment of a chart over nodes: a value by node path; a node without one is a gap there. */
export interface HistoryFrame {
  at: number;
  values: Readonly<Record<string, number>>;
}

/** The tab's samples as frames of one figure; a node that was down at a sample is a gap there. */
export function liveFrames(
  history: readonly NodeSample[],
  pick: (reading: NodeReading) => number,
): HistoryFrame[] {
  return history.map((sample) => {
    const values: Record<string, number> = {};
    for (const [path, reading] of Object.entries(sample.nodes))
      if (reading.status !== 'down') values[path] = pick(reading);
    return { at: sample.at, values };
  });
}

/**
 * What the nodes recorded of themselves (`node.history`) as frames: one per bucket, at its start,
 * with each node's mean over it. A node that recorded nothing in a bucket is a gap there.
 */
export function recordedFrames(recorded: NodeHistory): HistoryFrame[] {
  const byTime = new Map<number, Record<string, number>>();
  for (const series of recorded.series)
    for (const point of series.points) {
      const values = byTime.get(point.ts) ?? {};
      values[series.nodePath] = point.avg;
      byTime.set(point.ts, values);
    }
  return [...byTime.entries()].sort(([a], [b]) => a - b).map(([at, values]) => ({ at, values }));
}

/**
 * A chart's frames: the recorded ones from before the tab's first sample, then the tab's own. So a
 * page opened or reloaded shows the nodes' history at once and moves on with every sample.
 */
export function joinFrames(recorded: readonly HistoryFrame[], live: readonly HistoryFrame[]): HistoryFrame[] {
  const liveFrom = live[0]?.at ?? Infinity;
  return [...recorded.filter((frame) => frame.at < liveFrom), ...live];
}

/** One node's values over time, [time, value] pairs for a line chart; missing values are gaps. */
export function seriesOf(frames: readonly HistoryFrame[], path: string): [number, number | null][] {
  return frames.map((frame) => [frame.at, frame.values[path] ?? null]);
}

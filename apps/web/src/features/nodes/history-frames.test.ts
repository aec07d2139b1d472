import type { NodeHistory } from '@tierscope/shared/schemas';
import { describe, expect, it } from 'vitest';
import type { NodeReading, NodeSample } from '../../lib/node-history.ts';
import { joinFrames, liveFrames, recordedFrames, seriesOf } from './history-frames.ts';

const reading = (samplesPerSec: number, status: NodeReading['status'] = 'live'): NodeReading => ({
  samplesPerSec,
  queueDepth: 0,
  devicesOnline: 70,
  devicesTotal: 70,
  status,
});
const sample = (at: number, nodes: Record<string, NodeReading>): NodeSample => ({ at, nodes });

describe('liveFrames and seriesOf', () => {
  it("chart one node's value over time, with a gap where it was down or absent", () => {
    const history = [
      sample(1, { a: reading(10) }),
      sample(2, { a: reading(20, 'down') }),
      sample(3, {}),
      sample(4, { a: reading(30, 'stale') }),
    ];
    expect(
      seriesOf(
        liveFrames(history, (r) => r.samplesPerSec),
        'a',
      ),
    ).toEqual([
      [1, 10],
      [2, null],
      [3, null],
      [4, 30],
    ]);
  });
});

const point = (ts: number, avg: number) => ({ ts, avg, min: avg, max: avg, count: 6 });
const recorded: NodeHistory = {
  metric: 'ingest.samplesPerSec',
  bucketMs: 60_000,
  series: [
    { nodePath: 'd/a', points: [point(0, 1), point(60_000, 2), point(120_000, 3)] },
    { nodePath: 'd/b', points: [point(60_000, 5)] },
  ],
  coverage: { asked: 2, answered: 2, nodes: [] },
};

describe('recordedFrames', () => {
  it("puts each node's mean of a bucket at the bucket's start; a node without one is a gap", () => {
    const frames = recordedFrames(recorded);
    expect(frames.map((f) => f.at)).toEqual([0, 60_000, 120_000]);
    expect(seriesOf(frames, 'd/a')).toEqual([
      [0, 1],
      [60_000, 2],
      [120_000, 3],
    ]);
    expect(seriesOf(frames, 'd/b')).toEqual([
      [0, null],
      [60_000, 5],
      [120_000, null],
    ]);
  });
});

describe('joinFrames', () => {
  it("keeps what the nodes recorded before the tab's first sample, then the tab's samples", () => {
    const live = liveFrames(
      [sample(90_000, { 'd/a': reading(7) }), sample(95_000, { 'd/a': reading(8) })],
      (r) => r.samplesPerSec,
    );
    expect(joinFrames(recordedFrames(recorded), live).map((f) => [f.at, f.values['d/a']])).toEqual([
      [0, 1],
      [60_000, 2],
      [90_000, 7],
      [95_000, 8],
    ]);
  });

  it('shows every recorded frame before the tab has a sample of its own', () => {
    expect(joinFrames(recordedFrames(recorded), [])).toHaveLength(3);
  });
});

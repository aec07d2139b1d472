import { describe, expect, it } from 'vitest';
import { appendSample, seriesOf, type NodeReading, type NodeSample } from './node-history.ts';

const reading = (samplesPerSec: number, status: NodeReading['status'] = 'live'): NodeReading => ({
  samplesPerSec,
  queueDepth: 0,
  devicesOnline: 70,
  devicesTotal: 70,
  status,
});
const sample = (at: number, nodes: Record<string, NodeReading>): NodeSample => ({ at, nodes });

describe('appendSample', () => {
  it('keeps the newest samples up to the limit', () => {
    let history: NodeSample[] = [];
    for (let at = 1; at <= 5; at++) history = appendSample(history, sample(at, {}), 3);
    expect(history.map((s) => s.at)).toEqual([3, 4, 5]);
  });

  it('ignores a sample that is not newer than the last', () => {
    const history = appendSample([sample(10, {})], sample(10, {}));
    expect(history).toHaveLength(1);
  });
});

describe('seriesOf', () => {
  it("charts one node's value over time, with a gap where it was down or absent", () => {
    const history = [
      sample(1, { a: reading(10) }),
      sample(2, { a: reading(20, 'down') }),
      sample(3, {}),
      sample(4, { a: reading(30, 'stale') }),
    ];
    expect(seriesOf(history, 'a', (r) => r.samplesPerSec)).toEqual([
      [1, 10],
      [2, null],
      [3, null],
      [4, 30],
    ]);
  });
});

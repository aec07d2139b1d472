import { describe, expect, it } from 'vitest';
import { appendSample, type NodeSample } from './node-history.ts';

const sample = (at: number, nodes: NodeSample['nodes']): NodeSample => ({ at, nodes });

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

import { describe, expect, it } from 'vitest';
import { NodeHistoryInput, selfCoverage, type NodeHistory } from '@tierscope/shared';
import { mergeCoverage, mergeNodeHistories, prefixNodeHistory } from './merge.ts';

const input = NodeHistoryInput.parse({ metric: 'devices.online', from: 0, to: 3_600_000 });

function history(nodePath: string, avg: number): NodeHistory {
  return {
    metric: 'devices.online',
    bucketMs: 60_000,
    series: [{ nodePath, points: [{ ts: 0, avg, min: avg, max: avg, count: 1 }] }],
    coverage: selfCoverage(nodePath, 1),
  };
}

describe('node history merge', () => {
  it("lists every node's own series side by side in path order, in the tier's paths, and names a silent node only in coverage", () => {
    const results = [
      {
        ok: true as const,
        path: 'district/b',
        value: prefixNodeHistory(history('b', 2), 'district/'),
        latencyMs: 1,
      },
      {
        ok: true as const,
        path: 'district/a',
        value: prefixNodeHistory(history('a', 1), 'district/'),
        latencyMs: 1,
      },
      {
        ok: false as const,
        path: 'district/c',
        state: 'unreachable' as const,
        latencyMs: 1,
        message: 'down',
      },
    ];
    const merged = mergeNodeHistories(
      results.flatMap((r) => (r.ok ? [r.value] : [])),
      input,
      mergeCoverage(results),
    );
    expect(merged.series.map((s) => [s.nodePath, s.points[0]!.avg])).toEqual([
      ['district/a', 1],
      ['district/b', 2],
    ]);
    expect(merged.coverage).toMatchObject({ asked: 3, answered: 2 });
    expect(merged.coverage.nodes.find((n) => n.path === 'district/c')?.state).toBe('unreachable');
  });
});

import { describe, expect, it } from 'vitest';
import {
  emptyReportFigures,
  mergeDurations,
  mergeReportFigures,
  percentile,
  summarizeReport,
} from './report-figures.ts';
import { REPORT_MAX_DURATIONS, type ReportFigures } from './reports.schemas.ts';

const coverage = (path: string) => ({
  asked: 1,
  answered: 1,
  nodes: [{ path, state: 'ok' as const, latencyMs: 1 }],
});

function node(path: string, observedMs: number, downMs: number, acks: number[]): ReportFigures {
  const figures = emptyReportFigures(0, 100, 10, coverage(path));
  figures.total = { devices: 1, observedMs, downMs };
  figures.groups.kind = [
    { key: 'pump', devices: 1, observedMs, downMs, expectedSamples: 10, receivedSamples: 9 },
  ];
  figures.alerts.acknowledge = { count: acks.length, sumMs: acks.reduce((a, b) => a + b, 0), values: acks };
  return figures;
}

describe('report figures merge', () => {
  it('weights availability by observed time, not by node', () => {
    const merged = mergeReportFigures(
      [node('a', 1000, 100, []), node('b', 9000, 0, [])],
      { from: 0, to: 100, stepMs: 10, deviceLimit: 20 },
      { asked: 2, answered: 2, nodes: [] },
    );
    // The average of the nodes' 90 % and 100 % would be 95 %; the fleet was down 1 % of its time.
    expect(summarizeReport(merged).availability).toBeCloseTo(0.99, 12);
    expect(merged.groups.kind).toEqual([
      { key: 'pump', devices: 2, observedMs: 10_000, downMs: 100, expectedSamples: 20, receivedSamples: 18 },
    ]);
  });

  it('takes the p90 of every duration, not of the nodes’ p90s', () => {
    const merged = mergeReportFigures(
      [node('a', 1, 0, [1, 2, 3, 4, 5, 6, 7, 8, 9]), node('b', 1, 0, [100])],
      { from: 0, to: 100, stepMs: 10, deviceLimit: 20 },
      { asked: 2, answered: 2, nodes: [] },
    );
    expect(summarizeReport(merged).acknowledge).toEqual({ count: 10, meanMs: 14.5, p90Ms: 9 });
  });

  it('gives no p90 rather than a wrong one when the durations outgrow what a report carries', () => {
    const many = Array.from({ length: REPORT_MAX_DURATIONS }, (_, i) => i);
    const merged = mergeDurations([
      { count: many.length, sumMs: 0, values: many },
      { count: 1, sumMs: 0, values: [1] },
    ]);
    expect(merged.values).toBeNull();
    expect(percentile(merged.values, 0.9)).toBeNull();
  });

  it('names the nodes that did not answer', () => {
    const figures = emptyReportFigures(0, 100, 10, {
      asked: 2,
      answered: 1,
      nodes: [
        { path: 'a', state: 'ok', latencyMs: 1 },
        { path: 'b', state: 'timeout', latencyMs: 1500 },
      ],
    });
    expect(summarizeReport(figures).missingNodes).toEqual(['b']);
  });
});

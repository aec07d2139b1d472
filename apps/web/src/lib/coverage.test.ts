import type { Coverage, NodeAnswer } from '@tierscope/shared/domain';
import { describe, expect, it } from 'vitest';
import { combineCoverage, summarizeCoverage } from './coverage.ts';

const ok = (path: string, extra: Partial<NodeAnswer> = {}): NodeAnswer => ({
  path,
  state: 'ok',
  latencyMs: 12,
  ...extra,
});
const failed = (path: string, state: NodeAnswer['state']): NodeAnswer => ({ path, state, latencyMs: 1500 });
const coverageOf = (nodes: NodeAnswer[], asked = nodes.length): Coverage => ({
  asked,
  answered: nodes.filter((n) => n.state === 'ok').length,
  nodes,
});

describe('summarizeCoverage', () => {
  it('reads "N of N nodes" when every node answered', () => {
    const summary = summarizeCoverage(coverageOf([ok('district-1/probe-a'), ok('probe-d')]));
    expect(summary).toEqual({ complete: true, partial: false, label: '2 of 2 nodes', problems: [] });
  });

  it('names the node that timed out, by its own name', () => {
    const nodes = [
      ...Array.from({ length: 39 }, (_, i) => ok(`d/probe-${i}`)),
      failed('d/probe-7x', 'timeout'),
    ];
    const summary = summarizeCoverage(coverageOf(nodes));
    expect(summary.partial).toBe(true);
    expect(summary.label).toBe('39 of 40 nodes; probe-7x timed out');
    expect(summary.problems).toEqual(['d/probe-7x timed out']);
  });

  it('says why each missing node is missing', () => {
    const summary = summarizeCoverage(
      coverageOf([ok('a'), failed('b', 'unreachable'), failed('c', 'error'), failed('d', 'forbidden')]),
    );
    expect(summary.label).toBe('1 of 4 nodes; b unreachable, c failed and 1 more');
    expect(summary.problems).toEqual(['b unreachable', 'c failed', 'd refused access']);
  });

  it('uses the singular for one node', () => {
    expect(summarizeCoverage(coverageOf([ok('probe-a')])).label).toBe('1 of 1 node');
  });

  it('is partial when fewer answered than were asked, even without a named failure', () => {
    const summary = summarizeCoverage({ asked: 3, answered: 2, nodes: [ok('a'), ok('b')] });
    expect(summary.partial).toBe(true);
    expect(summary.label).toBe('2 of 3 nodes');
  });

  it('mentions a cached copy with its age, without calling the answer partial', () => {
    const summary = summarizeCoverage(coverageOf([ok('a'), ok('district-1/probe-c', { ageMs: 12_000 })]));
    expect(summary.partial).toBe(false);
    expect(summary.complete).toBe(false);
    expect(summary.label).toBe('2 of 2 nodes; probe-c: data 12 seconds old');
  });
});

describe('combineCoverage', () => {
  it('counts a node as answered only if it answered every page', () => {
    const first = coverageOf([ok('a'), ok('b')]);
    const second = coverageOf([ok('a'), failed('b', 'timeout')]);
    expect(combineCoverage([first, second])).toEqual({
      asked: 2,
      answered: 1,
      nodes: [ok('a'), failed('b', 'timeout')],
    });
  });

  it('has nothing to say before the first page', () => {
    expect(combineCoverage([])).toBeUndefined();
  });
});

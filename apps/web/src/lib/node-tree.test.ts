import type { NodeChild, NodeInfo } from '@tierscope/shared/schemas';
import { describe, expect, it } from 'vitest';
import {
  coverageOfTree,
  findNode,
  flattenNodeTree,
  leavesOf,
  policyBadgeOf,
  subtreeHasDown,
  subtreeIngestRate,
  subtreeOf,
  subtreeSum,
} from './node-tree.ts';

function info(path: string, overrides: Partial<NodeInfo> = {}): NodeInfo {
  return {
    id: path.slice(path.lastIndexOf('/') + 1),
    name: path,
    path,
    version: '0.1.0',
    startedAt: 0,
    devices: { total: 70, online: 70 },
    ingest: { messagesTotal: 0, samplesTotal: 0, samplesPerSec: 100, queueDepth: 0, deadLettersTotal: 0 },
    broker: { connected: true, embedded: true, url: 'mqtt://127.0.0.1:1884' },
    database: { reachable: true, driver: 'pglite' },
    ...overrides,
  };
}

const child = (
  path: string,
  state: NodeChild['state'],
  ageMs: number | null,
  node: NodeInfo | null,
): NodeChild => ({
  path,
  state,
  lastHeartbeatAt: ageMs === null ? null : 1_000_000 - ageMs,
  ageMs,
  info: node,
});

function fleet(
  options: {
    districtState?: NodeChild['state'];
    districtAgeMs?: number;
    probeCState?: NodeChild['state'];
  } = {},
) {
  const district = info('district-1', {
    children: [
      child('district-1/probe-b', 'up', 800, info('district-1/probe-b')),
      child('district-1/probe-a', 'up', 500, info('district-1/probe-a')),
      child('district-1/probe-c', options.probeCState ?? 'up', 1_000, info('district-1/probe-c')),
    ],
  });
  return info('bff', {
    name: 'Tierscope',
    ingest: { messagesTotal: 0, samplesTotal: 0, samplesPerSec: 0, queueDepth: 0, deadLettersTotal: 0 },
    children: [
      child('probe-d', 'up', 300, info('probe-d')),
      child('district-1', options.districtState ?? 'up', options.districtAgeMs ?? 1_200, district),
    ],
  });
}

describe('flattenNodeTree', () => {
  it('lists the root first, then each subtree depth-first in path order', () => {
    const rows = flattenNodeTree(fleet());
    expect(rows.map((r) => [r.path, r.depth])).toEqual([
      ['', 0],
      ['district-1', 1],
      ['district-1/probe-a', 2],
      ['district-1/probe-b', 2],
      ['district-1/probe-c', 2],
      ['probe-d', 1],
    ]);
    expect(rows.every((r) => r.status === 'live')).toBe(true);
  });

  it("adds a parent's age to its children's: a copy of a copy is as old as both", () => {
    const rows = flattenNodeTree(fleet());
    expect(findNode(rows, 'district-1/probe-a')?.ageMs).toBe(1_700);
  });

  it('marks a node that missed its heartbeats down, keeping its last-known info', () => {
    const probeC = findNode(flattenNodeTree(fleet({ probeCState: 'down' })), 'district-1/probe-c');
    expect(probeC).toMatchObject({ status: 'down', reason: 'missed heartbeats', ageMs: 2_200 });
    expect(probeC?.info?.devices.total).toBe(70);
  });

  it('shows the children of a down node as stale, via their parent', () => {
    const rows = flattenNodeTree(fleet({ districtState: 'down', districtAgeMs: 40_000 }));
    expect(findNode(rows, 'district-1')?.status).toBe('down');
    expect(findNode(rows, 'district-1/probe-a')).toMatchObject({
      status: 'stale',
      reason: 'via district-1, which is down',
      ageMs: 40_500,
    });
  });

  it('marks info that has not been refreshed for a while stale', () => {
    const rows = flattenNodeTree(fleet({ districtAgeMs: 20_000 }));
    expect(findNode(rows, 'district-1')).toMatchObject({ status: 'stale', reason: 'info not refreshed' });
  });

  it('reports a child that never answered as down with no age', () => {
    const root = info('bff', { children: [child('probe-x', 'down', null, null)] });
    expect(findNode(flattenNodeTree(root), 'probe-x')).toMatchObject({
      status: 'down',
      ageMs: null,
      reason: 'has not answered yet',
      info: null,
    });
  });
});

describe('subtrees', () => {
  const rows = flattenNodeTree(fleet());

  it('takes a node and what is under it', () => {
    expect(subtreeOf(rows, 'district-1').map((r) => r.path)).toEqual([
      'district-1',
      'district-1/probe-a',
      'district-1/probe-b',
      'district-1/probe-c',
    ]);
    expect(subtreeOf(rows, '')).toHaveLength(6);
  });

  it('sums ingest over a subtree', () => {
    expect(subtreeIngestRate(rows, 'district-1')).toBe(400);
    expect(subtreeIngestRate(rows, '')).toBe(500);
  });

  it("leaves a down node's last-known figures out of sums, which become lower bounds", () => {
    const partial = flattenNodeTree(fleet({ probeCState: 'down' }));
    expect(subtreeIngestRate(partial, 'district-1')).toBe(300);
    expect(subtreeSum(partial, '', (info) => info.devices.total)).toBe(70 * 3 + 70 + 70);
    expect(subtreeHasDown(partial, 'district-1')).toBe(true);
    expect(subtreeHasDown(partial, 'probe-d')).toBe(false);
  });

  it('finds the leaves: the nodes that hold devices', () => {
    expect(leavesOf(rows).map((r) => r.path)).toEqual([
      'district-1/probe-a',
      'district-1/probe-b',
      'district-1/probe-c',
      'probe-d',
    ]);
  });
});

describe('coverageOfTree', () => {
  it('reads a down node as unreachable and a stale one as an old copy', () => {
    const rows = flattenNodeTree(fleet({ probeCState: 'down', districtAgeMs: 20_000 }));
    const coverage = coverageOfTree(rows);
    expect(coverage).toMatchObject({ asked: 5, answered: 4 });
    expect(coverage.nodes.find((n) => n.path === 'district-1/probe-c')).toMatchObject({
      state: 'unreachable',
    });
    expect(coverage.nodes.find((n) => n.path === 'district-1')).toMatchObject({ state: 'ok', ageMs: 20_000 });
    expect(coverage.nodes.find((n) => n.path === 'probe-d')).not.toHaveProperty('ageMs');
  });

  it('covers only the subtree asked about', () => {
    expect(coverageOfTree(flattenNodeTree(fleet()), 'district-1/probe-a')).toMatchObject({
      asked: 1,
      answered: 1,
    });
  });
});

describe('policyBadgeOf', () => {
  const hash = `sha256:${'0'.repeat(64)}`;
  const policy = (rejection: NonNullable<NodeInfo['policy']>['rejection']): NodeInfo['policy'] => ({
    desiredHash: hash,
    applied: [
      { author: 'bff', version: 3, hash },
      { author: 'district-1', version: 2, hash },
    ],
    appliedAt: 1_000,
    rejection,
  });

  it('shows the versions a node runs, by author', () => {
    expect(policyBadgeOf(info('district-1/probe-a', { policy: policy(null) }))).toEqual({
      kind: 'applied',
      text: 'bff v3 · district-1 v2',
    });
  });

  it('shows a standing rejection with whose version it refused and why', () => {
    const rejection = { author: 'bff', version: 4, reason: 'metric tmep is not declared', at: 2_000 };
    expect(policyBadgeOf(info('district-1/probe-a', { policy: policy(rejection) }))).toEqual({
      kind: 'rejected',
      text: 'rejected',
      reason: 'bff v4: metric tmep is not declared',
    });
  });

  it('shows nothing for a node without policy', () => {
    expect(policyBadgeOf(info('district-1/probe-a'))).toBeNull();
    expect(policyBadgeOf(null)).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import {
  countCommandJob,
  decodeDeviceCursor,
  decodeEventCursor,
  selfCoverage,
  type CommandCatalog,
  type CommandJob,
  type CommandJobItem,
  type Coverage,
  type Device,
  type DeviceEvent,
  type NodeInfo,
  type RulePreview,
} from '@tierscope/shared';
import {
  kWayMerge,
  mergeCommandCatalogs,
  mergeCommandJobs,
  mergeCoverage,
  mergeNodeInfo,
  mergeRulePreviews,
  prefixCommandJob,
  prefixNodeInfo,
  prefixRulePreview,
  prefixPage,
  sumCounts,
  type MemberResult,
  type Page,
} from './merge.ts';
import { listRules, mergeListPages } from './federated-lists.ts';

function device(nodePath: string, name: string, id: string): Device {
  return {
    id,
    nodePath,
    name,
    kind: '',
    site: '',
    labels: {},
    status: 'online',
    firstSeen: 0,
    lastSeen: null,
    latest: {},
  };
}

function event(nodePath: string, ts: number, id: string): DeviceEvent {
  return { id, nodePath, deviceId: 'd', ts, type: 't', severity: 'info', message: '', attrs: {} };
}

function ok<T>(
  path: string,
  items: T[],
  nextCursor: string | null = null,
  coverage: Coverage = selfCoverage(path, 3),
): MemberResult<Page<T>> {
  return { ok: true, path, latencyMs: 3, value: { items, nextCursor, coverage } };
}

const timedOut: MemberResult<never> = {
  ok: false,
  path: 'slow',
  state: 'timeout',
  latencyMs: 1500,
  message: 'no answer within 1500 ms',
};

describe('devices.list merge', () => {
  it('takes exactly limit items in (name, path, id) order across children', () => {
    const page = mergeListPages(
      listRules.devices,
      [
        ok('a', [device('a', 'm', '2'), device('a', 'z', '1')], 'more'),
        ok('b', [device('b', 'a', '9'), device('b', 'm', '1')]),
      ],
      3,
    );
    expect(page.items.map((d) => `${d.name}:${d.nodePath}:${d.id}`)).toEqual(['a:b:9', 'm:a:2', 'm:b:1']);
    expect(decodeDeviceCursor(page.nextCursor!)).toEqual({ kind: 'after', name: 'm', path: 'b', id: '1' });
  });

  it('returns nextCursor null when no child has more and nothing was left over', () => {
    const page = mergeListPages(
      listRules.devices,
      [ok('a', [device('a', 'x', '1')]), ok('b', [device('b', 'y', '1')])],
      2,
    );
    expect(page.nextCursor).toBeNull();
  });

  it('returns a cursor when a child has more even though every returned item was taken', () => {
    const page = mergeListPages(
      listRules.devices,
      [ok('a', [device('a', 'x', '1')], 'more'), ok('b', [])],
      5,
    );
    expect(page.items).toHaveLength(1);
    expect(page.nextCursor).not.toBeNull();
  });

  it('returns a cursor when items were left over, though every child said it had no more', () => {
    const page = mergeListPages(
      listRules.devices,
      [ok('a', [device('a', 'x', '1'), device('a', 'y', '1')]), ok('b', [device('b', 'x', '1')])],
      2,
    );
    expect(page.nextCursor).not.toBeNull();
  });

  it('names the timed-out child in coverage and returns the rest', () => {
    const page = mergeListPages(listRules.devices, [ok('a', [device('a', 'x', '1')]), timedOut], 10);
    expect(page.items).toHaveLength(1);
    expect(page.coverage).toEqual({
      asked: 2,
      answered: 1,
      nodes: [
        { path: 'a', state: 'ok', latencyMs: 3 },
        { path: 'slow', state: 'timeout', latencyMs: 1500, message: 'no answer within 1500 ms' },
      ],
    });
  });

  it('sorts a child page that arrived out of order rather than trusting it', () => {
    const page = mergeListPages(
      listRules.devices,
      [ok('a', [device('a', 'z', '1'), device('a', 'b', '1')])],
      10,
    );
    expect(page.items.map((d) => d.name)).toEqual(['b', 'z']);
  });

  it('names a child that sent a broken item it takes as error, and merges the page without that child', () => {
    const broken = { ...device('b', 'm', '1'), status: 'exploded' };
    const page = mergeListPages(
      listRules.devices,
      [ok('a', [device('a', 'a', '1'), device('a', 'z', '1')]), ok('b', [device('b', 'b', '1'), broken])],
      3,
    );
    expect(page.items.map((d) => `${d.name}:${d.nodePath}`)).toEqual(['a:a', 'z:a']);
    expect(page.coverage.answered).toBe(1);
    expect(page.coverage.nodes[1]).toMatchObject({ path: 'b', state: 'error' });
    expect(page.coverage.nodes[1]!.message).toMatch(/^answered an item that breaks the contract: /);
  });

  it('checks only the items it takes, and answers them as the contract has them', () => {
    const withExtra = { ...device('a', 'a', '1'), addedInANewerVersion: true };
    const brokenBeyondThePage = { ...device('a', 'z', '1'), status: 'exploded' };
    const page = mergeListPages(listRules.devices, [ok('a', [withExtra, brokenBeyondThePage], 'more')], 1);
    expect(page.items).toEqual([device('a', 'a', '1')]);
    expect(page.coverage.answered).toBe(1);
  });
});

describe('events.search merge', () => {
  it('is the global top-N by time, newest first, ties by path then id', () => {
    const page = mergeListPages(
      listRules.events,
      [
        ok('a', [event('a', 50, '1'), event('a', 30, '2'), event('a', 10, '3')], 'more'),
        ok('b', [event('b', 50, '0'), event('b', 40, '1')]),
        ok('c', [event('c', 60, '7')]),
      ],
      4,
    );
    expect(page.items.map((e) => `${e.ts}:${e.nodePath}:${e.id}`)).toEqual([
      '60:c:7',
      '50:a:1',
      '50:b:0',
      '40:b:1',
    ]);
    expect(decodeEventCursor(page.nextCursor!)).toEqual({ kind: 'after', ts: 40, path: 'b', id: '1' });
  });
});

describe('coverage and counts', () => {
  it("flattens a federating child's coverage with its paths prefixed and sums asked and answered", () => {
    const nested: Coverage = {
      asked: 2,
      answered: 1,
      nodes: [
        { path: 'p1', state: 'ok', latencyMs: 4 },
        { path: 'p2', state: 'unreachable', latencyMs: 0 },
      ],
    };
    const district = prefixPage({ items: [] as Device[], nextCursor: null, coverage: nested }, 'd1/');
    const coverage = mergeCoverage([ok('d1', [], null, district.coverage), ok('p9', [])]);
    expect(coverage.asked).toBe(3);
    expect(coverage.answered).toBe(2);
    expect(coverage.nodes.map((n) => `${n.path}=${n.state}`)).toEqual([
      'd1/p1=ok',
      'd1/p2=unreachable',
      'p9=ok',
    ]);
  });

  it('marks a sum as a lower bound when a member did not answer', () => {
    const results: MemberResult<number>[] = [
      { ok: true, path: 'a', value: 3, latencyMs: 1 },
      { ok: true, path: 'b', value: 4, latencyMs: 1 },
    ];
    expect(sumCounts(results, (n) => n)).toEqual({ total: 7, lowerBound: false });
    expect(sumCounts([...results, timedOut], (n) => n)).toEqual({ total: 7, lowerBound: true });
  });
});

describe('kWayMerge', () => {
  it('merges sorted lists and stops at the limit', () => {
    const byNumber = (a: number, b: number) => a - b;
    expect(kWayMerge([[1, 4, 7], [2, 5], [], [0, 3, 6, 9]], byNumber, 6)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(kWayMerge([[1], [2]], byNumber, 10)).toEqual([1, 2]);
  });
});

describe('node info tree', () => {
  const base: NodeInfo = {
    id: 'd1',
    name: 'district',
    path: 'd1',
    version: '1',
    startedAt: 0,
    devices: { total: 2, online: 1 },
    ingest: { messagesTotal: 0, samplesTotal: 0, samplesPerSec: 0, queueDepth: 0, deadLettersTotal: 0 },
    broker: { connected: true, embedded: true, url: '' },
    database: { reachable: true, driver: 'pglite' },
  };
  const probe: NodeInfo = { ...base, id: 'p1', path: 'p1', devices: { total: 10, online: 7 } };

  it('sums devices over the children that are up and marks the total a lower bound when one is down', () => {
    const info = mergeNodeInfo(base, [
      { path: 'd1/p1', state: 'up', lastHeartbeatAt: 1, ageMs: 5, info: probe },
      { path: 'd1/p2', state: 'down', lastHeartbeatAt: 1, ageMs: 3000, info: probe },
    ]);
    expect(info.devices).toEqual({ total: 12, online: 8, lowerBound: true });
    expect(info.children?.map((c) => c.state)).toEqual(['up', 'down']);
  });

  it('prefixes every path of a nested info tree', () => {
    const nested = mergeNodeInfo(base, [
      { path: 'd1/p1', state: 'up', lastHeartbeatAt: 1, ageMs: 0, info: probe },
    ]);
    const seen = prefixNodeInfo(nested, 'r/');
    expect(seen.path).toBe('r/d1');
    expect(seen.children?.[0]?.path).toBe('r/d1/p1');
  });
});

describe('rules.preview merge', () => {
  /** A node's preview: `fires` maps device → times it fired (resolved a minute after each). */
  function preview(path: string, fires: Record<string, number[]>, timelineLimit = Infinity): RulePreview {
    const timeline = Object.entries(fires)
      .flatMap(([deviceId, times]) =>
        times.flatMap((at) => [
          { at, kind: 'fired' as const, nodePath: path, deviceId, value: 51 },
          { at: at + 60_000, kind: 'resolved' as const, nodePath: path, deviceId, value: null },
        ]),
      )
      .sort((a, b) => a.at - b.at);
    const count = timeline.filter((t) => t.kind === 'fired').length;
    return {
      fired: count,
      flapping: 0,
      resolved: count,
      devices: Object.entries(fires)
        .map(([deviceId, times]) => ({ nodePath: path, deviceId, fired: times.length }))
        .sort((a, b) => b.fired - a.fired),
      timeline: timeline.slice(0, timelineLimit),
      timelineComplete: timeline.length <= timelineLimit,
      replayed: { samples: 100, events: 2 },
      coverage: selfCoverage(path, 5),
    };
  }
  const answered = (path: string, value: RulePreview): MemberResult<RulePreview> => ({
    ok: true,
    path,
    latencyMs: 5,
    value,
  });

  it('sums the counts, ranks devices across nodes and interleaves the timelines by time, naming a silent node', () => {
    const merged = mergeRulePreviews([
      answered(
        'district-1/probe-a',
        prefixRulePreview(preview('probe-a', { b1: [1000, 500_000] }), 'district-1/'),
      ),
      answered('probe-d', preview('probe-d', { b1: [2000], b2: [3000, 4000, 900_000] })),
      timedOut,
    ]);
    expect(merged).toMatchObject({ fired: 6, resolved: 6, replayed: { samples: 200, events: 4 } });
    expect(merged.devices).toEqual([
      { nodePath: 'probe-d', deviceId: 'b2', fired: 3 },
      { nodePath: 'district-1/probe-a', deviceId: 'b1', fired: 2 },
      { nodePath: 'probe-d', deviceId: 'b1', fired: 1 },
    ]);
    expect(merged.timeline.slice(0, 4).map((t) => `${t.at} ${t.kind} ${t.nodePath} ${t.deviceId}`)).toEqual([
      '1000 fired district-1/probe-a b1',
      '2000 fired probe-d b1',
      '3000 fired probe-d b2',
      '4000 fired probe-d b2',
    ]);
    expect(merged.coverage).toMatchObject({ asked: 3, answered: 2 });
    expect(merged.coverage.nodes.find((n) => n.path === 'slow')?.state).toBe('timeout');
  });

  it('says the timeline is incomplete when a node cut its own or the merge had to', () => {
    const cut = mergeRulePreviews([answered('a', preview('a', { d: [1000, 2000, 3000] }, 2))]);
    expect(cut.timelineComplete).toBe(false);
    const whole = mergeRulePreviews([answered('a', preview('a', { d: [1000] }))]);
    expect(whole.timelineComplete).toBe(true);
  });
});

describe('bulk command job merge', () => {
  const item = (nodePath: string, deviceId: string, state: CommandJobItem['state']): CommandJobItem => ({
    nodePath,
    deviceId,
    commandId: `${nodePath}-${deviceId}`,
    state,
    error: null,
  });
  const job = (path: string, items: CommandJobItem[]): CommandJob => ({
    jobId: 'job-00000001',
    counts: countCommandJob(items),
    items,
    refused: [{ nodePath: path, deviceId: 'gw', message: 'takes no command "x"' }],
    rosters: [],
    coverage: selfCoverage(path, 2),
  });

  it("puts the members in this tier's paths, recounts the states and names the silent member", () => {
    const a = prefixCommandJob(job('a', [item('a', 'd2', 'sent'), item('a', 'd1', 'succeeded')]), 'd1/');
    const b = job('b', [item('b', 'd1', 'failed')]);
    const merged = mergeCommandJobs('job-00000001', [
      { ok: true, path: 'd1/a', latencyMs: 2, value: a },
      { ok: true, path: 'b', latencyMs: 2, value: b },
      timedOut,
    ]);
    expect(merged.items.map((i) => `${i.nodePath}/${i.deviceId}`)).toEqual(['b/d1', 'd1/a/d1', 'd1/a/d2']);
    expect(merged.refused.map((r) => r.nodePath)).toEqual(['b', 'd1/a']);
    expect(merged.counts).toMatchObject({
      total: 3,
      byState: { succeeded: 1, sent: 1, failed: 1, queued: 0 },
    });
    expect(merged.coverage).toMatchObject({ asked: 3, answered: 2 });
    expect(merged.coverage.nodes.find((n) => n.path === 'slow')?.state).toBe('timeout');
  });

  it("counts a silent member's last known devices as unreachable and names every roster", () => {
    const a = job('a', [item('a', 'd1', 'succeeded')]);
    const nested = {
      ...job('d', [item('d/x', 'd1', 'sent')]),
      rosters: [{ nodePath: 'd/y', lastKnownAt: null }],
    };
    const merged = mergeCommandJobs(
      'job-00000001',
      [
        { ok: true, path: 'a', latencyMs: 2, value: a },
        { ok: true, path: 'd', latencyMs: 2, value: nested },
        timedOut,
      ],
      [
        {
          items: [{ ...item('slow', 'd9', 'unreachable'), commandId: null, error: 'slow did not answer' }],
          roster: { nodePath: 'slow', lastKnownAt: 1_000 },
        },
      ],
    );
    expect(merged.items.map((i) => `${i.nodePath}/${i.deviceId}:${i.state}`)).toEqual([
      'a/d1:succeeded',
      'd/x/d1:sent',
      'slow/d9:unreachable',
    ]);
    expect(merged.counts.total).toBe(3);
    expect(merged.counts.byState).toMatchObject({ succeeded: 1, sent: 1, unreachable: 1 });
    expect(Object.values(merged.counts.byState).reduce((sum, n) => sum + n, 0)).toBe(merged.counts.total);
    expect(merged.rosters).toEqual([
      { nodePath: 'slow', lastKnownAt: 1_000 },
      { nodePath: 'd/y', lastKnownAt: null },
    ]);
  });
});

describe('mergeCommandCatalogs', () => {
  const declaration = (description: string) => ({
    description,
    params: { type: 'object' as const, properties: {}, required: [], additionalProperties: false },
  });
  const catalog = (path: string, commands: CommandCatalog['commands']): MemberResult<CommandCatalog> => ({
    ok: true,
    path,
    latencyMs: 1,
    value: { commands, coverage: selfCoverage(path, 1) },
  });

  it("joins the members' kinds and commands, keeps the first member's declaration of a command, and names the silent member", () => {
    const merged = mergeCommandCatalogs([
      catalog('a', { pump: { reboot: declaration('from a') } }),
      catalog('b', { pump: { reboot: declaration('from b'), stop: declaration('stop') }, meter: {} }),
      timedOut,
    ]);
    expect(Object.keys(merged.commands).sort()).toEqual(['meter', 'pump']);
    expect(merged.commands.pump?.reboot?.description).toBe('from a');
    expect(Object.keys(merged.commands.pump ?? {}).sort()).toEqual(['reboot', 'stop']);
    expect(merged.coverage).toMatchObject({ asked: 3, answered: 2 });
  });
});

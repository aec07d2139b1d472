import { describe, expect, it } from 'vitest';
import { CommandSelector } from '@tierscope/shared';
import { ChildRosters, memoryJobSelectorStore } from './child-rosters.ts';
import { createFederatedNodeService } from './federated-node-service.ts';
import { createHeartbeat } from '../links/heartbeat.ts';
import { remoteOfClient } from './node-calls.ts';
import { createInMemoryNodeService, generateDevices } from '../testing/in-memory-node-service.ts';
import { createInProcessChildLink } from '../testing/in-process-link.ts';
import { memoryChildRosterStore } from '../testing/memory-roster-store.ts';
import type { Clock } from './clock.ts';

const SYNCED_AT = 1_800_000_000_000;
const fixedClock: Clock = {
  now: () => SYNCED_AT,
  setTimeout: () => undefined,
  clearTimeout: () => undefined,
};

/** A probe `c` with `count` devices (more than a roster page), its gateway labelled. */
function probe(count: number) {
  const devices = generateDevices('c', count, 7).map((device, i) =>
    i === 0 ? { ...device, kind: 'gateway', labels: { role: 'edge' } } : device,
  );
  const { service, controls } = createInMemoryNodeService('c', { devices, events: [] });
  const link = createInProcessChildLink('c', service);
  return { devices, controls, link, calls: remoteOfClient(link.client) };
}

const child = { id: 'c', path: 'district-1/c', prefix: 'district-1/' };

describe('ChildRosters', () => {
  it("keeps a child's devices across pages and a restart, and selects from them as a bulk command does", async () => {
    const c = probe(1_234);
    const store = memoryChildRosterStore();
    await new ChildRosters(store, fixedClock).sync('c', c.calls);
    expect(store.saves).toBe(1);

    const restarted = new ChildRosters(store, fixedClock);
    await restarted.load();
    const all = restarted.unreachableItems(child, CommandSelector.parse({}), 'unreachable');
    expect(all.roster).toEqual({ nodePath: 'district-1/c', lastKnownAt: SYNCED_AT });
    expect(all.items.map((item) => item.deviceId).sort()).toEqual(c.devices.map((d) => d.id).sort());
    expect(new Set(all.items.map((item) => item.nodePath))).toEqual(new Set(['district-1/c']));
    expect(all.items[0]).toMatchObject({ state: 'unreachable', commandId: null });
    expect(all.items[0]?.error).toBe(
      `district-1/c did not answer (unreachable); device last known at ${new Date(SYNCED_AT).toISOString()}`,
    );

    const site = c.devices[5]!.site;
    const picked = (selector: object) =>
      restarted
        .unreachableItems(child, CommandSelector.parse(selector), 'timeout')
        .items.map((item) => item.deviceId)
        .sort();
    expect(picked({ kind: 'gateway', label: 'role=edge' })).toEqual([c.devices[0]!.id]);
    expect(picked({ site, status: 'offline' })).toEqual(
      c.devices
        .filter((d) => d.site === site && d.status === 'offline')
        .map((d) => d.id)
        .sort(),
    );
    expect(picked({ deviceIds: [c.devices[3]!.id, 'not-there'] })).toEqual([c.devices[3]!.id]);
    expect(picked({ nodePath: 'district-1/elsewhere' })).toEqual([]);
  });

  it('names a child it never read with no time, and keeps the last roster when a read fails', async () => {
    const c = probe(3);
    const rosters = new ChildRosters(undefined, fixedClock);
    expect(rosters.unreachableItems(child, CommandSelector.parse({}), 'unreachable')).toEqual({
      items: [],
      roster: { nodePath: 'district-1/c', lastKnownAt: null },
    });
    await rosters.sync('c', c.calls);
    c.controls.failWith = new Error('gone');
    await expect(rosters.sync('c', c.calls)).rejects.toThrow();
    expect(rosters.unreachableItems(child, CommandSelector.parse({}), 'unreachable').items).toHaveLength(3);
  });
});

describe('a federating tier with rosters', () => {
  it("answers a bulk command and its job read-back with a silent child's last known devices as unreachable", async () => {
    const c = probe(5);
    const rosters = new ChildRosters(undefined, fixedClock);
    await rosters.sync('c', c.calls);
    c.controls.failWith = new Error('probe stopped');
    const tier = createFederatedNodeService({
      id: 'district-1',
      isRoot: false,
      children: [c.link],
      heartbeat: createHeartbeat([c.link], { downAfterMs: 60_000 }),
      rosters,
      jobSelectors: memoryJobSelectorStore(),
    });
    const actor = { kind: 'user' as const, name: 'op', role: 'operator' as const };
    const input = { jobId: 'job-00000001', name: 'identify', selector: { site: c.devices[1]!.site } };
    const sent = await tier.devices.commandMany(
      {
        ...input,
        params: {},
        timeoutMs: 10_000,
        ttlMs: 300_000,
        ratePerSecond: 100,
        selector: CommandSelector.parse(input.selector),
      },
      actor,
    );
    const expected = c.devices
      .filter((d) => d.site === c.devices[1]!.site)
      .map((d) => d.id)
      .sort();
    for (const job of [sent, await tier.devices.commandJob({ jobId: 'job-00000001' })]) {
      expect(job.items.map((item) => item.deviceId)).toEqual(expected);
      expect(job.counts.total).toBe(expected.length);
      expect(job.counts.byState.unreachable).toBe(expected.length);
      expect(job.rosters).toEqual([{ nodePath: 'district-1/c', lastKnownAt: SYNCED_AT }]);
      expect(job.coverage.nodes.map((node) => [node.path, node.state])).toEqual([['district-1/c', 'error']]);
    }
    // A job this tier did not take has no selector here: the silent child's devices are unknown.
    const foreign = await tier.devices.commandJob({ jobId: 'job-00000002' });
    expect(foreign.items).toEqual([]);
    expect(foreign.rosters).toEqual([{ nodePath: 'district-1/c', lastKnownAt: null }]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  compareDeviceKeys,
  compareEventKeys,
  deviceKeyOf,
  eventKeyOf,
  type Device,
  type DeviceEvent,
} from '@tierscope/shared';
import { createHttpChildLink, type ChildLink } from './links/child-link.ts';
import { createFederatedNodeService } from './query/federated-node-service.ts';
import { createHeartbeat, type Heartbeat } from './links/heartbeat.ts';
import {
  createInMemoryNodeService,
  generateDevices,
  generateEvents,
  type LeafControls,
} from './testing/in-memory-node-service.ts';
import { serveNode, type ServedNode } from './testing/serve-node.ts';

/*
 * Three tiers of real HTTP servers, each serving the node contract:
 *
 *   root (bff, in-process) ─┬─ district-1 (HTTP, federating) ─┬─ probe-a (HTTP)
 *                           │                                  └─ probe-b (HTTP)
 *                           ├─ probe-c (HTTP)
 *                           └─ probe-d (HTTP)
 */
const ROOT_DEADLINE_MS = 1500;
const DISTRICT_DEADLINE_MS = 1000;

/**
 * Wall-clock checks here only prove that nothing waits on a dead or stalled child; on a shared
 * 2-core machine a tight bound would flake. The deadline and heartbeat logic is unit-tested with
 * fake timers, and `npm run bench -- federation` measures the real figures (stalled p95 vs deadline).
 */
const SCHEDULING_SLACK_MS = 1000;
const DEVICES_PER_PROBE = 260;
const EVENTS_PER_PROBE = 400;

interface Probe {
  id: string;
  /** Path as the root returns it. */
  path: string;
  devices: Device[];
  events: DeviceEvent[];
  controls: LeafControls;
  server: ServedNode;
}

const probes: Probe[] = [];
const heartbeats: Heartbeat[] = [];
let district: ServedNode;
let root: ReturnType<typeof createFederatedNodeService>;
let rootHeartbeat: Heartbeat;

function link(id: string, server: ServedNode): ChildLink {
  return createHttpChildLink({ id, url: server.url, token: () => undefined });
}

beforeAll(async () => {
  const layout = [
    { id: 'probe-a', path: 'district-1/probe-a' },
    { id: 'probe-b', path: 'district-1/probe-b' },
    { id: 'probe-c', path: 'probe-c' },
    { id: 'probe-d', path: 'probe-d' },
  ];
  for (const [i, { id, path }] of layout.entries()) {
    const devices = generateDevices(id, DEVICES_PER_PROBE, i + 1);
    const events = generateEvents(id, EVENTS_PER_PROBE, i + 1);
    const { service, controls } = createInMemoryNodeService(id, { devices, events });
    probes.push({ id, path, devices, events, controls, server: await serveNode(service) });
  }
  const [a, b, c, d] = probes as [Probe, Probe, Probe, Probe];
  const districtChildren = [link(a.id, a.server), link(b.id, b.server)];
  const districtHeartbeat = createHeartbeat(districtChildren);
  heartbeats.push(districtHeartbeat);
  district = await serveNode(
    createFederatedNodeService({
      id: 'district-1',
      isRoot: false,
      children: districtChildren,
      heartbeat: districtHeartbeat,
      deadlineMs: DISTRICT_DEADLINE_MS,
    }),
  );
  const rootChildren = [link('district-1', district), link(c.id, c.server), link(d.id, d.server)];
  rootHeartbeat = createHeartbeat(rootChildren);
  heartbeats.push(rootHeartbeat);
  root = createFederatedNodeService({
    id: 'bff',
    isRoot: true,
    children: rootChildren,
    heartbeat: rootHeartbeat,
    deadlineMs: ROOT_DEADLINE_MS,
  });
  // One round bottom-up first, so the root's first copy of the district's info already holds the probes'.
  await districtHeartbeat.beat();
  await rootHeartbeat.beat();
  for (const heartbeat of heartbeats) heartbeat.start();
});

afterAll(async () => {
  for (const heartbeat of heartbeats) heartbeat.stop();
  for (const probe of probes) probe.controls.release();
  await Promise.all([district?.close(), ...probes.map((p) => p.server.close())]);
});

/** Ends a stall and lets the heartbeats see the probe answer again before the next test. */
async function recover(probe: Probe): Promise<void> {
  probe.controls.release();
  for (const heartbeat of heartbeats) await heartbeat.beat();
}

const allDevices = () =>
  probes
    .flatMap((p) => p.devices.map((d) => ({ ...d, nodePath: p.path })))
    .sort((x, y) => compareDeviceKeys(deviceKeyOf(x), deviceKeyOf(y)));
const allEvents = () =>
  probes
    .flatMap((p) => p.events.map((e) => ({ ...e, nodePath: p.path })))
    .sort((x, y) => compareEventKeys(eventKeyOf(x), eventKeyOf(y)));

describe('federation over three tiers of HTTP servers', () => {
  it('pages devices.list by 37 over 1,040 devices on 4 probes, each exactly once, in (name, path, id) order', async () => {
    const expected = allDevices();
    expect(expected.length).toBeGreaterThanOrEqual(1000);
    const seen: Device[] = [];
    let cursor: string | undefined;
    do {
      const page = await root.devices.list({ limit: 37, cursor });
      expect(page.coverage).toMatchObject({ asked: 4, answered: 4 });
      if (page.nextCursor) expect(page.items).toHaveLength(37);
      seen.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen.map((d) => `${d.nodePath}:${d.id}`)).toEqual(expected.map((d) => `${d.nodePath}:${d.id}`));
    expect(new Set(seen.map((d) => `${d.nodePath}:${d.id}`)).size).toBe(expected.length);
  });

  it("answers events.search with the top-N of every probe's events merged by hand", async () => {
    const expected = allEvents();
    const page = await root.events.search({ limit: 200 });
    expect(page.items.map((e) => `${e.nodePath}:${e.id}`)).toEqual(
      expected.slice(0, 200).map((e) => `${e.nodePath}:${e.id}`),
    );
    const next = await root.events.search({ limit: 200, cursor: page.nextCursor! });
    expect(next.items.map((e) => `${e.nodePath}:${e.id}`)).toEqual(
      expected.slice(200, 400).map((e) => `${e.nodePath}:${e.id}`),
    );
  });

  it("serves node.info as a tree down to the probes, paths in the root's space", async () => {
    const info = await root.node.info();
    const districtChild = info.children?.find((c) => c.path === 'district-1');
    expect(districtChild?.info?.children?.map((c) => c.path)).toEqual([
      'district-1/probe-a',
      'district-1/probe-b',
    ]);
    expect(info.devices).toMatchObject({ total: 4 * DEVICES_PER_PROBE, lowerBound: false });
  });

  it('routes devices.get through the district to the owning probe', async () => {
    const wanted = probes[1]!.devices[3]!;
    expect(await root.devices.get({ nodePath: 'district-1/probe-b', deviceId: wanted.id })).toMatchObject({
      id: wanted.id,
      nodePath: 'district-1/probe-b',
    });
  });

  it('names a stalled probe timeout and answers at its deadline with everyone else', async () => {
    const stalled = probes[2]!; // probe-c, straight under the root
    stalled.controls.stalled = true;
    try {
      const started = performance.now();
      const page = await root.devices.list({ limit: 100 });
      const elapsed = performance.now() - started;
      expect(elapsed).toBeLessThan(ROOT_DEADLINE_MS + SCHEDULING_SLACK_MS);
      expect(page.coverage.nodes.find((n) => n.path === 'probe-c')).toMatchObject({ state: 'timeout' });
      expect(page.coverage).toMatchObject({ asked: 4, answered: 3 });
      expect(page.items.some((d) => d.nodePath === 'probe-c')).toBe(false);
    } finally {
      await recover(stalled);
    }
  });

  it('names a stalled probe under the district by its full path, the district answering for it in time', async () => {
    const stalled = probes[0]!; // district-1/probe-a
    stalled.controls.stalled = true;
    try {
      const started = performance.now();
      const page = await root.events.search({ limit: 50 });
      expect(performance.now() - started).toBeLessThan(DISTRICT_DEADLINE_MS + SCHEDULING_SLACK_MS);
      expect(page.coverage.nodes.find((n) => n.path === 'district-1/probe-a')).toMatchObject({
        state: 'timeout',
      });
      expect(page.coverage).toMatchObject({ asked: 4, answered: 3 });
    } finally {
      await recover(stalled);
    }
  });

  it('names a closed probe unreachable at once, and the heartbeat marks it down after its missed beats', async () => {
    const killed = probes[3]!; // probe-d
    await killed.server.close();
    const killedAt = performance.now();
    const page = await root.devices.list({ limit: 50 });
    expect(performance.now() - killedAt).toBeLessThan(ROOT_DEADLINE_MS + SCHEDULING_SLACK_MS);
    expect(page.coverage.nodes.find((n) => n.path === 'probe-d')).toMatchObject({ state: 'unreachable' });
    expect(page.items.length).toBe(50);

    while (!rootHeartbeat.isDown('probe-d') && performance.now() - killedAt < 10_000)
      await new Promise((r) => setTimeout(r, 50));
    expect(performance.now() - killedAt).toBeLessThan(3000 + SCHEDULING_SLACK_MS);
    const info = await root.node.info();
    expect(info.children?.find((c) => c.path === 'probe-d')).toMatchObject({
      state: 'down',
      info: { id: 'probe-d' },
    });
    expect(info.devices.lowerBound).toBe(true);

    const whileDown = performance.now();
    const next = await root.events.search({ limit: 10 });
    expect(performance.now() - whileDown).toBeLessThan(SCHEDULING_SLACK_MS);
    expect(next.coverage.nodes.find((n) => n.path === 'probe-d')).toMatchObject({
      state: 'unreachable',
      latencyMs: 0,
    });
    await expect(
      root.devices.get({ nodePath: 'probe-d', deviceId: killed.devices[0]!.id }),
    ).rejects.toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
    });
  });
});

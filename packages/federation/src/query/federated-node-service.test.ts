import { describe, expect, it } from 'vitest';
import { TRPCError } from '@trpc/server';
import {
  compareDeviceKeys,
  compareEventKeys,
  deviceKeyOf,
  eventKeyOf,
  InvalidCursorError,
  NodeInfo,
  NotFoundError,
  type Device,
  type DeviceEvent,
  type NodeService,
} from '@tierscope/shared';
import type { ChildLink } from '../links/child-link.ts';
import { createFederatedNodeService } from './federated-node-service.ts';
import { createHeartbeat } from '../links/heartbeat.ts';
import {
  createInMemoryNodeService,
  generateDevices,
  generateEvents,
  seededRandom,
  type LeafControls,
} from '../testing/in-memory-node-service.ts';
import { createInProcessChildLink } from '../testing/in-process-link.ts';

interface Leaf {
  id: string;
  devices: Device[];
  events: DeviceEvent[];
  controls: LeafControls;
  link: ChildLink;
}

function leaf(id: string, seed: number, count = 40): Leaf {
  const devices = generateDevices(id, count, seed);
  const events = generateEvents(id, count, seed);
  const { service, controls } = createInMemoryNodeService(id, { devices, events });
  return { id, devices, events, controls, link: createInProcessChildLink(id, service) };
}

function federate(
  id: string,
  isRoot: boolean,
  children: ChildLink[],
  self?: NodeService,
  deadlineMs = 1000,
): NodeService {
  const heartbeat = createHeartbeat(children, { downAfterMs: 60_000 });
  return createFederatedNodeService({ id, isRoot, children, heartbeat, self, deadlineMs });
}

/**
 * root (bff) ─┬─ a (district, with devices of its own) ─┬─ x
 *             │                                          └─ x-1
 *             ├─ a-b                                     (paths trip a plain string compare)
 *             └─ b
 */
function tree() {
  const x = leaf('x', 1);
  const x1 = leaf('x-1', 2);
  const aOwn = leaf('a', 3);
  const ab = leaf('a-b', 4);
  const b = leaf('b', 5);
  const district = federate(
    'a',
    false,
    [x.link, x1.link],
    createInMemoryNodeService('a', { devices: aOwn.devices, events: aOwn.events }).service,
    800,
  );
  const root = federate(
    'bff',
    true,
    [createInProcessChildLink('a', district), ab.link, b.link],
    undefined,
    1200,
  );
  const relabel = <T extends { nodePath: string }>(items: T[], path: string) =>
    items.map((i) => ({ ...i, nodePath: path }));
  const allDevices = [
    ...relabel(x.devices, 'a/x'),
    ...relabel(x1.devices, 'a/x-1'),
    ...aOwn.devices,
    ...ab.devices,
    ...b.devices,
  ].sort((p, q) => compareDeviceKeys(deviceKeyOf(p), deviceKeyOf(q)));
  const allEvents = [
    ...relabel(x.events, 'a/x'),
    ...relabel(x1.events, 'a/x-1'),
    ...aOwn.events,
    ...ab.events,
    ...b.events,
  ].sort((p, q) => compareEventKeys(eventKeyOf(p), eventKeyOf(q)));
  return { root, district, leaves: { x, x1, ab, b }, allDevices, allEvents };
}

describe('federated node service', () => {
  it('asks only the subtree a nodePath filter names, and answers a sibling with the same prefix nothing', async () => {
    const { root, allDevices } = tree();
    const page = await root.devices.list({ nodePath: 'a/x', limit: 500 });
    expect(page.coverage.nodes.map((n) => n.path)).toEqual(['a/x']);
    expect(page.items.map((d) => d.id)).toEqual(
      allDevices.filter((d) => d.nodePath === 'a/x').map((d) => d.id),
    );
    const district = await root.events.search({ nodePath: 'a', limit: 500 });
    expect(district.coverage.nodes.map((n) => n.path).sort()).toEqual(['a', 'a/x', 'a/x-1']);
    expect(new Set(district.items.map((e) => e.nodePath))).toEqual(new Set(['a', 'a/x', 'a/x-1']));
  });

  it('pages devices through two tiers, visiting each exactly once in (name, path, id) order', async () => {
    const { root, allDevices } = tree();
    const random = seededRandom(42);
    const seen: Device[] = [];
    let cursor: string | undefined;
    do {
      const page = await root.devices.list({ limit: 1 + Math.floor(random() * 23), cursor });
      expect(page.coverage).toMatchObject({ asked: 5, answered: 5 });
      seen.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen.map((d) => `${d.nodePath}:${d.id}`)).toEqual(allDevices.map((d) => `${d.nodePath}:${d.id}`));
  });

  it('answers events.search with the top-N of all nodes merged by hand, and pages on exactly', async () => {
    const { root, allEvents } = tree();
    const first = await root.events.search({ limit: 25 });
    expect(first.items.map((e) => `${e.nodePath}:${e.id}`)).toEqual(
      allEvents.slice(0, 25).map((e) => `${e.nodePath}:${e.id}`),
    );
    const seen = [...first.items];
    let cursor = first.nextCursor ?? undefined;
    while (cursor) {
      const page = await root.events.search({ limit: 33, cursor });
      seen.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    }
    expect(seen).toHaveLength(allEvents.length);
  });

  it('prefixes its own id on a non-root node and lists every node in coverage', async () => {
    const { district } = tree();
    const page = await district.devices.list({ limit: 500 });
    expect(new Set(page.items.map((d) => d.nodePath))).toEqual(new Set(['a', 'a/x', 'a/x-1']));
    expect(page.coverage.nodes.map((n) => n.path)).toEqual(['a', 'a/x', 'a/x-1']);
  });

  it('names the timed-out child in coverage and returns the rest', async () => {
    const { root, leaves } = tree();
    leaves.b.controls.stalled = true;
    const started = Date.now();
    const page = await root.devices.list({ limit: 500 });
    leaves.b.controls.release();
    expect(Date.now() - started).toBeLessThan(1200 + 200);
    expect(page.coverage.nodes.find((n) => n.path === 'b')).toMatchObject({ state: 'timeout' });
    expect(page.coverage).toMatchObject({ asked: 5, answered: 4 });
    expect(page.items.some((d) => d.nodePath === 'b')).toBe(false);
    expect(page.items.some((d) => d.nodePath === 'a/x')).toBe(true);
  });

  it('names a child whose page breaks the contract error in coverage, and lists the others', async () => {
    const good = leaf('good', 7, 5);
    const devices = generateDevices('bad', 5, 8).map((d, i) => (i === 0 ? { ...d, status: 'exploded' } : d));
    const bad = createInMemoryNodeService('bad', { devices: devices as Device[], events: [] }).service;
    const root = federate('bff', true, [good.link, createInProcessChildLink('bad', bad)]);
    const page = await root.devices.list({ limit: 100 });
    expect(page.coverage.nodes.find((n) => n.path === 'bad')).toMatchObject({ state: 'error' });
    expect(page.items).toHaveLength(5);
    expect(page.items.every((d) => d.nodePath === 'good')).toBe(true);
  });

  it('names a grandchild that refuses the call forbidden, with its full path', async () => {
    const { root, leaves } = tree();
    leaves.x1.controls.failWith = new TRPCError({ code: 'FORBIDDEN', message: 'token not accepted' });
    const page = await root.events.search({ limit: 10 });
    expect(page.coverage.nodes.find((n) => n.path === 'a/x-1')).toMatchObject({ state: 'forbidden' });
  });

  it("routes devices.get by node path to the owner two tiers down and answers in the root's paths", async () => {
    const { root, leaves } = tree();
    const wanted = leaves.x1.devices[7]!;
    const device = await root.devices.get({ nodePath: 'a/x-1', deviceId: wanted.id });
    expect(device).toMatchObject({ id: wanted.id, nodePath: 'a/x-1', name: wanted.name });
    const latest = await root.metrics.latest({ nodePath: 'a-b', deviceId: leaves.ab.devices[0]!.id });
    expect(latest.nodePath).toBe('a-b');
  });

  it("routes credential rotation, quarantine and release to the owner two tiers down, in the root's paths", async () => {
    const { root, leaves } = tree();
    const deviceId = leaves.x1.devices[3]!.id;
    const admin = { kind: 'user' as const, name: 'ada', role: 'admin' as const };
    const credentials = await root.devices.rotateCredentials({ nodePath: 'a/x-1', deviceId }, admin);
    expect(credentials).toMatchObject({ nodePath: 'a/x-1', deviceId, username: deviceId });
    const quarantined = await root.devices.quarantine(
      { nodePath: 'a/x-1', deviceId, reason: 'tampered', until: 2_000_000_000_000 },
      admin,
    );
    expect(quarantined).toMatchObject({ nodePath: 'a/x-1', quarantine: { reason: 'tampered' } });
    expect((await root.devices.get({ nodePath: 'a/x-1', deviceId })).quarantine?.reason).toBe('tampered');
    const released = await root.devices.release({ nodePath: 'a/x-1', deviceId }, admin);
    expect(released.quarantine).toBeUndefined();
    await expect(
      root.devices.quarantine({ nodePath: 'nowhere', deviceId, reason: 'x' }, admin),
    ).rejects.toBeInstanceOf(NotFoundError);
  });

  it('answers NOT_FOUND for a path naming no child, and for a device the owner does not have', async () => {
    const { root } = tree();
    await expect(root.devices.get({ nodePath: 'nowhere', deviceId: 'x' })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(root.devices.get({ nodePath: 'a/x', deviceId: 'missing' })).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });

  it('answers SERVICE_UNAVAILABLE when the owner is down, without waiting for it', async () => {
    const b = leaf('b', 5);
    const heartbeat = createHeartbeat([b.link], { downAfterMs: 0 });
    const root = createFederatedNodeService({ id: 'bff', isRoot: true, children: [b.link], heartbeat });
    await new Promise((r) => setTimeout(r, 5));
    await expect(root.devices.get({ nodePath: 'b', deviceId: b.devices[0]!.id })).rejects.toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
    });
  });

  it('refuses a foreign cursor with InvalidCursorError before calling any child', async () => {
    const { root } = tree();
    const events = await root.events.search({ limit: 1 });
    await expect(root.devices.list({ limit: 5, cursor: events.nextCursor! })).rejects.toBeInstanceOf(
      InvalidCursorError,
    );
  });

  it('asks for nodePath on a single-item call, since a federating node cannot guess the owner', async () => {
    const { root } = tree();
    await expect(root.devices.get({ deviceId: 'x' })).rejects.toThrow(/nodePath is required/);
  });

  it('serves node.info as a tree of children with their own info, valid against the contract', async () => {
    const x = leaf('x', 1);
    const districtHeartbeat = createHeartbeat([x.link]);
    const district = createFederatedNodeService({
      id: 'a',
      isRoot: false,
      children: [x.link],
      heartbeat: districtHeartbeat,
    });
    const aLink = createInProcessChildLink('a', district);
    const rootHeartbeat = createHeartbeat([aLink]);
    const root = createFederatedNodeService({
      id: 'bff',
      isRoot: true,
      children: [aLink],
      heartbeat: rootHeartbeat,
    });
    await districtHeartbeat.beat();
    await rootHeartbeat.beat();
    const info = NodeInfo.parse(await root.node.info());
    expect(info.children?.[0]).toMatchObject({ path: 'a', state: 'up' });
    expect(info.children?.[0]?.info?.children?.[0]).toMatchObject({
      path: 'a/x',
      state: 'up',
      info: { path: 'a/x' },
    });
    expect(info.devices).toEqual({
      total: 40,
      online: x.devices.filter((d) => d.status === 'online').length,
      lowerBound: false,
    });
  });
});

describe('federated paging over random trees', () => {
  // Sibling ids that trip a plain string compare of paths ("a-b" sorts between "a" and "a/x").
  const IDS = ['a', 'a-b', 'a0', 'b'];

  /** Builds a random subtree; returns its service and every device it holds, in its own output space. */
  function randomNode(
    random: () => number,
    id: string,
    depth: number,
    isRoot: boolean,
    seed: { n: number },
  ): { service: NodeService; devices: Device[] } {
    const childIds = depth === 0 ? [] : IDS.filter(() => random() < 0.6);
    if (childIds.length === 0) {
      const devices = generateDevices(id, Math.floor(random() * 15), seed.n++).map((d) => ({
        ...d,
        name: d.name.slice(0, 1),
      }));
      return { service: createInMemoryNodeService(id, { devices, events: [] }).service, devices };
    }
    const prefix = isRoot ? '' : `${id}/`;
    const own =
      random() < 0.5
        ? generateDevices(id, Math.floor(random() * 8), seed.n++).map((d) => ({
            ...d,
            name: d.name.slice(0, 1),
          }))
        : [];
    const children = childIds.map((c) => ({ id: c, ...randomNode(random, c, depth - 1, false, seed) }));
    const service = federate(
      id,
      isRoot,
      children.map((c) => createInProcessChildLink(c.id, c.service)),
      own.length > 0 ? createInMemoryNodeService(id, { devices: own, events: [] }).service : undefined,
      5000,
    );
    const devices = [
      ...own,
      ...children.flatMap((c) => c.devices.map((d) => ({ ...d, nodePath: `${prefix}${d.nodePath}` }))),
    ];
    return { service, devices };
  }

  it('visits every device exactly once, in order, whatever the tree and page sizes', async () => {
    for (let s = 1; s <= 8; s++) {
      const random = seededRandom(s);
      const { service, devices } = randomNode(random, 'root', 3, true, { n: s * 1000 });
      const expected = devices
        .sort((p, q) => compareDeviceKeys(deviceKeyOf(p), deviceKeyOf(q)))
        .map((d) => `${d.nodePath}:${d.id}`);
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await service.devices.list({ limit: 1 + Math.floor(random() * 9), cursor });
        seen.push(...page.items.map((d) => `${d.nodePath}:${d.id}`));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      expect(expected.length, `seed ${s}`).toBeGreaterThan(0);
      expect(seen, `seed ${s}`).toEqual(expected);
    }
  }, 30_000); // eight trees paged one small page at a time: seconds of work on a loaded 2-core machine
});

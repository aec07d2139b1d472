import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  compareDeviceKeys,
  compareEventKeys,
  deviceKeyOf,
  eventKeyOf,
  NotFoundError,
  type Device,
  type DeviceEvent,
  type NodeService,
} from '@tierscope/shared';
import { createFederatedNodeService, createHeartbeat, type ChildLink } from '@tierscope/federation';
import { createInMemoryNodeService } from '@tierscope/federation/testing/in-memory-node-service.ts';
import { createInProcessChildLink } from '@tierscope/federation/testing/in-process-link.ts';
import { alertingDepsFor } from '../testing/alerting-deps.ts';
import { idleNodeService } from '../testing/idle-node-service.ts';
import { idleCommandCenter, idleDeviceConfigs } from '../testing/idle-process.ts';
import { testDatabaseBackends, type TestDatabase } from '@tierscope/test-support/test-databases';
import { openNodeStore, type NodeStore } from '../store/client.ts';
import { ingestBatch, type SampleRow } from '../store/ingest-store.ts';
import { createPgIngestStore } from '../store/ingest-store.pg.ts';
import { migrateStore } from '../store/migrate.ts';
import { createLocalNodeService } from './local-node.service.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const NODE_PATH = 'district-1/probe-a';

describe.each(testDatabaseBackends())('local node service on $name', ({ create }) => {
  let database: TestDatabase;
  let store: NodeStore;
  let service: NodeService;
  const registered: string[] = [];

  beforeAll(async () => {
    database = await create();
    store = await openNodeStore(database.url);
    await migrateStore(store);
    service = createLocalNodeService({
      store,
      ...alertingDepsFor(store, NODE_PATH),
      nodeId: 'probe-a',
      nodePath: NODE_PATH,
      version: '0.1.0',
      startedAt: 1_700_000_000_000,
      ingestStats: () => ({
        messagesTotal: 1,
        samplesTotal: 4,
        samplesPerSec: 0,
        queueDepth: 0,
        deadLettersTotal: 0,
      }),
      brokerHealth: () => ({ connected: true, embedded: true, url: 'mqtt://127.0.0.1:1884' }),
      onDeviceRegistered: (device) => registered.push(device.id),
      commands: idleCommandCenter(store, NODE_PATH),
      configs: idleDeviceConfigs(store, NODE_PATH),
    });
  });
  afterAll(async () => {
    await store.close();
    await database.drop();
  });

  describe('devices', () => {
    const admin = { kind: 'user', name: 'ada', role: 'admin' } as const;
    beforeAll(async () => {
      for (let i = 0; i < 37; i++) {
        await service.devices.upsert(
          {
            deviceId: `dev-${String(i).padStart(2, '0')}`,
            // Few distinct names, so paging must break ties by id.
            name: `sensor-${i % 4}`,
            site: i % 2 === 0 ? 'north' : 'south',
            labels: { floor: String(i % 3), room: i === 5 ? 'Boiler_Room' : 'office' },
          },
          admin,
        );
      }
      const ts = Date.now() - MINUTE;
      await createPgIngestStore(store).writeBatch(
        ingestBatch({
          samples: [{ deviceId: 'dev-07', metric: 'temp', ts, value: 21.5 }],
          seen: new Map([['dev-07', ts]]),
          statuses: [{ deviceId: 'dev-07', status: 'online', at: ts }],
        }),
      );
    });

    it('visits every device exactly once in name, id order when paging with a small page', async () => {
      const seen: Device[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await service.devices.list({ limit: 5, cursor });
        expect(page.items.length).toBeLessThanOrEqual(5);
        expect(page.coverage).toMatchObject({ asked: 1, answered: 1 });
        seen.push(...page.items);
        cursor = page.nextCursor ?? undefined;
        pages++;
      } while (cursor);
      expect(pages).toBe(8);
      const keys = seen.map(deviceKeyOf);
      expect(keys).toEqual([...keys].sort(compareDeviceKeys));
      expect(new Set(seen.map((d) => d.id)).size).toBe(37);
      expect(seen.every((d) => d.nodePath === NODE_PATH)).toBe(true);
    });

    it('returns nextCursor null when the last page is exactly full', async () => {
      const page = await service.devices.list({ limit: 37 });
      expect(page.items).toHaveLength(37);
      expect(page.nextCursor).toBeNull();
    });

    it('filters by label, status, site and search over id, name and label values', async () => {
      const ids = async (input: Parameters<NodeService['devices']['list']>[0]) =>
        (await service.devices.list(input)).items.map((d) => d.id).sort();
      expect(await ids({ limit: 100, label: 'floor=2' })).toHaveLength(12);
      expect(await ids({ limit: 100, label: 'room=Boiler_Room' })).toEqual(['dev-05']);
      expect(await ids({ limit: 100, status: 'online' })).toEqual(['dev-07']);
      expect(await ids({ limit: 100, site: 'south', label: 'floor=0' })).toEqual([
        'dev-03',
        'dev-09',
        'dev-15',
        'dev-21',
        'dev-27',
        'dev-33',
      ]);
      expect(await ids({ limit: 100, search: 'boiler' })).toEqual(['dev-05']);
      expect(await ids({ limit: 100, search: 'DEV-1' })).toHaveLength(10);
      expect(await ids({ limit: 100, search: 'sensor-3' })).toHaveLength(9);
      // LIKE wildcards in the search text are literal.
      expect(await ids({ limit: 100, search: '%' })).toEqual([]);
      expect(await ids({ limit: 100, search: 'r_R' })).toEqual(['dev-05']);
    });

    it('includes latest values and status in list and get', async () => {
      const device = await service.devices.get({ deviceId: 'dev-07' });
      expect(device.status).toBe('online');
      expect(device.latest.temp?.value).toBe(21.5);
      const page = await service.devices.list({ limit: 100, search: 'dev-07' });
      expect(page.items[0]).toEqual(device);
      expect(page.items[0]?.latest.temp).toEqual({ value: 21.5, ts: device.latest.temp!.ts });
    });

    it('lists a quarantine in force as get shows it, and none once released', async () => {
      const actor = { kind: 'user', name: 'tester', role: 'operator' } as const;
      const until = Date.now() + HOUR;
      await service.devices.quarantine({ deviceId: 'dev-11', reason: 'leaked credentials', until }, actor);
      const listed = await service.devices.list({ limit: 100, search: 'dev-11' });
      expect(listed.items[0]?.quarantine).toMatchObject({ reason: 'leaked credentials', until });
      expect(listed.items[0]).toEqual(await service.devices.get({ deviceId: 'dev-11' }));
      await service.devices.release({ deviceId: 'dev-11' }, actor);
      const released = await service.devices.list({ limit: 100, search: 'dev-11' });
      expect(released.items[0]?.quarantine).toBeUndefined();
    });

    it('throws NotFoundError for a missing device or another node path', async () => {
      await expect(service.devices.get({ deviceId: 'nope' })).rejects.toBeInstanceOf(NotFoundError);
      await expect(
        service.devices.get({ deviceId: 'dev-01', nodePath: 'district-1/probe-b' }),
      ).rejects.toBeInstanceOf(NotFoundError);
      await expect(service.devices.get({ deviceId: 'dev-01', nodePath: NODE_PATH })).resolves.toMatchObject({
        id: 'dev-01',
      });
    });

    it('upsert changes only the fields given, writes the audit log as its caller and tells the ingest', async () => {
      const device = await service.devices.upsert({ deviceId: 'dev-01', kind: 'thermostat' }, admin);
      expect(device).toMatchObject({
        name: 'sensor-1',
        site: 'south',
        kind: 'thermostat',
        status: 'unknown',
      });
      expect(registered).toContain('dev-01');
      const audit = await store.exec<{ actor: string }>(
        `select actor from audit_log where action = 'device.upsert' and target = 'dev-01'`,
      );
      expect(audit.map((row) => row.actor)).toEqual(['user:ada', 'user:ada']);
    });

    it('counts its devices by status, and none for a node path that is not its own', async () => {
      const counts = await service.devices.count({});
      expect(counts.total).toBe(37);
      expect(counts.byStatus.online + counts.byStatus.offline + counts.byStatus.unknown).toBe(37);
      expect(counts.coverage).toMatchObject({ asked: 1, answered: 1 });
      await expect(service.devices.count({ nodePath: 'elsewhere' })).resolves.toMatchObject({ total: 0 });
    });

    it('counts only the devices matching every filter given, as a bulk command selects them', async () => {
      await expect(service.devices.count({ site: 'north' })).resolves.toMatchObject({ total: 19 });
      await expect(service.devices.count({ label: 'floor=0' })).resolves.toMatchObject({ total: 13 });
      await expect(service.devices.count({ site: 'north', label: 'floor=0' })).resolves.toMatchObject({
        total: 7,
      });
      await expect(service.devices.count({ site: 'south', status: 'online' })).resolves.toMatchObject({
        total: 1,
        byStatus: { online: 1, offline: 0, unknown: 0 },
      });
      await expect(service.devices.count({ kind: 'no-such-kind' })).resolves.toMatchObject({ total: 0 });
    });

    it('rejects a forged cursor with a clear error', async () => {
      await expect(service.devices.list({ limit: 5, cursor: 'bm90LWpzb24' })).rejects.toThrow(/cursor/);
    });
  });

  describe('events', () => {
    const t0 = Date.UTC(2025, 2, 1);
    beforeAll(async () => {
      const events = Array.from({ length: 23 }, (_, i) => ({
        deviceId: `ev-${i % 2}`,
        // Pairs share a timestamp, so the cursor must break ties by id.
        ts: t0 + Math.floor(i / 2) * 1000,
        type: i % 3 === 0 ? 'door' : `heat-${i}`,
        severity: i % 5 === 0 ? ('critical' as const) : ('info' as const),
        message: i % 3 === 0 ? `door open at gate ${i}` : `compressor overheating by ${i} degrees`,
        attrs: { i },
      }));
      await createPgIngestStore(store).writeBatch(ingestBatch({ events }));
    });

    it('pages every event once, newest first by time then id as text', async () => {
      const all: DeviceEvent[] = [];
      let cursor: string | undefined;
      do {
        const page = await service.events.search({ limit: 4, cursor, from: t0 });
        all.push(...page.items);
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      expect(all).toHaveLength(23);
      expect(new Set(all.map((e) => e.id)).size).toBe(23);
      for (let i = 1; i < all.length; i++) {
        const [a, b] = [all[i - 1]!, all[i]!];
        // The global order compares ids as text by code point: "10" before "9".
        expect(compareEventKeys(eventKeyOf(a), eventKeyOf(b))).toBeLessThan(0);
      }
      expect(all[0]).toMatchObject({ nodePath: NODE_PATH, ts: t0 + 11_000, attrs: { i: 22 } });
    });

    it('finds events by full text in web search syntax, combined with filters', async () => {
      const door = await service.events.search({ limit: 100, query: 'door', from: t0 });
      expect(door.items).toHaveLength(8);
      const notGate3 = await service.events.search({ limit: 100, query: '"door open" -3', from: t0 });
      expect(notGate3.items).toHaveLength(7);
      const hotCritical = await service.events.search({
        limit: 100,
        query: 'overheating',
        severity: 'critical',
        from: t0,
      });
      expect(hotCritical.items.map((e) => e.message).sort()).toEqual([
        'compressor overheating by 10 degrees',
        'compressor overheating by 20 degrees',
        'compressor overheating by 5 degrees',
      ]);
      const byDevice = await service.events.search({ limit: 100, deviceId: 'ev-1', from: t0, to: t0 + 3000 });
      expect(byDevice.items.map((e) => e.ts)).toEqual([t0 + 2000, t0 + 1000, t0]);
    });
  });

  describe('metrics.series over 30 days of minute data', () => {
    // Whole hours, so hour buckets compare cleanly; ends a little before now so it is all in range.
    const end = Math.floor(Date.now() / HOUR) * HOUR - HOUR;
    const start = end - 30 * DAY;
    const samples: SampleRow[] = [];
    const valueAt = (i: number) => ((i * 37) % 1000) / 10 - 20;

    beforeAll(async () => {
      for (let i = 0; i < 43_200; i++)
        samples.push({ deviceId: 'series-1', metric: 'temp', ts: start + i * MINUTE, value: valueAt(i) });
      const ingest = createPgIngestStore(store);
      for (let i = 0; i < samples.length; i += 5000) {
        const part = samples.slice(i, i + 5000);
        await ingest.writeBatch(
          ingestBatch({ samples: part, seen: new Map([['series-1', part.at(-1)!.ts]]), lastSeq: i }),
        );
      }
    });

    function expectedBuckets(from: number, to: number, width: number) {
      const buckets = new Map<number, { min: number; max: number; sum: number; count: number }>();
      for (const s of samples) {
        if (s.ts < from || s.ts >= to) continue;
        const b = Math.floor(s.ts / width) * width;
        const agg = buckets.get(b) ?? { min: Infinity, max: -Infinity, sum: 0, count: 0 };
        buckets.set(b, {
          min: Math.min(agg.min, s.value),
          max: Math.max(agg.max, s.value),
          sum: agg.sum + s.value,
          count: agg.count + 1,
        });
      }
      return [...buckets].sort(([a], [b]) => a - b);
    }

    it.each([
      { maxPoints: 500, source: 'hour', bucketMs: 2 * HOUR },
      { maxPoints: 2000, source: 'minute', bucketMs: 22 * MINUTE },
    ])(
      'reads $source rollups at $maxPoints points, with the right min, max and avg',
      async ({ maxPoints, source, bucketMs }) => {
        const series = await service.metrics.series({
          deviceId: 'series-1',
          metric: 'temp',
          from: start,
          to: end,
          maxPoints,
        });
        expect(series).toMatchObject({ source, bucketMs, nodePath: NODE_PATH });
        expect(series.points.length).toBeLessThanOrEqual(maxPoints);
        const expected = expectedBuckets(start, end, bucketMs);
        expect(series.points).toHaveLength(expected.length);
        series.points.forEach((point, i) => {
          const [ts, want] = expected[i]!;
          expect(point.ts).toBe(ts);
          expect(point.min).toBe(want.min);
          expect(point.max).toBe(want.max);
          expect(point.count).toBe(want.count);
          expect(point.avg).toBeCloseTo(want.sum / want.count, 9);
        });
        expect(series.points.reduce((n, p) => n + p.count, 0)).toBe(43_200);
      },
    );

    it('returns raw points when the range holds no more samples than maxPoints', async () => {
      const from = start + 10 * DAY + 7 * MINUTE;
      const series = await service.metrics.series({
        deviceId: 'series-1',
        metric: 'temp',
        from,
        to: from + 2 * HOUR,
        maxPoints: 500,
      });
      expect(series).toMatchObject({ source: 'raw', bucketMs: 0 });
      expect(series.points).toHaveLength(120);
      expect(series.points[0]).toEqual({
        ts: from,
        min: valueAt(10 * 1440 + 7),
        max: valueAt(10 * 1440 + 7),
        avg: valueAt(10 * 1440 + 7),
        count: 1,
      });
    });

    it('re-buckets raw samples under a minute and minute rollups for a day', async () => {
      const from = start + 3 * DAY;
      const raw = await service.metrics.series({
        deviceId: 'series-1',
        metric: 'temp',
        from,
        to: from + 12 * HOUR,
        maxPoints: 720,
      });
      expect(raw).toMatchObject({ source: 'raw' });
      expect(raw.points.length).toBeLessThanOrEqual(720);
      const day = await service.metrics.series({
        deviceId: 'series-1',
        metric: 'temp',
        from,
        to: from + DAY,
        maxPoints: 100,
      });
      expect(day).toMatchObject({ source: 'minute', bucketMs: 15 * MINUTE });
      expect(day.points).toHaveLength(96);
      expect(day.points.reduce((n, p) => n + p.count, 0)).toBe(1440);
    });

    it('answers latest with the newest sample and NotFoundError for an unknown device', async () => {
      const latest = await service.metrics.latest({ deviceId: 'series-1' });
      expect(latest.values.temp).toEqual({ value: valueAt(43_199), ts: end - MINUTE });
      await expect(service.metrics.latest({ deviceId: 'nope' })).rejects.toBeInstanceOf(NotFoundError);
    });
  });

  describe('dead letters and node info', () => {
    beforeAll(async () => {
      const deadLetters = Array.from({ length: 9 }, (_, i) => ({
        seq: 50_000 + i,
        receivedAt: Date.UTC(2025, 0, 1) + i,
        topic: `devices/d${i}/telemetry`,
        reason: i % 3 === 0 ? ('oversize' as const) : ('bad-json' as const),
        detail: 'x',
        payloadPreview: '{',
        size: 1,
      }));
      await createPgIngestStore(store).writeBatch(ingestBatch({ deadLetters }));
    });

    it('lists dead letters newest first across pages, filtered by reason', async () => {
      const first = await service.deadLetters.list({ limit: 2, reason: 'oversize' });
      const second = await service.deadLetters.list({
        limit: 2,
        reason: 'oversize',
        cursor: first.nextCursor!,
      });
      expect([...first.items, ...second.items].map((d) => d.topic)).toEqual([
        'devices/d6/telemetry',
        'devices/d3/telemetry',
        'devices/d0/telemetry',
      ]);
      expect(second.nextCursor).toBeNull();
      expect(first.items[0]).toMatchObject({
        nodePath: NODE_PATH,
        reason: 'oversize',
        receivedAt: Date.UTC(2025, 0, 1) + 6,
      });
    });

    it('reports device counts, the injected stats and the database driver', async () => {
      const info = await service.node.info();
      expect(info).toMatchObject({
        id: 'probe-a',
        path: NODE_PATH,
        ingest: { samplesTotal: 4 },
        broker: { connected: true },
        database: { reachable: true, driver: database.name },
      });
      // dev-07 published `online`; series-1 is online because it was heard from.
      expect(info.devices.online).toBe(2);
      expect(info.devices.total).toBeGreaterThanOrEqual(37);
    });
  });
  describe('under a federating parent, next to an in-memory leaf', () => {
    const t0 = Date.UTC(2025, 2, 1);
    /** The same leaf as a child sees itself: its path is its own id. */
    const localAs = (nodePath: string) => idleNodeService(store, alertingDepsFor(store, nodePath), nodePath);
    // Names and ids that collide with the SQL leaf's, plus ones only a code-point order sorts right.
    const names = [
      'sensor-0',
      'sensor-1',
      'sensor-3',
      'Sensor-1',
      'sensor-10',
      'éclair',
      'Ω-meter',
      'sensor-1 ',
      '_x',
    ];
    const memoryDevices = (nodePath: string): Device[] =>
      Array.from({ length: 30 }, (_, i) => ({
        id: i % 3 === 0 ? `dev-${String(i).padStart(2, '0')}` : `dev-${i}`,
        nodePath,
        name: names[i % names.length]!,
        kind: 'sensor',
        site: 'north',
        labels: {},
        status: 'online',
        firstSeen: t0,
        lastSeen: t0,
        latest: {},
      }));
    const memoryEvents = (nodePath: string): DeviceEvent[] =>
      Array.from({ length: 25 }, (_, i) => ({
        // Text ids, as the SQL leaf's numeric ids are once they cross a tier: "10" < "9".
        id: String(i * 7),
        nodePath,
        deviceId: 'mem-1',
        ts: t0 + (i % 12) * 1000,
        type: 'door',
        severity: 'info',
        message: `memory event ${i}`,
        attrs: {},
      }));

    async function drain<T>(
      fetchPage: (cursor: string | undefined) => Promise<{ items: T[]; nextCursor: string | null }>,
    ) {
      const all: T[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await fetchPage(cursor);
        all.push(...page.items);
        cursor = page.nextCursor ?? undefined;
        if (++pages > 1000) throw new Error('paging does not end');
      } while (cursor);
      return all;
    }

    it.each([
      { layout: 'two children of district-1', self: false },
      { layout: 'probe-a serving its own rows and the in-memory child', self: true },
    ])(
      'pages devices and events across the SQL leaf and the in-memory leaf exactly once, in the global order ($layout)',
      async ({ self }) => {
        const ownId = self ? 'probe-a' : 'district-1';
        const prefix = `${ownId}/`;
        const sqlLeaf = localAs('probe-a');
        const memory = createInMemoryNodeService('probe-b', {
          devices: memoryDevices('probe-b'),
          events: memoryEvents('probe-b'),
        });
        const children: ChildLink[] = [
          ...(self ? [] : [createInProcessChildLink('probe-a', sqlLeaf)]),
          createInProcessChildLink('probe-b', memory.service),
        ];
        const parent = createFederatedNodeService({
          id: ownId,
          isRoot: false,
          children,
          heartbeat: createHeartbeat(children, { downAfterMs: 60_000 }),
          ...(self ? { self: sqlLeaf } : {}),
        });
        const sqlPath = self ? 'probe-a' : `${prefix}probe-a`;
        const withPath = <T extends { nodePath: string }>(items: T[], nodePath: string) =>
          items.map((item) => ({ ...item, nodePath }));

        const expectedDevices = [
          ...withPath((await sqlLeaf.devices.list({ limit: 500 })).items, sqlPath),
          ...withPath(memoryDevices('probe-b'), `${prefix}probe-b`),
        ].sort((a, b) => compareDeviceKeys(deviceKeyOf(a), deviceKeyOf(b)));
        for (const limit of [1, 7, 37]) {
          const devices = await drain((cursor) => parent.devices.list({ limit, cursor }));
          expect(devices.map(deviceKeyOf)).toEqual(expectedDevices.map(deviceKeyOf));
        }

        const expectedEvents = [
          ...withPath((await sqlLeaf.events.search({ limit: 500, from: t0 })).items, sqlPath),
          ...withPath(memoryEvents('probe-b'), `${prefix}probe-b`),
        ].sort((a, b) => compareEventKeys(eventKeyOf(a), eventKeyOf(b)));
        for (const limit of [1, 4, 10]) {
          const events = await drain((cursor) => parent.events.search({ limit, cursor, from: t0 }));
          expect(events.map(eventKeyOf)).toEqual(expectedEvents.map(eventKeyOf));
        }
      },
    );

    it('pages dead letters of two leaves in (receivedAt desc, path, id) order, as the dead-letter list rule merges them', async () => {
      const children = [
        createInProcessChildLink('probe-a', localAs('probe-a')),
        createInProcessChildLink('probe-b', localAs('probe-b')),
      ];
      const parent = createFederatedNodeService({
        id: 'bff',
        isRoot: true,
        children,
        heartbeat: createHeartbeat(children, { downAfterMs: 60_000 }),
      });
      const own = (await localAs('probe-a').deadLetters.list({ limit: 500 })).items;
      const all = await drain((cursor) => parent.deadLetters.list({ limit: 3, cursor }));
      expect(all).toHaveLength(2 * own.length);
      const keys = all.map((d) => ({ ts: d.receivedAt, path: d.nodePath, id: d.id }));
      expect(keys).toEqual([...keys].sort(compareEventKeys));
      expect(new Set(keys.map((k) => `${k.path}|${k.id}`)).size).toBe(all.length);
    });
  });
});

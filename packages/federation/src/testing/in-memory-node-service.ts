import {
  compareDeviceKeys,
  compareEventKeys,
  decodeDeviceCursor,
  decodeEventCursor,
  devicePositionForOwnItems,
  deviceKeyOf,
  encodeDeviceCursor,
  encodeEventCursor,
  eventKeyOf,
  eventPositionForOwnItems,
  isAfterDevicePosition,
  isAfterEventPosition,
  NotFoundError,
  selfCoverage,
  type DeadLetter,
  type Device,
  type DeviceEvent,
  type NodeInfo,
  methodOf,
  serviceOfProcedures,
  type NodeService,
  type Severity,
} from '@tierscope/shared';
import { fakeNodeService } from '@tierscope/test-support/fake-node-service';
import { InMemoryAlerts } from './in-memory-alerts.ts';

/** Test controls of an in-memory leaf: make it slow, stall it, or fail it, while it runs. */
export interface LeafControls {
  delayMs: number;
  /** Every call waits until `release()` (or forever). */
  stalled: boolean;
  failWith: Error | null;
  release(): void;
}

/**
 * A leaf node's NodeService over arrays, for tests: the same orders and cursors as the real leaf
 * (order-keys.ts applied to its own items), items carrying `nodePath` = `id`.
 */
export function createInMemoryNodeService(
  id: string,
  data: { devices: readonly Device[]; events: readonly DeviceEvent[]; deadLetters?: readonly DeadLetter[] },
): { service: NodeService; controls: LeafControls; alerts: InMemoryAlerts } {
  // Copies: quarantine and release change them.
  const devices = data.devices
    .map((d) => ({ ...d }))
    .sort((a, b) => compareDeviceKeys(deviceKeyOf(a), deviceKeyOf(b)));
  const events = [...data.events].sort((a, b) => compareEventKeys(eventKeyOf(a), eventKeyOf(b)));
  const deadLetters = [...(data.deadLetters ?? [])];
  let releaseAll: (() => void)[] = [];
  const controls: LeafControls = {
    delayMs: 0,
    stalled: false,
    failWith: null,
    release() {
      controls.stalled = false;
      const waiting = releaseAll;
      releaseAll = [];
      for (const release of waiting) release();
    },
  };
  const gate = async () => {
    if (controls.delayMs > 0) await new Promise((r) => setTimeout(r, controls.delayMs));
    if (controls.stalled) await new Promise<void>((r) => releaseAll.push(r));
    if (controls.failWith) throw controls.failWith;
  };
  const find = (deviceId: string) => {
    const device = devices.find((d) => d.id === deviceId);
    if (!device) throw new NotFoundError(`no device ${deviceId} on ${id}`);
    return device;
  };
  const page = <T>(matching: T[], limit: number, cursorOf: (item: T) => string) => {
    const items = matching.slice(0, limit);
    const last = items[items.length - 1];
    return {
      items,
      nextCursor: matching.length > limit && last ? cursorOf(last) : null,
      coverage: selfCoverage(id, 0),
    };
  };
  const info: NodeInfo = {
    id,
    name: id,
    path: id,
    version: 'test',
    startedAt: 0,
    devices: { total: devices.length, online: devices.filter((d) => d.status === 'online').length },
    ingest: {
      messagesTotal: 0,
      samplesTotal: 0,
      samplesPerSec: 0,
      queueDepth: 0,
      deadLettersTotal: deadLetters.length,
    },
    broker: { connected: true, embedded: true, url: 'memory://' },
    database: { reachable: true, driver: 'pglite' },
  };

  const alerts = new InMemoryAlerts(id);
  const leaf = fakeNodeService({
    alerts: alerts.service,
    silences: alerts.silences,
    rules: alerts.rules,
    node: { info: async () => info },
    devices: {
      list: async (input) => {
        const position =
          input.cursor === undefined
            ? undefined
            : devicePositionForOwnItems(decodeDeviceCursor(input.cursor), id);
        const matching = devices.filter(
          (d) =>
            isAfterDevicePosition(deviceKeyOf(d), position) &&
            (input.search === undefined || d.name.includes(input.search) || d.id.includes(input.search)) &&
            (input.status === undefined || d.status === input.status) &&
            (input.site === undefined || d.site === input.site),
        );
        return page(matching, input.limit, (d) => encodeDeviceCursor(deviceKeyOf(d)));
      },
      count: async () => {
        const byStatus = { online: 0, offline: 0, unknown: 0 };
        for (const d of devices) byStatus[d.status] += 1;
        return { total: devices.length, byStatus, coverage: selfCoverage(id, 0) };
      },
      get: async (ref) => find(ref.deviceId),
      upsert: async (input) => ({ ...find(input.deviceId), ...(input.name ? { name: input.name } : {}) }),
      rotateCredentials: async (input) => ({
        deviceId: input.deviceId,
        nodePath: id,
        username: input.deviceId,
        password: `password-of-${input.deviceId}`,
        createdAt: 0,
      }),
      quarantine: async (input, actor) => {
        const device = find(input.deviceId);
        device.quarantine = { reason: input.reason, until: input.until ?? null, by: actor.name, at: 0 };
        return device;
      },
      release: async (input) => {
        const device = find(input.deviceId);
        delete device.quarantine;
        return device;
      },
    },
    metrics: {
      latest: async (ref) => ({ deviceId: ref.deviceId, nodePath: id, values: find(ref.deviceId).latest }),
      series: async (input) => {
        find(input.deviceId);
        return {
          deviceId: input.deviceId,
          nodePath: id,
          metric: input.metric,
          source: 'raw' as const,
          bucketMs: 0,
          points: [],
        };
      },
    },
    events: {
      search: async (input) => {
        const position =
          input.cursor === undefined
            ? undefined
            : eventPositionForOwnItems(decodeEventCursor(input.cursor), id);
        const matching = events.filter(
          (e) =>
            isAfterEventPosition(eventKeyOf(e), position) &&
            (input.severity === undefined || e.severity === input.severity) &&
            (input.deviceId === undefined || e.deviceId === input.deviceId) &&
            (input.from === undefined || e.ts >= input.from) &&
            (input.to === undefined || e.ts < input.to) &&
            (input.query === undefined || e.message.includes(input.query)),
        );
        return page(matching, input.limit, (e) => encodeEventCursor(eventKeyOf(e)));
      },
    },
    deadLetters: { list: async (input) => page(deadLetters, input.limit, () => 'unused') },
  });
  // Every call but a live stream passes the controls' gate first.
  const service = serviceOfProcedures((procedure) => {
    const method = methodOf(leaf, procedure) as ((...args: unknown[]) => Promise<unknown>) | undefined;
    if (method === undefined || procedure.type === 'subscription') return method;
    return (...args: unknown[]) => gate().then(() => method(...args));
  });
  return { service, controls, alerts };
}

/** A deterministic pseudo-random source, so a failing test names its seed. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NAMES = ['boiler', 'chiller', 'door', 'fan', 'gateway', 'meter', 'pump', 'valve'];
const SEVERITIES: Severity[] = ['info', 'warning', 'critical'];

/**
 * `count` devices for node `nodePath`. Names repeat often (a few dozen distinct ones), so paging
 * must break ties by path and id.
 */
export function generateDevices(nodePath: string, count: number, seed: number): Device[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, (_, i) => ({
    id: `dev-${seed}-${i}`,
    nodePath,
    name: `${NAMES[Math.floor(random() * NAMES.length)]!}-${Math.floor(random() * 5)}`,
    kind: 'sensor',
    site: `site-${Math.floor(random() * 3)}`,
    labels: {},
    status: random() < 0.8 ? 'online' : 'offline',
    firstSeen: 1_700_000_000_000,
    lastSeen: 1_700_000_000_000 + i,
    latest: { temp: { value: Math.round(random() * 400) / 10, ts: 1_700_000_000_000 + i } },
  }));
}

/** `count` events whose times collide often (a 1 s grid over ~10 min), so ties are exercised. */
export function generateEvents(nodePath: string, count: number, seed: number): DeviceEvent[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, (_, i) => ({
    id: `ev-${String(i).padStart(6, '0')}`,
    nodePath,
    deviceId: `dev-${seed}-${Math.floor(random() * 50)}`,
    ts: 1_700_000_000_000 + Math.floor(random() * 600) * 1000,
    type: 'threshold',
    severity: SEVERITIES[Math.floor(random() * SEVERITIES.length)]!,
    message: `event ${i} on ${nodePath}`,
    attrs: {},
  }));
}

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTRPCClient, httpLink, type TRPCClient } from '@trpc/client';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  compareDeviceKeys,
  compareEventKeys,
  deviceKeyOf,
  eventKeyOf,
  type Device,
  type DeviceEvent,
  type NodeRouter,
} from '@tierscope/shared';
import { tierBackends, type TierBackend } from '@tierscope/test-support/tier-backends';
import {
  fetchAs,
  freePort,
  loginToConsole,
  spawnBff,
  spawnTestNode,
  waitFor,
  waitReady,
  type ConsoleSession,
  type TierProcess,
} from './testing/processes.ts';

/*
 * Three tiers of real processes, each node on PGlite in memory and its embedded broker, and again
 * with each node on the real PostgreSQL and a Mosquitto of its own when this machine has them:
 *
 *   bff ─┬─ district-1 ─┬─ probe-a   dialled by the district
 *        │              ├─ probe-b   dialled by the district
 *        │              └─ probe-c   dials the district's uplink (the district has no URL for it)
 *        └─ probe-d                  dialled by the BFF
 *
 * Over a thousand devices in all: every probe has the same device ids, so the global order must
 * break ties by node path. The district's own deadline (5 s) is far above the BFF's (1.5 s): only
 * the budget the BFF sends keeps the district's answer inside the BFF's deadline when a probe stalls.
 */
const BFF_DEADLINE_MS = 1500;

/**
 * Wall-clock checks here only prove that nothing waits on a dead or stalled child; on a shared
 * 2-core machine a tight bound would flake. The deadline and heartbeat logic is unit-tested with
 * fake timers, and `npm run bench -- federation` measures the real figures (stalled p95 vs deadline).
 */
const SCHEDULING_SLACK_MS = 1000;
const DEVICES_PER_PROBE = 260;
const EVENTS_PER_PROBE = 60;
const PROBE_COUNT = 4;
const PUBLISHES_IN_FLIGHT = 8;
/** PGlite and tsx start slowly when several processes start at once on a small machine. */
const READY_TIMEOUT_MS = 100_000;

interface Probe {
  id: string;
  /** Its path as the BFF sees it. */
  path: string;
  mqttUrl: string;
  tier: TierProcess;
  client: TRPCClient<NodeRouter>;
}

let dataDir: string;
let backend: TierBackend;
const tiers: TierProcess[] = [];
const probes = new Map<string, Probe>();
const probeCToken = randomBytes(24).toString('base64url');
let bff: TierProcess;
let client: TRPCClient<NodeRouter>;
let session: ConsoleSession;

const trpcClient = (url: string, session?: ConsoleSession) =>
  createTRPCClient<NodeRouter>({
    links: [httpLink({ url: `${url}/trpc`, ...(session && { fetch: fetchAs(session) }) })],
  });

async function startProbe(id: string, path: string, env: Record<string, string> = {}): Promise<Probe> {
  const tier = await spawnTestNode(id, dataDir, { ...(await backend.nodeEnv(id)), ...env });
  tiers.push(tier);
  return { id, path, mqttUrl: tier.mqttUrl, tier, client: trpcClient(tier.url) };
}

/** Publishes with QoS 1, a few messages in flight at a time. */
async function publishAll(probe: Probe, messages: { topic: string; payload: object }[]): Promise<void> {
  const connection = await mqtt.connectAsync(probe.mqttUrl, {
    clientId: `test-${probe.id}`,
  });
  try {
    let next = 0;
    const worker = async () => {
      while (next < messages.length) {
        const message = messages[next++]!;
        await connection.publishAsync(message.topic, JSON.stringify(message.payload), { qos: 1 });
      }
    };
    await Promise.all(Array.from({ length: PUBLISHES_IN_FLIGHT }, worker));
  } finally {
    await connection.endAsync();
  }
}

const deviceId = (i: number) => `dev-${String(i).padStart(3, '0')}`;
const eventsBase = Date.now() - 3600_000;

/** Telemetry for every device, then events whose timestamps are distinct across all probes. */
async function publishFleet(probe: Probe, index: number): Promise<void> {
  await publishAll(
    probe,
    Array.from({ length: DEVICES_PER_PROBE }, (_, i) => ({
      topic: `devices/${deviceId(i)}/telemetry`,
      payload: { metrics: { temp: 20 + i / 10 } },
    })),
  );
  await publishAll(
    probe,
    Array.from({ length: EVENTS_PER_PROBE }, (_, i) => ({
      topic: `devices/${deviceId((i * 7) % DEVICES_PER_PROBE)}/events`,
      payload: {
        ts: eventsBase + (i * PROBE_COUNT + index) * 1000,
        type: 'door',
        severity: i % 3 === 0 ? 'warning' : 'info',
        message: `event ${i} on ${probe.id}`,
      },
    })),
  );
}

function childState(
  info: Awaited<ReturnType<TRPCClient<NodeRouter>['node']['info']['query']>>,
  path: string,
) {
  return info.children?.find((c) => c.path === path)?.state;
}

async function startTiers(on: TierBackend): Promise<void> {
  backend = on;
  dataDir = mkdtempSync(join(tmpdir(), 'tierscope-3tiers-'));
  tiers.length = 0;
  probes.clear();
  const districtPort = await freePort();
  const started = await Promise.all([
    startProbe('probe-a', 'district-1/probe-a'),
    startProbe('probe-b', 'district-1/probe-b'),
    startProbe('probe-c', 'district-1/probe-c', {
      PARENT_UPLINK_URL: `ws://127.0.0.1:${districtPort}/uplink`,
      NODE_TOKEN: probeCToken,
    }),
    startProbe('probe-d', 'probe-d'),
  ]);
  await Promise.all(started.map((p) => waitReady(p.tier, READY_TIMEOUT_MS)));
  for (const probe of started) probes.set(probe.id, probe);
  await Promise.all(started.map((probe, index) => publishFleet(probe, index)));

  const districtTier = await spawnTestNode('district-1', dataDir, {
    ...(await backend.nodeEnv('district-1')),
    HTTP_PORT: String(districtPort),
    CHILDREN: `probe-a=${probes.get('probe-a')!.tier.url},probe-b=${probes.get('probe-b')!.tier.url}`,
    UPLINK_CHILDREN: `probe-c=${probeCToken}`,
    FEDERATION_DEADLINE_MS: '5000',
  });
  tiers.push(districtTier);
  bff = await spawnBff({
    ...(await backend.bffEnv()),
    CHILDREN: `district-1=${districtTier.url},probe-d=${probes.get('probe-d')!.tier.url}`,
    FEDERATION_DEADLINE_MS: String(BFF_DEADLINE_MS),
    WEB_DIST: join(dataDir, 'no-console-here'),
  });
  tiers.push(bff);
  await Promise.all([waitReady(districtTier, READY_TIMEOUT_MS), waitReady(bff, READY_TIMEOUT_MS)]);
  session = await loginToConsole(bff.url);
  client = trpcClient(bff.url, session);

  await waitFor(
    'every device and event ingested and every node up',
    async () => {
      const [info, events] = await Promise.all([
        client.node.info.query(),
        client.events.search.query({ limit: 500 }),
      ]);
      return (
        info.devices.total === PROBE_COUNT * DEVICES_PER_PROBE &&
        events.items.length === PROBE_COUNT * EVENTS_PER_PROBE &&
        childState(info, 'district-1') === 'up' &&
        childState(info, 'probe-d') === 'up'
      );
    },
    60_000,
  );
}

async function stopTiers(): Promise<void> {
  await Promise.all(tiers.map((t) => t.stop('SIGTERM')));
  await backend.release();
  rmSync(dataDir, { recursive: true, force: true });
}

describe.each(tierBackends())('three tiers of real processes on $name', ({ create }) => {
  beforeAll(() => startTiers(create()), 180_000);
  afterAll(stopTiers);

  it('pages over a thousand devices on four probes through the BFF with page size 37, each exactly once, in the global order', async () => {
    const PAGE = 37;
    const pages: Device[][] = [];
    let cursor: string | undefined;
    do {
      const page = await client.devices.list.query({ limit: PAGE, cursor });
      // The district answers for its own (empty) store too: five nodes in all.
      expect(page.coverage).toMatchObject({ asked: 5, answered: 5 });
      pages.push(page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);

    const seen = pages.flat();
    expect(seen).toHaveLength(PROBE_COUNT * DEVICES_PER_PROBE);
    // `limit` is exact: every page but the last is full.
    expect(pages.slice(0, -1).every((page) => page.length === PAGE)).toBe(true);
    expect(pages.at(-1)!.length).toBe(seen.length - PAGE * (pages.length - 1));
    const keys = seen.map(deviceKeyOf);
    expect(keys).toEqual([...keys].sort(compareDeviceKeys));
    expect(new Set(keys.map((k) => `${k.path}|${k.id}`)).size).toBe(seen.length);
    const perPath = new Map<string, number>();
    for (const d of seen) perPath.set(d.nodePath, (perPath.get(d.nodePath) ?? 0) + 1);
    expect(Object.fromEntries(perPath)).toEqual({
      'district-1/probe-a': DEVICES_PER_PROBE,
      'district-1/probe-b': DEVICES_PER_PROBE,
      'district-1/probe-c': DEVICES_PER_PROBE,
      'probe-d': DEVICES_PER_PROBE,
    });
  });

  it("answers events.search top-N through the BFF as the top-N of every probe's events merged by hand", async () => {
    const N = 100;
    const direct = await Promise.all(
      [...probes.values()].map(async (probe) => {
        const page = await probe.client.events.search.query({ limit: 500 });
        expect(page.items).toHaveLength(EVENTS_PER_PROBE);
        // A probe's own path is its id; the BFF sees it under its parent.
        return page.items.map((e): DeviceEvent => ({ ...e, nodePath: probe.path }));
      }),
    );
    const merged = direct.flat().sort((a, b) => compareEventKeys(eventKeyOf(a), eventKeyOf(b)));
    expect(new Set(merged.map((e) => e.ts)).size).toBe(merged.length);

    const first = await client.events.search.query({ limit: N });
    expect(first.coverage).toMatchObject({ asked: 5, answered: 5 });
    expect(first.items).toEqual(merged.slice(0, N));
    const second = await client.events.search.query({ limit: N, cursor: first.nextCursor! });
    expect(second.items).toEqual(merged.slice(N, 2 * N));
  });

  it('answers node.info as the tree of nodes, with paths as the BFF sees them', async () => {
    const info = await client.node.info.query();
    expect(info).toMatchObject({ id: 'bff', devices: { total: PROBE_COUNT * DEVICES_PER_PROBE } });
    const district = info.children?.find((c) => c.path === 'district-1');
    expect(district?.info?.children?.map((c) => [c.path, c.state]).sort()).toEqual([
      ['district-1/probe-a', 'up'],
      ['district-1/probe-b', 'up'],
      ['district-1/probe-c', 'up'],
    ]);
  });

  it('previews a rule over every probe through the BFF: each probe replays its own samples, the tiers sum them', async () => {
    // Each probe has devices at temp 20 + i/10: over 40 are i = 201..259, 59 per probe.
    const FIRING_PER_PROBE = DEVICES_PER_PROBE - 201;
    const rule = {
      id: 'hot',
      name: 'Hot',
      severity: 'warning' as const,
      enabled: true,
      scope: { devicePattern: '*', labels: {} },
      condition: {
        kind: 'threshold' as const,
        metric: 'temp',
        operator: '>' as const,
        value: 40,
        hysteresis: 0,
        forMs: 0,
      },
    };
    const window = { from: Date.now() - 3600_000, to: Date.now() + 1000 };
    const fleet = await client.rules.preview.query({ rule, ...window });
    expect(fleet.coverage).toMatchObject({ asked: 5, answered: 5 });
    expect(fleet.fired).toBe(PROBE_COUNT * FIRING_PER_PROBE);
    expect(fleet.replayed.samples).toBe(PROBE_COUNT * DEVICES_PER_PROBE);
    expect(new Set(fleet.timeline.map((t) => t.nodePath))).toEqual(
      new Set([...probes.values()].map((p) => p.path)),
    );

    const oneProbe = await client.rules.preview.query({ rule, nodePath: 'district-1/probe-c', ...window });
    expect(oneProbe.fired).toBe(FIRING_PER_PROBE);
    expect(oneProbe.devices.every((d) => d.nodePath === 'district-1/probe-c')).toBe(true);
  });

  it('streams a subscription over server-sent events at /trpc', async () => {
    const controller = new AbortController();
    const response = await fetch(
      `${bff.url}/trpc/node.watch?input=${encodeURIComponent('{"intervalMs":500}')}`,
      { signal: controller.signal, headers: session.headers },
    );
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    let text = '';
    const decoder = new TextDecoder();
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      text += decoder.decode(chunk, { stream: true });
      if (/\ndata: \{"id":"bff"/.test(text)) break;
    }
    controller.abort();
    expect(text).toMatch(/\ndata: \{"id":"bff"/);
  });

  it('keeps a stalled probe inside the BFF deadline: the district, told the budget, names it timeout', async () => {
    const probeB = probes.get('probe-b')!;
    probeB.tier.signal('SIGSTOP');
    try {
      const started = performance.now();
      const page = await client.devices.list.query({ limit: 500 });
      const elapsed = performance.now() - started;
      expect(elapsed).toBeLessThan(BFF_DEADLINE_MS + SCHEDULING_SLACK_MS);
      const states = Object.fromEntries(page.coverage.nodes.map((n) => [n.path, n.state]));
      // Not `district-1: timeout` — the district answered in time, with its own partial block.
      expect(states).toMatchObject({
        'district-1/probe-a': 'ok',
        'district-1/probe-b': 'timeout',
        'district-1/probe-c': 'ok',
        'probe-d': 'ok',
      });
      expect(page.items).toHaveLength(500);
      expect(page.items.some((d) => d.nodePath === 'district-1/probe-b')).toBe(false);
    } finally {
      probeB.tier.signal('SIGCONT');
    }
  });

  it('names a killed probe unreachable without waiting out the deadline, and the heartbeat marks it down after its missed beats', async () => {
    await waitFor('probe-b back up', async () => {
      const page = await client.devices.list.query({ limit: 1 });
      return page.coverage.nodes.every((n) => n.state === 'ok');
    });
    const probeD = probes.get('probe-d')!;
    const killedAt = performance.now();
    await probeD.tier.stop('SIGKILL');

    const page = await client.devices.list.query({ limit: 500 });
    expect(performance.now() - killedAt).toBeLessThan(BFF_DEADLINE_MS + SCHEDULING_SLACK_MS);
    expect(page.coverage.nodes.find((n) => n.path === 'probe-d')?.state).toBe('unreachable');
    expect(page.items).toHaveLength(500);
    expect(page.items.every((d) => d.nodePath.startsWith('district-1/'))).toBe(true);

    await waitFor(
      'probe-d down',
      async () => childState(await client.node.info.query(), 'probe-d') === 'down',
      10_000,
    );
    expect(performance.now() - killedAt).toBeLessThan(3000 + SCHEDULING_SLACK_MS);
    const later = await client.devices.list.query({ limit: 1 });
    expect(later.coverage.nodes.find((n) => n.path === 'probe-d')).toMatchObject({
      state: 'unreachable',
      latencyMs: 0,
    });
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTRPCClient, httpLink, type TRPCClient } from '@trpc/client';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareDeviceKeys, deviceKeyOf, type Device, type NodeRouter } from '@tierscope/shared';
import { freePort, spawnTier, waitFor, waitReady, type TierProcess } from './testing/processes.ts';

/*
 * Three tiers of real processes, each node on PGlite in memory and its embedded broker:
 *
 *   bff ─┬─ district-1 ─┬─ probe-a
 *        │              └─ probe-b
 *        └─ probe-d
 *
 * The district's own deadline (5 s) is far above the BFF's (1.5 s): only the budget the BFF sends
 * keeps the district's answer inside the BFF's deadline when a probe stalls.
 */
const BFF_DEADLINE_MS = 1500;
const DEVICES_PER_PROBE = 45;
const NODE_MAIN = 'apps/node/src/main.ts';
const BFF_MAIN = 'apps/bff/src/main.ts';

interface Probe {
  id: string;
  path: string;
  mqttPort: number;
  tier: TierProcess;
}

const dataDir = mkdtempSync(join(tmpdir(), 'tierscope-3tiers-'));
const tiers: TierProcess[] = [];
const probes = new Map<string, Probe>();
let bff: TierProcess;
let client: TRPCClient<NodeRouter>;

async function startProbe(id: string, path: string): Promise<Probe> {
  const mqttPort = await freePort();
  const tier = await spawnTier(id, NODE_MAIN, {
    NODE_ID: id,
    DATABASE_URL: 'pglite:memory',
    DATA_DIR: join(dataDir, id),
    MQTT_PORT: String(mqttPort),
  });
  tiers.push(tier);
  return { id, path, mqttPort, tier };
}

/** Each probe gets the same device ids, so the global order must break ties by node path. */
async function publishTelemetry(probe: Probe): Promise<void> {
  const connection = await mqtt.connectAsync(`mqtt://127.0.0.1:${probe.mqttPort}`, { clientId: `test-${probe.id}` });
  try {
    await Promise.all(
      Array.from({ length: DEVICES_PER_PROBE }, (_, i) =>
        connection.publishAsync(
          `devices/dev-${String(i).padStart(3, '0')}/telemetry`,
          JSON.stringify({ metrics: { temp: 20 + i / 10 } }),
          { qos: 1 },
        ),
      ),
    );
  } finally {
    await connection.endAsync();
  }
}

function childState(info: Awaited<ReturnType<TRPCClient<NodeRouter>['node']['info']['query']>>, path: string) {
  return info.children?.find((c) => c.path === path)?.state;
}

beforeAll(async () => {
  const started = await Promise.all([
    startProbe('probe-a', 'district-1/probe-a'),
    startProbe('probe-b', 'district-1/probe-b'),
    startProbe('probe-d', 'probe-d'),
  ]);
  await Promise.all(started.map((p) => waitReady(p.tier)));
  for (const probe of started) probes.set(probe.id, probe);
  await Promise.all(started.map(publishTelemetry));

  const district = await spawnTier('district-1', NODE_MAIN, {
    NODE_ID: 'district-1',
    DATABASE_URL: 'pglite:memory',
    DATA_DIR: join(dataDir, 'district-1'),
    MQTT_PORT: String(await freePort()),
    CHILDREN: `probe-a=${probes.get('probe-a')!.tier.url},probe-b=${probes.get('probe-b')!.tier.url}`,
    FEDERATION_DEADLINE_MS: '5000',
  });
  tiers.push(district);
  bff = await spawnTier('bff', BFF_MAIN, {
    CHILDREN: `district-1=${district.url},probe-d=${probes.get('probe-d')!.tier.url}`,
    FEDERATION_DEADLINE_MS: String(BFF_DEADLINE_MS),
    WEB_DIST: join(dataDir, 'no-console-here'),
  });
  tiers.push(bff);
  await Promise.all([waitReady(district), waitReady(bff)]);
  client = createTRPCClient<NodeRouter>({ links: [httpLink({ url: `${bff.url}/trpc` })] });

  await waitFor('every device ingested and every node up', async () => {
    const info = await client.node.info.query();
    return (
      info.devices.total === 3 * DEVICES_PER_PROBE &&
      childState(info, 'district-1') === 'up' &&
      childState(info, 'probe-d') === 'up'
    );
  });
}, 90_000);

afterAll(async () => {
  await Promise.all(tiers.map((t) => t.stop('SIGTERM')));
  rmSync(dataDir, { recursive: true, force: true });
});

describe('three tiers of real processes', () => {
  it('pages devices.list through the BFF with a small page, visiting each device exactly once in the global order', async () => {
    const seen: Device[] = [];
    let cursor: string | undefined;
    do {
      const page = await client.devices.list.query({ limit: 7, cursor });
      expect(page.items.length).toBeLessThanOrEqual(7);
      // The district answers for its own (empty) store too: four nodes in all.
      expect(page.coverage).toMatchObject({ asked: 4, answered: 4 });
      seen.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);

    expect(seen).toHaveLength(3 * DEVICES_PER_PROBE);
    const keys = seen.map(deviceKeyOf);
    expect(keys).toEqual([...keys].sort(compareDeviceKeys));
    expect(new Set(keys.map((k) => `${k.path}|${k.id}`)).size).toBe(seen.length);
    const perPath = new Map<string, number>();
    for (const d of seen) perPath.set(d.nodePath, (perPath.get(d.nodePath) ?? 0) + 1);
    expect(Object.fromEntries(perPath)).toEqual({
      'district-1/probe-a': DEVICES_PER_PROBE,
      'district-1/probe-b': DEVICES_PER_PROBE,
      'probe-d': DEVICES_PER_PROBE,
    });
  });

  it('answers node.info as the tree of nodes, with paths as the BFF sees them', async () => {
    const info = await client.node.info.query();
    expect(info).toMatchObject({ id: 'bff', devices: { total: 3 * DEVICES_PER_PROBE } });
    const district = info.children?.find((c) => c.path === 'district-1');
    expect(district?.info?.children?.map((c) => [c.path, c.state])).toEqual([
      ['district-1/probe-a', 'up'],
      ['district-1/probe-b', 'up'],
    ]);
  });

  it('streams a subscription over server-sent events at /trpc', async () => {
    const controller = new AbortController();
    const response = await fetch(`${bff.url}/trpc/node.watch?input=${encodeURIComponent('{"intervalMs":500}')}`, {
      signal: controller.signal,
    });
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
      expect(elapsed).toBeLessThan(BFF_DEADLINE_MS + 200);
      const states = Object.fromEntries(page.coverage.nodes.map((n) => [n.path, n.state]));
      // Not `district-1: timeout` — the district answered in time, with its own partial block.
      expect(states).toMatchObject({ 'district-1/probe-a': 'ok', 'district-1/probe-b': 'timeout', 'probe-d': 'ok' });
      expect(page.items).toHaveLength(2 * DEVICES_PER_PROBE);
    } finally {
      probeB.tier.signal('SIGCONT');
    }
  });

  it('names a killed probe unreachable within the deadline, and the heartbeat marks it down within 3 s', async () => {
    await waitFor('probe-b back up', async () => childState(await client.node.info.query(), 'district-1') === 'up');
    const probeD = probes.get('probe-d')!;
    const killedAt = performance.now();
    await probeD.tier.stop('SIGKILL');

    const page = await client.devices.list.query({ limit: 500 });
    expect(performance.now() - killedAt).toBeLessThan(BFF_DEADLINE_MS + 200);
    expect(page.coverage.nodes.find((n) => n.path === 'probe-d')?.state).toBe('unreachable');
    expect(page.items.filter((d) => d.nodePath.startsWith('district-1/'))).toHaveLength(2 * DEVICES_PER_PROBE);

    await waitFor('probe-d down', async () => childState(await client.node.info.query(), 'probe-d') === 'down', 5000);
    expect(performance.now() - killedAt).toBeLessThan(3000);
    const later = await client.devices.list.query({ limit: 1 });
    expect(later.coverage.nodes.find((n) => n.path === 'probe-d')).toMatchObject({ state: 'unreachable', latencyMs: 0 });
  });
});

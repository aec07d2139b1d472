import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTRPCClient, httpLink, type TRPCClient } from '@trpc/client';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeInfo, NodeRouter } from '@tierscope/shared';
import {
  fetchAs,
  freePort,
  loginToConsole,
  spawnBff,
  spawnTestNode,
  waitFor,
  waitReady,
  type ConsoleSession,
  type NodeProcess,
  type TierProcess,
} from './testing/processes.ts';

/*
 * A probe with no inbound address, as far as its parent knows: the district is given no URL for
 * probe-u, only its node token; probe-u dials the district's uplink WebSocket. probe-w dials with
 * a wrong token. Every process is real, on PGlite in memory and its embedded broker:
 *
 *   bff ── district-1 ─┬─ probe-u   PARENT_UPLINK_URL, the right token
 *                      └─ probe-w   PARENT_UPLINK_URL, a wrong token (refused)
 */
const DEVICES = 20;
/** PGlite and tsx start slowly when several processes start at once on a small machine. */
const READY_TIMEOUT_MS = 100_000;
const PROBE_U = 'district-1/probe-u';
const PROBE_W = 'district-1/probe-w';

const dataDir = mkdtempSync(join(tmpdir(), 'tierscope-uplink-'));
const tokens = {
  'probe-u': randomBytes(24).toString('base64url'),
  'probe-w': randomBytes(24).toString('base64url'),
};
const tiers = new Set<TierProcess>();
let districtEnv: Record<string, string>;
let district: TierProcess;
let probeU: NodeProcess;
let probeW: TierProcess;
let client: TRPCClient<NodeRouter>;
let bffUrl = '';
let session: ConsoleSession;

async function track<T extends TierProcess>(spawning: Promise<T>): Promise<T> {
  const tier = await spawning;
  tiers.add(tier);
  return tier;
}

async function publishTelemetry(mqttUrl: string, deviceIds: string[]): Promise<void> {
  const connection = await mqtt.connectAsync(mqttUrl, {
    clientId: `test-${randomBytes(4).toString('hex')}`,
  });
  try {
    for (const id of deviceIds)
      await connection.publishAsync(`devices/${id}/telemetry`, JSON.stringify({ metrics: { temp: 21 } }), {
        qos: 1,
      });
  } finally {
    await connection.endAsync();
  }
}

/** The state of the node at `path` as the BFF's coverage block names it. */
async function coverageState(path: string): Promise<string | undefined> {
  const page = await client.devices.list.query({ limit: 1 }).catch(() => null);
  return page?.coverage.nodes.find((n) => n.path === path)?.state;
}

function findNode(
  info: NodeInfo,
  path: string,
): NodeInfo['children'] extends (infer C)[] | undefined ? C | undefined : never {
  for (const child of info.children ?? []) {
    if (child.path === path) return child;
    const inner = child.info ? findNode(child.info, path) : undefined;
    if (inner) return inner;
  }
  return undefined;
}

/** Reads the BFF's `node.watch` stream until `until` holds for one of its events, or fails after `timeoutMs`. */
async function watchUntil(
  until: (info: NodeInfo) => boolean,
  onFirst: () => Promise<void>,
  timeoutMs = 20_000,
) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const seen: NodeInfo[] = [];
  try {
    const response = await fetch(
      `${bffUrl}/trpc/node.watch?input=${encodeURIComponent('{"intervalMs":500}')}`,
      { signal: controller.signal, headers: session.headers },
    );
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 1);
        if (!line.startsWith('data: {')) continue;
        const info = JSON.parse(line.slice('data: '.length)) as NodeInfo;
        seen.push(info);
        if (seen.length === 1) await onFirst();
        if (until(info)) return seen;
      }
    }
  } catch (error) {
    if (!controller.signal.aborted) throw error;
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  throw new Error(`node.watch never showed what was expected; ${seen.length} events seen`);
}

beforeAll(async () => {
  const districtPort = await freePort();
  const uplinkUrl = `ws://127.0.0.1:${districtPort}/uplink`;
  const probeEnv = (token: string) => ({ PARENT_UPLINK_URL: uplinkUrl, NODE_TOKEN: token });
  probeU = await track(spawnTestNode('probe-u', dataDir, probeEnv(tokens['probe-u'])));
  probeW = await track(spawnTestNode('probe-w', dataDir, probeEnv(randomBytes(24).toString('base64url'))));
  districtEnv = {
    HTTP_PORT: String(districtPort),
    MQTT_PORT: String(await freePort()),
    // No CHILDREN: the district has no address for either probe.
    UPLINK_CHILDREN: `probe-u=${tokens['probe-u']},probe-w=${tokens['probe-w']}`,
  };
  district = await track(spawnTestNode('district-1', dataDir, districtEnv));
  const bff = await track(
    spawnBff({ CHILDREN: `district-1=${district.url}`, WEB_DIST: join(dataDir, 'no-console-here') }),
  );
  bffUrl = bff.url;
  await Promise.all([probeU, probeW, district, bff].map((tier) => waitReady(tier, READY_TIMEOUT_MS)));
  session = await loginToConsole(bff.url);
  client = createTRPCClient<NodeRouter>({
    links: [httpLink({ url: `${bff.url}/trpc`, fetch: fetchAs(session) })],
  });

  await publishTelemetry(
    probeU.mqttUrl,
    Array.from({ length: DEVICES }, (_, i) => `u-${String(i).padStart(2, '0')}`),
  );
  await waitFor('probe-u attached, with its devices', async () => {
    const page = await client.devices.list.query({ limit: 500 }).catch(() => null);
    return page?.items.filter((d) => d.nodePath === PROBE_U).length === DEVICES;
  });
}, 180_000);

afterAll(async () => {
  await Promise.all([...tiers].map((t) => t.stop('SIGTERM')));
  rmSync(dataDir, { recursive: true, force: true });
});

describe('a probe attached only by its uplink', () => {
  it('lists its devices through the BFF and the district, under its node path', async () => {
    const page = await client.devices.list.query({ limit: 500 });
    expect(page.items.map((d) => d.nodePath)).toEqual(Array(DEVICES).fill(PROBE_U));
    expect(page.coverage.nodes.find((n) => n.path === PROBE_U)?.state).toBe('ok');
    // The tree is what each tier's heartbeat last heard, so it may lag a beat behind the lists.
    await waitFor('probe-u in the node.info tree', async () => {
      const node = findNode(await client.node.info.query(), PROBE_U);
      return node?.state === 'up' && node.info?.devices.total === DEVICES;
    });
    // The tree says how each child is attached: only an uplink child has a token to rotate.
    const info = await client.node.info.query();
    expect(findNode(info, PROBE_U)?.attachment).toBe('uplink');
    expect(findNode(info, 'district-1')?.attachment).toBe('dialled');
  });

  it('routes devices.get by node path down the uplink', async () => {
    const device = await client.devices.get.query({ nodePath: PROBE_U, deviceId: 'u-07' });
    expect(device).toMatchObject({ id: 'u-07', nodePath: PROBE_U, latest: { temp: { value: 21 } } });
  });

  it('routes a mutation down the uplink: devices.upsert renames a device on the probe', async () => {
    const updated = await client.devices.upsert.mutate({
      nodePath: PROBE_U,
      deviceId: 'u-03',
      name: 'Pump room 3',
      site: 'north',
    });
    expect(updated).toMatchObject({ id: 'u-03', nodePath: PROBE_U, name: 'Pump room 3', site: 'north' });
    // The probe's own store has it: asked straight, at the port its parent was never given.
    const direct = createTRPCClient<NodeRouter>({ links: [httpLink({ url: `${probeU.url}/trpc` })] });
    expect(await direct.devices.get.query({ deviceId: 'u-03' })).toMatchObject({
      name: 'Pump room 3',
      nodePath: 'probe-u',
    });
  });

  it('streams node.watch through the BFF over SSE, with the probe live in the tree', async () => {
    const seen = await watchUntil(
      (info) => findNode(info, PROBE_U)?.info?.devices.total === DEVICES + 1,
      // A device that appears on the probe after the stream started shows up in a later event.
      () => publishTelemetry(probeU.mqttUrl, ['u-new']),
    );
    expect(findNode(seen.at(-1)!, PROBE_U)).toMatchObject({ state: 'up', info: { path: PROBE_U } });
    expect(seen.length).toBeGreaterThan(1);
  });

  it('refuses a wrong node token: that probe never appears', async () => {
    expect(await coverageState(PROBE_W)).toBe('unreachable');
    const page = await client.devices.list.query({ limit: 500 });
    expect(page.items.some((d) => d.nodePath === PROBE_W)).toBe(false);
    // Listed by the district (it is configured), but it never answered a single heartbeat.
    expect(findNode(await client.node.info.query(), PROBE_W)).toMatchObject({
      lastHeartbeatAt: null,
      info: null,
    });
    // probe-w was told why, and keeps trying (slowly) instead of giving up.
    expect(probeW.output()).toMatch(/Unexpected server response: 401/);
  });

  it('reattaches by itself after the district restarts, with what its devices sent meanwhile', async () => {
    await district.stop('SIGTERM');
    tiers.delete(district);
    await waitFor(
      'the BFF to see the district gone',
      async () => (await coverageState('district-1')) !== 'ok',
      10_000,
    );
    // The probe keeps taking telemetry while its parent is gone: new devices report.
    const meanwhile = Array.from({ length: 5 }, (_, i) => `away-${i}`);
    await publishTelemetry(probeU.mqttUrl, meanwhile);

    district = await track(spawnTestNode('district-1', dataDir, districtEnv));
    await waitReady(district, READY_TIMEOUT_MS);
    await waitFor(
      'probe-u reattached and answering through the BFF',
      async () => (await coverageState(PROBE_U)) === 'ok',
      30_000,
    );
    const devicesOnProbe = async () =>
      (await client.devices.list.query({ limit: 500 })).items.filter((d) => d.nodePath === PROBE_U);
    await waitFor(
      'every device that reported meanwhile listed',
      async () => (await devicesOnProbe()).length === DEVICES + 1 + meanwhile.length,
      10_000,
    );
    const onProbe = await devicesOnProbe();
    expect(onProbe.filter((d) => meanwhile.includes(d.id)).map((d) => d.latest.temp?.value)).toEqual(
      meanwhile.map(() => 21),
    );
    expect(await client.devices.get.query({ nodePath: PROBE_U, deviceId: 'u-03' })).toMatchObject({
      name: 'Pump room 3',
    });
    expect(await coverageState(PROBE_W)).toBe('unreachable');
  });
});

// Device access on a real node process: logins made through the contract, the embedded broker's
// topic ACL, and quarantine — with real mqtt.js devices, on PGlite and (TEST_DATABASE_URL) PostgreSQL.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { commandsTopic, statusTopic, telemetryTopic } from '@tierscope/shared';
import { openNodeStore } from '../store/client.ts';
import { createPostgresDatabase } from '@tierscope/test-support/test-databases';
import { freePort, startNodeProcess, waitFor, type NodeProcess } from '../testing/node-process.ts';

interface NodeSetup {
  databaseUrl: string;
  env: Record<string, string>;
  brokerUrl: string;
  cleanup(): Promise<void>;
}

/** A node's database and data directory; PGlite on disk, so the test can read it after the node stops. */
interface Backend {
  name: string;
  setup(): Promise<NodeSetup>;
}

async function setupWith(databaseUrl: string, dir: string, dropDatabase: () => Promise<void>) {
  const mqttPort = await freePort();
  return {
    databaseUrl,
    env: { DATABASE_URL: databaseUrl, DATA_DIR: dir, MQTT_PORT: String(mqttPort) },
    brokerUrl: `mqtt://127.0.0.1:${mqttPort}`,
    cleanup: async () => {
      await dropDatabase();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const backends: Backend[] = [
  {
    name: 'PGlite',
    setup: () => {
      const dir = mkdtempSync(join(tmpdir(), 'tierscope-access-'));
      return setupWith(`pglite:${dir}/db`, dir, async () => {});
    },
  },
];
const serverDatabase = process.env.TEST_DATABASE_URL;
if (serverDatabase) {
  backends.push({
    name: 'PostgreSQL',
    setup: async () => {
      const database = await createPostgresDatabase(serverDatabase);
      return setupWith(database.url, mkdtempSync(join(tmpdir(), 'tierscope-access-')), () => database.drop());
    },
  });
}

const run = randomBytes(3).toString('hex');
const openClients: MqttClient[] = [];

afterEach(async () => {
  for (const client of openClients.splice(0)) await client.endAsync(true).catch(() => undefined);
});

/** Connects over MQTT 3.1.1 (what aedes speaks) without reconnecting; rejects with the CONNACK error. */
async function connectDevice(url: string, options: IClientOptions): Promise<MqttClient> {
  const client = await mqtt.connectAsync(
    url,
    { protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5000, ...options },
    false,
  );
  openClients.push(client);
  return client;
}

/** The CONNACK return code a login gets: 0 when it connects (the client is closed again). */
async function connackCode(url: string, options: IClientOptions): Promise<number> {
  try {
    const client = await connectDevice(url, options);
    await client.endAsync();
    return 0;
  } catch (error) {
    return (error as { code?: number }).code ?? -1;
  }
}

/** Resolves when the broker closes the client's connection; fails after `ms`. */
function closedWithin(client: MqttClient, ms: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what}: still connected after ${ms} ms`)), ms);
    client.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

function telemetry(temp: number, ts?: number): string {
  return JSON.stringify(ts === undefined ? { metrics: { temp } } : { ts, metrics: { temp } });
}

async function latestTemp(node: NodeProcess, deviceId: string): Promise<number | undefined> {
  const latest = await node.client.metrics.latest.query({ deviceId }).catch(() => undefined);
  return latest?.values.temp?.value;
}

function waitForTemp(node: NodeProcess, deviceId: string, temp: number): Promise<void> {
  return waitFor(
    `${deviceId} to report temp ${temp}`,
    async () => (await latestTemp(node, deviceId)) === temp,
    15_000,
  );
}

/** The value of `tierscope_mqtt_refusals_total{kind}` in the node's /metrics. */
async function refusals(node: NodeProcess, kind: string): Promise<number> {
  const text = await (await fetch(`${node.httpUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`tierscope_mqtt_refusals_total{kind="${kind}"}`));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

describe.each(backends)('device access with DEVICE_AUTH=required on $name', (backend) => {
  const nodeId = `acc-${run}`;
  const a = `${nodeId}-a`;
  const b = `${nodeId}-b`;
  const passwords = new Map<string, string>();
  let setup: NodeSetup;
  let node: NodeProcess;
  const login = (deviceId: string, options: IClientOptions = {}) =>
    connectDevice(setup.brokerUrl, {
      clientId: `${deviceId}-${randomBytes(2).toString('hex')}`,
      username: deviceId,
      password: passwords.get(deviceId),
      ...options,
    });

  beforeAll(async () => {
    setup = await backend.setup();
    node = await startNodeProcess({ ...setup.env, NODE_ID: nodeId, DEVICE_AUTH: 'required' });
  });
  afterAll(async () => {
    await node.kill('SIGTERM');
    await setup.cleanup();
  });

  it('logs a device in with the password rotateCredentials returned, and refuses a wrong, missing or replaced one (CONNACK 4)', async () => {
    const credentials = await node.client.devices.rotateCredentials.mutate({ deviceId: a });
    expect(credentials).toMatchObject({ deviceId: a, nodePath: nodeId, username: a });
    expect(credentials.password).toMatch(/^[A-Za-z0-9_-]{43}$/);
    passwords.set(a, credentials.password);

    const device = await login(a);
    await device.publishAsync(telemetryTopic(a), telemetry(1), { qos: 1 });
    await waitForTemp(node, a, 1);

    const url = setup.brokerUrl;
    expect(await connackCode(url, { username: a, password: `${credentials.password}x` })).toBe(4);
    expect(await connackCode(url, { username: a })).toBe(4);
    expect(await connackCode(url, {})).toBe(4);
    expect(await connackCode(url, { username: b, password: credentials.password })).toBe(4);

    const rotated = await node.client.devices.rotateCredentials.mutate({ deviceId: a });
    passwords.set(a, rotated.password);
    expect(await connackCode(url, { username: a, password: credentials.password })).toBe(4);
    expect(await connackCode(url, { username: a, password: rotated.password })).toBe(0);
    // Rotation refuses the old password to new logins; cutting a live session is quarantine's job.
    expect(device.connected).toBe(true);
  });

  it("stores a device's own messages and refuses, unstored, a publish or a last will under another device's topic", async () => {
    passwords.set(b, (await node.client.devices.rotateCredentials.mutate({ deviceId: b })).password);
    const impostor = await login(a);
    const cut = closedWithin(impostor, 5000, 'a publish under another device');
    impostor.publish(telemetryTopic(b), telemetry(666), { qos: 1 });
    // MQTT 3.1.1 cannot refuse one publish: the broker closes the publisher's connection, unacked.
    await cut;

    const forgedWill = await login(a, {
      will: { topic: statusTopic(b), payload: Buffer.from('offline'), qos: 1, retain: false },
    });
    forgedWill.stream.destroy();
    const ownWill = await login(a, {
      will: { topic: statusTopic(a), payload: Buffer.from('offline'), qos: 1, retain: false },
    });
    ownWill.stream.destroy();
    await waitFor('the own last will to be stored', async () => {
      const device = await node.client.devices.get.query({ deviceId: a });
      return device.status === 'offline';
    });
    // Either forged message, stored, would have registered b (UNKNOWN_DEVICES=register).
    await expect(node.client.devices.get.query({ deviceId: b })).rejects.toThrow(/no device/);

    const honest = await login(b);
    await honest.publishAsync(telemetryTopic(b), telemetry(2), { qos: 1 });
    await waitForTemp(node, b, 2);
    const letters = await node.client.deadLetters.list.query({ limit: 500 });
    expect(letters.items.filter((l) => l.topic.startsWith(`devices/${b}/`))).toEqual([]);
    expect(await refusals(node, 'publish')).toBeGreaterThanOrEqual(2);
  });

  it('lets a device subscribe to its own commands only, and keeps the connection after a refused subscription', async () => {
    const device = await login(a);
    // mqtt.js rejects a SUBACK holding a failure (0x80) and hands over the packet with the error.
    const suback = await device
      .subscribeAsync({
        [commandsTopic(b)]: { qos: 1 },
        'devices/+/commands': { qos: 1 },
        [telemetryTopic(b)]: { qos: 1 },
        [commandsTopic(a)]: { qos: 1 },
      })
      .then(
        () => undefined,
        (error: unknown) => (error as { packet?: { granted?: number[] } }).packet,
      );
    expect(suback?.granted).toEqual([128, 128, 128, 1]);
    expect(device.connected).toBe(true);
    await device.publishAsync(telemetryTopic(a), telemetry(3), { qos: 1 });
    await waitForTemp(node, a, 3);
    expect(await refusals(node, 'subscribe')).toBe(3);
  });

  it('drops a quarantined device at once, refuses its logins (CONNACK 5) while others carry on, and lets it back on release', async () => {
    const quarantined = await login(a);
    const other = await login(b);
    const cut = closedWithin(quarantined, 5000, 'the quarantined device');
    const device = await node.client.devices.quarantine.mutate({ deviceId: a, reason: 'tampered enclosure' });
    expect(device.quarantine).toMatchObject({ reason: 'tampered enclosure', until: null });
    await cut;
    expect(await connackCode(setup.brokerUrl, { username: a, password: passwords.get(a) })).toBe(5);
    expect(await refusals(node, 'quarantined')).toBeGreaterThanOrEqual(1);

    await other.publishAsync(telemetryTopic(b), telemetry(4), { qos: 1 });
    await waitForTemp(node, b, 4);

    const released = await node.client.devices.release.mutate({ deviceId: a });
    expect(released.quarantine).toBeUndefined();
    const back = await login(a);
    await back.publishAsync(telemetryTopic(a), telemetry(5), { qos: 1 });
    await waitForTemp(node, a, 5);
  });

  it('audits every rotation, quarantine and release, never with the password', async () => {
    await node.kill('SIGTERM');
    const store = await openNodeStore(setup.databaseUrl);
    try {
      const rows = await store.exec<{ actor: string; action: string; target: string; details: unknown }>(
        `SELECT actor, action, target, details FROM audit_log WHERE target LIKE $1 ORDER BY id`,
        [`${nodeId}-%`],
      );
      expect(rows.map((r) => [r.action, r.target, r.actor])).toEqual([
        ['device.credentials.rotate', a, 'system:local'],
        ['device.credentials.rotate', a, 'system:local'],
        ['device.credentials.rotate', b, 'system:local'],
        ['device.quarantine', a, 'system:local'],
        ['device.release', a, 'system:local'],
      ]);
      const written = JSON.stringify(rows);
      for (const password of passwords.values()) expect(written).not.toContain(password);
      const [stored] = await store.exec<{ password_hash: string }>(
        `SELECT password_hash FROM device_credentials WHERE device_id = $1`,
        [a],
      );
      // A generated secret is kept as SHA-256 of the token, never as itself (docs/decisions/0025).
      expect(stored?.password_hash).toMatch(/^\$sha256\$/);
    } finally {
      await store.close();
    }
  });
});

describe.each(backends)('quarantine with DEVICE_AUTH=off on $name', (backend) => {
  const nodeId = `qoff-${run}`;
  const quarantined = `${nodeId}-q`;
  const others = Array.from({ length: 5 }, (_, i) => `${nodeId}-d${i}`);
  let setup: NodeSetup;
  let node: NodeProcess;

  beforeAll(async () => {
    setup = await backend.setup();
    node = await startNodeProcess({ ...setup.env, NODE_ID: nodeId, DEVICE_AUTH: 'off' });
  });
  afterAll(async () => {
    await node.kill('SIGTERM');
    await setup.cleanup();
  });

  it("dead-letters what arrives for a quarantined device (reason quarantined) while the others' traffic is stored complete, until `until` lifts it", async () => {
    // With DEVICE_AUTH=off the broker knows a device's connection by its client id.
    const device = await connectDevice(setup.brokerUrl, { clientId: quarantined });
    await device.publishAsync(telemetryTopic(quarantined), telemetry(1), { qos: 1 });
    await waitForTemp(node, quarantined, 1);

    const cut = closedWithin(device, 5000, 'the quarantined device');
    const until = Date.now() + 5000;
    const answer = await node.client.devices.quarantine.mutate({
      deviceId: quarantined,
      reason: 'firmware recall',
      until,
    });
    expect(answer.quarantine).toMatchObject({ reason: 'firmware recall', until });
    await cut;
    expect(await connackCode(setup.brokerUrl, { clientId: quarantined })).toBe(5);

    // A gateway publishing for every device, the quarantined one's messages mixed in.
    const startTs = Date.now() - 60_000;
    const messages = Array.from({ length: 500 }, (_, i) => ({
      topic: telemetryTopic(others[i % others.length]!),
      payload: telemetry(20 + (i % 7), startTs + i),
    }));
    const forged = Array.from({ length: 20 }, (_, i) => ({
      topic: telemetryTopic(quarantined),
      payload: telemetry(99, startTs + i),
    }));
    const mixed = messages.flatMap((m, i) => (i % 25 === 0 ? [forged[i / 25]!, m] : [m]));
    const gateway = await connectDevice(setup.brokerUrl, { clientId: `${nodeId}-gateway` });
    await Promise.all(mixed.map((m) => gateway.publishAsync(m.topic, m.payload, { qos: 1 })));
    for (const id of others) {
      const last = messages.filter((m) => m.topic === telemetryTopic(id)).at(-1)!;
      await waitForTemp(node, id, (JSON.parse(last.payload) as { metrics: { temp: number } }).metrics.temp);
    }

    await waitFor('the quarantined device’s messages to be dead-lettered', async () => {
      const page = await node.client.deadLetters.list.query({ reason: 'quarantined', limit: 100 });
      return page.items.length === forged.length;
    });
    const letters = await node.client.deadLetters.list.query({ reason: 'quarantined', limit: 100 });
    expect(letters.items.every((l) => l.topic === telemetryTopic(quarantined))).toBe(true);
    expect(letters.items[0]?.detail).toContain('firmware recall');
    expect(await latestTemp(node, quarantined)).toBe(1);

    await waitFor(
      'the quarantine to lift at `until`',
      async () => (await connackCode(setup.brokerUrl, { clientId: quarantined })) === 0,
      20_000,
    );
    expect((await node.client.devices.get.query({ deviceId: quarantined })).quarantine).toBeUndefined();
    const back = await connectDevice(setup.brokerUrl, { clientId: quarantined });
    await back.publishAsync(telemetryTopic(quarantined), telemetry(2), { qos: 1 });
    await waitForTemp(node, quarantined, 2);

    await node.kill('SIGTERM');
    const store = await openNodeStore(setup.databaseUrl);
    try {
      const counted = await store.exec<{ device_id: string; rows: number }>(
        `SELECT device_id, count(*)::int AS rows FROM samples WHERE device_id LIKE $1 GROUP BY device_id`,
        [`${nodeId}-%`],
      );
      const rows = Object.fromEntries(counted.map((c) => [c.device_id, c.rows]));
      expect(rows).toEqual({
        [quarantined]: 2,
        ...Object.fromEntries(others.map((id) => [id, messages.length / others.length])),
      });
    } finally {
      await store.close();
    }
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync, type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { emptyDeviceAccess } from '../access/device-access.ts';
import { testMqttBackends } from '@tierscope/test-support/test-databases';
import { EmbeddedBroker } from './embedded-broker.ts';
import { MemoryIngestStore } from '../testing/memory-ingest-store.ts';
import { MqttConnection } from './mqtt-connection.ts';
import { startIngest, type IngestRuntime, type IngestRuntimeConfig } from './start-ingest.ts';
import { TelemetryIngest } from './telemetry-ingest.ts';

const logger = pino({ level: 'silent' });
const N = 2000;
const runId = `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;

let dataDir: string;
const clients: MqttClient[] = [];
const runtimes: IngestRuntime[] = [];

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'ingest-int-'));
});
afterEach(async () => {
  for (const client of clients.splice(0)) await client.endAsync(true);
  for (const runtime of runtimes.splice(0)) await runtime.stop(1000).catch(() => false);
  rmSync(dataDir, { recursive: true, force: true });
});

function configFor(nodeId: string, mqttUrl: string | undefined): IngestRuntimeConfig {
  return {
    nodeId,
    dataDir,
    mqttUrl,
    mqttPort: 0,
    mqttUsername: undefined,
    mqttPassword: undefined,
    deviceAuth: 'off',
    rawRetentionDays: 30,
    unknownDevices: 'register',
    batchMaxSamples: 500,
    batchMaxAgeMs: 20,
    queueLimit: 1000,
  };
}

async function start(
  name: string,
  mqttUrl: string | undefined,
  store: MemoryIngestStore,
  nodeId: string,
): Promise<{ runtime: IngestRuntime; url: string }> {
  const runtime = await startIngest({
    config: configFor(nodeId, mqttUrl),
    store,
    logger,
    access: emptyDeviceAccess(),
    embeddedBrokerHost: '127.0.0.1',
    mqttClientId: `tierscope-node-${nodeId}`,
    sessionExpirySeconds: 120,
  });
  runtimes.push(runtime);
  const { intake } = runtime;
  if (intake instanceof MqttConnection) await intake.whenSubscribed();
  const url = intake instanceof EmbeddedBroker ? `mqtt://127.0.0.1:${intake.port}` : mqttUrl!;
  return { runtime, url };
}

async function device(
  url: string,
  id: string,
  will?: { topic: string; payload: Buffer },
): Promise<MqttClient> {
  const client = await connectAsync(url, {
    clientId: `it-dev-${id}`,
    // aedes 1.2 speaks MQTT 3.1.1 only (its MQTT 5 line is a beta).
    protocolVersion: 4,
    reconnectPeriod: 0,
    ...(will ? { will: { ...will, qos: 1 as const, retain: false } } : {}),
  });
  clients.push(client);
  return client;
}

/** Publishes `count` QoS 1 telemetry messages with distinct ts and waits for every PUBACK. */
async function publishTelemetry(
  client: MqttClient,
  deviceId: string,
  from: number,
  count: number,
): Promise<void> {
  const base = Date.now() - 60_000;
  const inFlight: Array<Promise<unknown>> = [];
  for (let i = from; i < from + count; i++) {
    inFlight.push(
      client.publishAsync(
        `devices/${deviceId}/telemetry`,
        JSON.stringify({ ts: base + i, metrics: { n: i, t: 20 } }),
        { qos: 1 },
      ),
    );
  }
  await Promise.all(inFlight);
}

/**
 * Publishes in chunks, each once the previous one is stored: stock Mosquitto (max_queued_messages
 * 1000) drops QoS 1 messages to a subscriber more than 1000 behind, a loss that is the broker's.
 */
async function publishPaced(
  client: MqttClient,
  deviceId: string,
  count: number,
  store: MemoryIngestStore,
): Promise<void> {
  const chunk = 250;
  for (let from = 0; from < count; from += chunk) {
    const size = Math.min(chunk, count - from);
    await publishTelemetry(client, deviceId, from, size);
    await waitFor(() => store.samplesOf(deviceId).length >= 2 * (from + size));
  }
}

async function waitFor(check: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const distinctValues = (store: MemoryIngestStore, deviceId: string) =>
  new Set(
    store
      .samplesOf(deviceId)
      .filter((s) => s.metric === 'n')
      .map((s) => s.value),
  );

describe.each(testMqttBackends())('ingest over MQTT ($name broker)', ({ name, url: brokerUrl }) => {
  it(`stores both samples of each of ${N} QoS 1 messages published`, async () => {
    const store = new MemoryIngestStore();
    const nodeId = `it-${name}-${runId}-a`;
    const { runtime, url } = await start(name, brokerUrl, store, nodeId);
    const deviceId = `it-${runId}-count`;
    const publisher = await device(url, `${runId}-count`);
    if (name === 'embedded') {
      await publishTelemetry(publisher, deviceId, 0, N);
      // Embedded: a PUBACK means journaled and queued, so stopping now must still commit all of them.
      expect(await runtime.stop()).toBe(true);
    } else {
      await publishPaced(publisher, deviceId, N, store);
      expect(await runtime.stop()).toBe(true);
    }
    expect(store.samplesOf(deviceId)).toHaveLength(2 * N);
    expect(distinctValues(store, deviceId).size).toBe(N);
    expect(store.devices.has(deviceId)).toBe(true);
  });

  it('replays exactly the messages above a checkpoint that is behind when restarted on the same journal', async () => {
    const store = new MemoryIngestStore();
    const { runtime, url } = await start(name, brokerUrl, store, `it-${name}-${runId}-b`);
    const deviceId = `it-${runId}-replay`;
    const publisher = await device(url, `${runId}-replay`);
    await publishPaced(publisher, deviceId, 1000, store);
    await runtime.stop();
    runtimes.splice(runtimes.indexOf(runtime), 1);

    const lastSeq = store.checkpoint;
    const behind = new MemoryIngestStore();
    behind.checkpoint = lastSeq - 300;
    const restarted = await TelemetryIngest.start({
      config: configFor('replay', undefined),
      store: behind,
      logger,
    });
    expect(restarted.stats().replayed).toBe(300);
    await restarted.stop();
    expect(behind.checkpoint).toBe(lastSeq);
    if (name === 'embedded') {
      // Only our device publishes to the embedded broker: the last 300 seqs are messages 700..999.
      expect([...distinctValues(behind, deviceId)].sort((a, b) => a - b)).toEqual(
        Array.from({ length: 300 }, (_, i) => 700 + i),
      );
    } else {
      const replayed = distinctValues(behind, deviceId);
      const original = distinctValues(store, deviceId);
      expect(replayed.size).toBeGreaterThan(0);
      expect([...replayed].every((value) => original.has(value))).toBe(true);
    }
  });
});

describe('embedded broker', () => {
  it('ingests a device last will on its status topic', async () => {
    const store = new MemoryIngestStore();
    const { runtime, url } = await start('embedded', undefined, store, `it-will-${runId}`);
    const deviceId = `it-${runId}-will`;
    const client = await device(url, `${runId}-will`, {
      topic: `devices/${deviceId}/status`,
      payload: Buffer.from('offline'),
    });
    await client.publishAsync(`devices/${deviceId}/status`, 'online', { qos: 1 });
    client.stream.destroy(); // dies without DISCONNECT: the broker publishes the will
    await waitFor(
      () => store.statuses.some((s) => s.deviceId === deviceId && s.status === 'offline'),
      10_000,
    );
    await runtime.stop();
    expect(store.statuses.filter((s) => s.deviceId === deviceId).map((s) => s.status)).toEqual([
      'online',
      'offline',
    ]);
  });

  it('still forwards device messages and other topics to subscribers', async () => {
    const store = new MemoryIngestStore();
    const { runtime, url } = await start('embedded', undefined, store, `it-fwd-${runId}`);
    const subscriber = await device(url, `${runId}-sub`);
    const received: string[] = [];
    subscriber.on('message', (topic) => received.push(topic));
    await subscriber.subscribeAsync(['devices/+/telemetry', 'other/#'], { qos: 1 });
    const publisher = await device(url, `${runId}-pub`);
    await publishTelemetry(publisher, 'fwd', 0, 50);
    await publisher.publishAsync('other/topic', 'x', { qos: 1 });
    await waitFor(() => received.length === 51);
    await runtime.stop();
    expect(store.samplesOf('fwd')).toHaveLength(100);
    expect(store.deadLetters.size).toBe(0); // other/topic is not ingested
  });
});

describe.runIf(process.env.TEST_MQTT_URL)('external broker session', () => {
  it('recognises the broker redelivery of a message journaled but never acked, and stores it once', async () => {
    const brokerUrl = process.env.TEST_MQTT_URL!;
    const deviceId = `it-${runId}-redeliver`;
    const store = new MemoryIngestStore();
    const ingest = await TelemetryIngest.start({ config: configFor('redeliver', undefined), store, logger });
    let failOnce = true;
    // Journal the first message, then fail as a crash between journal and PUBACK would: no ack goes out.
    const sink = {
      ingestMessage: async (topic: string, payload: Buffer, meta: { packetId?: number; dup?: boolean }) => {
        await ingest.ingestMessage(topic, payload, meta);
        if (failOnce && topic.includes(deviceId)) {
          failOnce = false;
          throw new Error('simulated crash after the journal append');
        }
      },
    };
    const connection = MqttConnection.start({
      url: brokerUrl,
      nodeId: `it-redeliver-${runId}`,
      sink,
      logger,
      sessionExpirySeconds: 60,
      reconnectMinMs: 50,
    });
    try {
      await connection.whenSubscribed();
      const publisher = await device(brokerUrl, `${runId}-redeliver`);
      await publishTelemetry(publisher, deviceId, 0, 1);
      await waitFor(() => ingest.stats().duplicatesSkipped === 1, 15_000);
    } finally {
      connection.stopIntake();
      await ingest.stop();
      await connection.close();
    }
    expect(store.samplesOf(deviceId)).toHaveLength(2);
  });

  it('receives messages published while the node was away (persistent session)', async () => {
    const brokerUrl = process.env.TEST_MQTT_URL!;
    const nodeId = `it-persist-${runId}`;
    const deviceId = `it-${runId}-away`;
    const first = new MemoryIngestStore();
    const { runtime } = await start('mosquitto', brokerUrl, first, nodeId);
    await runtime.stop();
    runtimes.splice(runtimes.indexOf(runtime), 1);

    const publisher = await device(brokerUrl, `${runId}-away`);
    await publishTelemetry(publisher, deviceId, 0, 200);

    const second = new MemoryIngestStore();
    const restarted = await start('mosquitto', brokerUrl, second, nodeId);
    await waitFor(() => second.samplesOf(deviceId).length === 400);
    await restarted.runtime.stop();
    expect(distinctValues(second, deviceId).size).toBe(200);
  });
});

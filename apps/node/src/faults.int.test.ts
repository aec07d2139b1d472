// Faults a node in the field lives through, over real processes: its PostgreSQL gone for a while,
// and its Mosquitto restarted, each mid-stream. The counts show that nothing was lost or doubled.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresDatabase, type TestDatabase } from '@tierscope/test-support/test-databases';
import { startTcpProxy, type TcpProxy } from '@tierscope/test-support/tcp-proxy';
import { startTestBroker, type TestBroker } from '@tierscope/test-support/test-broker';
import { freePort, startNodeProcess, waitFor, type NodeProcess } from './testing/node-process.ts';
import {
  countSamples,
  publishAll,
  telemetryStream,
  waitForLastMessages,
  type Message,
} from './testing/telemetry-traffic.ts';

const serverDatabase = process.env.TEST_DATABASE_URL;
// TEST_MQTT_URL says this machine has Mosquitto (CI installs it); these tests start their own.
const haveMosquitto = process.env.TEST_MQTT_URL !== undefined;
const run = randomBytes(3).toString('hex');
const MESSAGES = 3000;
const METRICS_PER_MESSAGE = 2;
/** How long the database stays unreachable: longer than the batch writer's longest retry wait. */
const OUTAGE_MS = 6000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Publishes a stream and does `fault` once a third of it is acked by the broker; returns the stream. */
async function publishWithFaultMidStream(
  url: string,
  prefix: string,
  fault: () => Promise<void>,
): Promise<Message[]> {
  const messages = telemetryStream(prefix, 20, MESSAGES, Date.now() - 3_600_000);
  let faulted: Promise<void> | undefined;
  await publishAll(url, messages, (acked) => {
    if (acked === MESSAGES / 3 && !faulted) faulted = fault();
  });
  expect(faulted, 'the fault happened mid-stream').toBeDefined();
  await faulted;
  return messages;
}

/** The status of the node's /readyz now (0 when it does not answer before `signal` aborts). */
async function readyzStatus(node: NodeProcess, signal: AbortSignal): Promise<number> {
  const response = await fetch(`${node.httpUrl}/readyz`, { signal }).catch(() => undefined);
  return response?.status ?? 0;
}

describe.skipIf(!serverDatabase)('a node whose PostgreSQL is unreachable for a while', () => {
  let database: TestDatabase;
  let proxy: TcpProxy;
  let dataDir: string;
  let node: NodeProcess | undefined;

  beforeAll(async () => {
    database = await createPostgresDatabase(serverDatabase!);
    const direct = new URL(database.url);
    proxy = await startTcpProxy({ host: direct.hostname, port: Number(direct.port || 5432) });
    dataDir = mkdtempSync(join(tmpdir(), 'tierscope-faults-'));
  });
  afterAll(async () => {
    await node?.kill('SIGTERM');
    await proxy.close();
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps acking devices, answers /readyz 503 meanwhile, then stores every sample exactly once when the database is back', async () => {
    const proxied = new URL(database.url);
    proxied.port = String(proxy.port);
    const mqttPort = await freePort();
    node = await startNodeProcess({
      NODE_ID: `db-outage-${run}`,
      DATABASE_URL: proxied.toString(),
      DATA_DIR: dataDir,
      MQTT_PORT: String(mqttPort),
    });
    const prefix = `db-${run}`;
    let cutAt = 0;
    const messages = await publishWithFaultMidStream(`mqtt://127.0.0.1:${mqttPort}`, prefix, async () => {
      proxy.cut();
      cutAt = Date.now();
    });
    // Every message was acked while the database was unreachable or before: the journal holds them.
    const stored = await countSamples(database.url, prefix);
    expect(stored.rows, 'not everything could be stored before the outage').toBeLessThan(
      MESSAGES * METRICS_PER_MESSAGE,
    );
    // Readiness answers (each check has its own timeout) and says the database is down.
    await waitFor('the node to report its database unready', async (signal) => {
      return (await readyzStatus(node!, signal)) === 503;
    });
    // A figure for the record (the issue asks for 503 within 3 s), not an assertion: the machine is shared.
    console.log(`node /readyz answered 503 ${Date.now() - cutAt} ms after its database was cut`);
    await sleep(Math.max(0, cutAt + OUTAGE_MS - Date.now()));
    proxy.restore();

    await waitForLastMessages(node, messages);
    expect(await countSamples(database.url, prefix), `node output:\n${node.output()}`).toEqual({
      rows: MESSAGES * METRICS_PER_MESSAGE,
      distinct: MESSAGES * METRICS_PER_MESSAGE,
    });
    await waitFor(
      'the node to report ready again',
      async (signal) => (await readyzStatus(node!, signal)) === 200,
    );
  });
});

describe.skipIf(!serverDatabase || !haveMosquitto)('a node whose Mosquitto restarts', () => {
  let database: TestDatabase;
  let broker: TestBroker;
  let dataDir: string;
  let node: NodeProcess | undefined;

  beforeAll(async () => {
    database = await createPostgresDatabase(serverDatabase!);
    broker = await startTestBroker();
    dataDir = mkdtempSync(join(tmpdir(), 'tierscope-faults-'));
  });
  afterAll(async () => {
    await node?.kill('SIGTERM');
    await broker.stop();
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('reconnects to its persistent session and stores every sample exactly once', async () => {
    node = await startNodeProcess({
      NODE_ID: `broker-restart-${run}`,
      DATABASE_URL: database.url,
      DATA_DIR: dataDir,
      MQTT_URL: broker.url,
    });
    const prefix = `mq-${run}`;
    const messages = await publishWithFaultMidStream(broker.url, prefix, () => broker.restart());

    await waitForLastMessages(node, messages);
    expect(await countSamples(database.url, prefix), `node output:\n${node.output()}`).toEqual({
      rows: MESSAGES * METRICS_PER_MESSAGE,
      distinct: MESSAGES * METRICS_PER_MESSAGE,
    });
  });
});

// Faults a node in the field lives through, over real processes: its Mosquitto restarted
// mid-stream. The counts show that nothing was lost or doubled.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresDatabase, type TestDatabase } from '@tierscope/test-support/test-databases';
import { startTestBroker, type TestBroker } from '@tierscope/test-support/test-broker';
import { startNodeProcess, type NodeProcess } from './testing/node-process.ts';
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

// The composed node as a real process: MQTT in, PostgreSQL (or PGlite) out, tRPC on top.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresDatabase, type TestDatabase } from '@tierscope/test-support/test-databases';
import { freePort, startNodeProcess, waitFor } from './testing/node-process.ts';
import {
  countSamples,
  publishAll,
  telemetryStream,
  waitForLastMessages,
  type Message,
} from './testing/telemetry-traffic.ts';

interface Backend {
  name: string;
  /** Database URL and broker settings for one node; `publishUrl` is where devices connect. */
  setup(): Promise<{
    env: Record<string, string>;
    publishUrl: string;
    databaseUrl: string;
    cleanup(): Promise<void>;
  }>;
}

const backends: Backend[] = [
  {
    name: 'PGlite + embedded aedes',
    setup: async () => {
      const dir = mkdtempSync(join(tmpdir(), 'tierscope-node-'));
      const mqttPort = await freePort();
      const databaseUrl = `pglite:${dir}/db`;
      return {
        env: { DATABASE_URL: databaseUrl, DATA_DIR: dir, MQTT_PORT: String(mqttPort) },
        publishUrl: `mqtt://127.0.0.1:${mqttPort}`,
        databaseUrl,
        cleanup: async () => rmSync(dir, { recursive: true, force: true }),
      };
    },
  },
];
const serverDatabase = process.env.TEST_DATABASE_URL;
const serverBroker = process.env.TEST_MQTT_URL;
if (serverDatabase && serverBroker) {
  backends.push({
    name: 'PostgreSQL + Mosquitto',
    setup: async () => {
      const dir = mkdtempSync(join(tmpdir(), 'tierscope-node-'));
      const database: TestDatabase = await createPostgresDatabase(serverDatabase);
      return {
        env: { DATABASE_URL: database.url, DATA_DIR: dir, MQTT_URL: serverBroker },
        publishUrl: serverBroker,
        databaseUrl: database.url,
        cleanup: async () => {
          await database.drop();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  });
}

const run = randomBytes(3).toString('hex');

describe.each(backends)('a node on $name', (backend) => {
  let setup: Awaited<ReturnType<Backend['setup']>>;
  let nodeEnv: Record<string, string>;

  beforeAll(async () => {
    setup = await backend.setup();
    nodeEnv = { ...setup.env, NODE_ID: `t-${run}` };
  });
  afterAll(async () => setup.cleanup());

  it('stores exactly N messages × metrics when killed with SIGKILL mid-stream and restarted, with no duplicates', async () => {
    const messages = telemetryStream(`kill-${run}`, 20, 3000, Date.now() - 3_600_000);
    let node = await startNodeProcess(nodeEnv);
    let killed: Promise<void> | undefined;
    await publishAll(setup.publishUrl, messages, (acked) => {
      if (acked === 1000 && !killed) {
        killed = node.kill('SIGKILL').then(async () => {
          node = await startNodeProcess(nodeEnv);
        });
      }
    });
    expect(killed, 'the node was killed mid-stream').toBeDefined();
    await killed;
    try {
      await waitForLastMessages(node, messages);
    } finally {
      // Also when the wait fails: a failed run leaves no node process behind.
      await node.kill('SIGTERM');
    }

    const counted = await countSamples(setup.databaseUrl, `kill-${run}`);
    expect(counted, `node output after the restart:\n${node.output()}`).toEqual({
      rows: 3000 * 2,
      distinct: 3000 * 2,
    });
  });

  it('dead-letters each kind of invalid payload with its reason while valid traffic is stored complete', async () => {
    const prefix = `dl-${run}`;
    const node = await startNodeProcess({ ...nodeEnv, UNKNOWN_DEVICES: 'reject' });
    try {
      for (let d = 0; d < 5; d += 1)
        await node.client.devices.upsert.mutate({ deviceId: `${prefix}-${d}`, name: `valid ${d}` });
      const valid = telemetryStream(prefix, 5, 500, Date.now() - 60_000);
      const invalid: Message[] = [
        { topic: `devices/${prefix}-0/telemetry`, payload: '{"metrics": {"temp": 1' },
        { topic: `devices/${prefix}-0/telemetry`, payload: '{"metrics": {"temp": "warm"}}' },
        { topic: `devices/${prefix}-0/telemetry`, payload: '{"metrics": {"temp": 1}, "colour": "red"}' },
        {
          topic: `devices/${prefix}-0/telemetry`,
          payload: JSON.stringify({ metrics: { temp: 1 }, pad: 'x'.repeat(300 * 1024) }),
        },
        { topic: `devices/bad device/telemetry`, payload: '{"metrics": {"temp": 1}}' },
        { topic: `devices/${prefix}-stranger/telemetry`, payload: '{"metrics": {"temp": 1}}' },
        { topic: `devices/${prefix}-0/telemetry`, payload: '{"ts": 0, "metrics": {"temp": 1}}' },
      ];
      // Invalid messages spread through the valid stream.
      const mixed = valid.flatMap((m, i) => (i % 70 === 0 && invalid[i / 70] ? [invalid[i / 70]!, m] : [m]));
      await publishAll(setup.publishUrl, mixed);
      await waitForLastMessages(node, valid);

      const letters = await node.client.deadLetters.list.query({ limit: 500 });
      const reasons = new Set(
        letters.items
          .filter((l) => l.topic.includes(prefix) || l.topic.includes('bad device'))
          .map((l) => l.reason),
      );
      expect([...reasons].sort()).toEqual(
        [
          'bad-device-id',
          'bad-json',
          'invalid-payload',
          'oversize',
          'timestamp-out-of-range',
          'unknown-device',
        ].sort(),
      );
      const oversize = letters.items.find((l) => l.reason === 'oversize');
      expect(oversize?.size).toBeGreaterThan(256 * 1024);
      expect(letters.items.every((l) => l.detail.length > 0)).toBe(true);
      await node.kill('SIGTERM');
      expect(await countSamples(setup.databaseUrl, prefix)).toEqual({ rows: 1000, distinct: 1000 });
    } finally {
      await node.kill('SIGTERM');
    }
  });

  it('lists a device that mosquitto_pub (a client no one here wrote) published for, with its latest value', async () => {
    const node = await startNodeProcess(nodeEnv);
    try {
      const deviceId = `x1-${run}`;
      const url = new URL(setup.publishUrl);
      await promisify(execFile)('mosquitto_pub', [
        '-h',
        url.hostname,
        '-p',
        url.port,
        '-q',
        '1',
        '-t',
        `devices/${deviceId}/telemetry`,
        '-m',
        '{"metrics":{"temp":21.5}}',
      ]);
      await waitFor(
        'the device to be listed',
        async () => {
          const page = await node.client.devices.list.query({ search: deviceId });
          return page.items.some((d) => d.id === deviceId && d.latest.temp?.value === 21.5);
        },
        15_000,
      );
    } finally {
      await node.kill('SIGTERM');
    }
  });
});

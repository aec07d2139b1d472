// Desired configuration end to end: a node process, a broker (embedded aedes, or the repo's
// Mosquitto), and a device played by the real mosquitto_sub / mosquitto_pub clients.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MosquittoDevice } from '../testing/mosquitto-device.ts';
import { NODE_BROKER_BACKENDS, type NodeBrokerBackend } from '../testing/node-brokers.ts';
import { startNodeProcess, waitFor, type NodeProcess } from '../testing/node-process.ts';

const run = randomBytes(3).toString('hex');

describe.each(NODE_BROKER_BACKENDS)('desired configuration through $name', (backend) => {
  const nodeId = `cfg-${run}`;
  let dir: string;
  let setup: Awaited<ReturnType<NodeBrokerBackend['setup']>>;
  let node: NodeProcess;
  const start = async () => {
    node = await startNodeProcess({ ...setup.env, NODE_ID: nodeId, DATA_DIR: dir, LOG_LEVEL: 'warn' });
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tierscope-config-'));
    setup = await backend.setup(dir);
    await start();
  }, 120_000);

  afterAll(async () => {
    await node?.kill('SIGTERM');
    await setup?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('holds the configuration retained for a device that connects later, and takes its report', async () => {
    const device = new MosquittoDevice(setup.brokerUrl, `c-${run}-1`);
    await node.client.devices.upsert.mutate({ deviceId: device.deviceId });
    const change = await node.client.devices.setConfig.mutate({
      selector: { deviceIds: [device.deviceId] },
      config: { intervalSeconds: 30 },
    });
    expect(change.items).toEqual([{ nodePath: nodeId, deviceId: device.deviceId, version: 1 }]);
    expect(await device.retainedConfig()).toEqual({ version: 1, config: { intervalSeconds: 30 } });

    await device.reportConfig({ version: 1 });
    await waitFor('the device in sync', async () => {
      const config = await node.client.devices.config.query({ deviceId: device.deviceId });
      return config.state === 'in_sync';
    });
  });

  it('publishes every desired configuration again when the node starts', async () => {
    const device = new MosquittoDevice(setup.brokerUrl, `c-${run}-2`);
    await node.client.devices.upsert.mutate({ deviceId: device.deviceId });
    await node.client.devices.setConfig.mutate({
      selector: { deviceIds: [device.deviceId] },
      config: { mode: 'eco' },
    });
    await node.client.devices.setConfig.mutate({
      selector: { deviceIds: [device.deviceId] },
      config: { mode: 'boost' },
    });
    await node.kill('SIGTERM');
    await start();
    // The embedded broker starts empty: what the device gets is the node's publish at start.
    expect(await device.retainedConfig(30)).toEqual({ version: 2, config: { mode: 'boost' } });
  });
});

// Commands end to end: a node process, a broker (embedded aedes, or the repo's Mosquitto), and
// devices played by the real mosquitto_sub / mosquitto_pub clients.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRPCClientError } from '@trpc/client';
import { policyHash } from '@tierscope/federation';
import { PolicyContent, type Command, type CommandState } from '@tierscope/shared';
import { DEMO_COMMANDS } from '@tierscope/test-support/demo-policy';
import { MosquittoDevice } from '../testing/mosquitto-device.ts';
import { NODE_BROKER_BACKENDS, type NodeBrokerBackend } from '../testing/node-brokers.ts';
import { startNodeProcess, waitFor, type NodeProcess } from '../testing/node-process.ts';

const run = randomBytes(3).toString('hex');
const FINAL: readonly CommandState[] = ['succeeded', 'failed', 'timed_out', 'expired'];

describe.each(NODE_BROKER_BACKENDS)('commands through $name', (backend) => {
  const nodeId = `cmd-${run}`;
  let dir: string;
  let setup: Awaited<ReturnType<NodeBrokerBackend['setup']>>;
  let node: NodeProcess;
  let deviceCount = 0;

  /** A registered thermostat (the demo policy declares its commands) played by the Mosquitto clients. */
  const newDevice = async (): Promise<MosquittoDevice> => {
    const device = new MosquittoDevice(setup.brokerUrl, `t-${run}-${++deviceCount}`);
    await node.client.devices.upsert.mutate({ deviceId: device.deviceId, kind: 'thermostat' });
    return device;
  };
  const devices: MosquittoDevice[] = [];
  const listening = async (): Promise<MosquittoDevice> => {
    const device = await newDevice();
    devices.push(device);
    await device.listen();
    return device;
  };
  /** The device says `offline` (as its last will would), and the node has taken it. */
  const goOffline = async (device: MosquittoDevice): Promise<void> => {
    await device.status('offline');
    await waitFor('the device is offline', async () => {
      const found = await node.client.devices.get.query({ deviceId: device.deviceId });
      return found.status === 'offline';
    });
  };
  const commandOf = async (device: MosquittoDevice, id: string): Promise<Command> => {
    const history = await node.client.devices.commands.query({ deviceId: device.deviceId, limit: 100 });
    const command = history.items.find((item) => item.id === id);
    if (!command) throw new Error(`command ${id} is not in ${device.deviceId}'s history`);
    return command;
  };
  const settled = async (device: MosquittoDevice, id: string): Promise<Command> => {
    await waitFor(
      `command ${id} settled`,
      async () => FINAL.includes((await commandOf(device, id)).state),
      20_000,
    );
    return commandOf(device, id);
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tierscope-commands-'));
    setup = await backend.setup(dir);
    node = await startNodeProcess({ ...setup.env, NODE_ID: nodeId, DATA_DIR: dir, LOG_LEVEL: 'warn' });
    // The node's parent hands it a policy declaring the demo commands, as the BFF would.
    const content = PolicyContent.parse({
      bundles: [{ name: 'commands', target: '**', commands: DEMO_COMMANDS }],
    });
    await node.client.policy.receive.mutate({
      documents: [
        {
          author: 'bff',
          selfPath: nodeId,
          current: { version: 1, hash: policyHash(content), content },
          previous: null,
          canaries: [],
          phase: 'released',
        },
      ],
    });
  }, 120_000);

  afterAll(async () => {
    await Promise.all(devices.map((device) => device.leave()));
    await node?.kill('SIGTERM');
    await setup?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('delivers a command with its id and params, and records the device’s answer with its result', async () => {
    const device = await listening();
    const sent = await node.client.devices.command.mutate({
      deviceId: device.deviceId,
      name: 'set-interval',
      params: { seconds: 30 },
    });
    expect(sent).toMatchObject({ nodePath: nodeId, deviceId: device.deviceId, state: 'sent' });

    const received = await device.nextCommand();
    expect(received).toEqual({ id: sent.id, name: 'set-interval', params: { seconds: 30 } });
    await device.ack({ id: received.id, ok: true, result: { intervalSeconds: 30 } });

    expect(await settled(device, sent.id)).toMatchObject({
      state: 'succeeded',
      result: { intervalSeconds: 30 },
      error: null,
    });
  });

  it('times a command out when the device never answers', async () => {
    const device = await listening();
    const sent = await node.client.devices.command.mutate({
      deviceId: device.deviceId,
      name: 'reboot',
      timeoutMs: 300,
    });
    await device.nextCommand();
    expect(await settled(device, sent.id)).toMatchObject({
      state: 'timed_out',
      error: 'no answer within 300 ms',
    });
  });

  it('holds a command for an offline device and delivers it when the device is back within its TTL', async () => {
    const device = await newDevice();
    await goOffline(device);
    const queued = await node.client.devices.command.mutate({
      deviceId: device.deviceId,
      name: 'identify',
      params: { seconds: 5 },
      ttlMs: 60_000,
    });
    expect(queued.state).toBe('queued');

    devices.push(device);
    await device.listen();
    await device.status('online');
    const received = await device.nextCommand();
    expect(received.id).toBe(queued.id);
    await device.ack({ id: received.id, ok: true });
    expect(await settled(device, queued.id)).toMatchObject({ state: 'succeeded' });
  });

  it('expires a command whose device stays offline past its TTL, and never sends it', async () => {
    const device = await newDevice();
    await goOffline(device);
    const queued = await node.client.devices.command.mutate({
      deviceId: device.deviceId,
      name: 'reboot',
      ttlMs: 300,
    });
    expect(await settled(device, queued.id)).toMatchObject({ state: 'expired', sentAt: null });

    // Back after the TTL: the next command is the first it receives.
    devices.push(device);
    await device.listen();
    await device.status('online');
    const later = await node.client.devices.command.mutate({ deviceId: device.deviceId, name: 'identify' });
    expect((await device.nextCommand()).id).toBe(later.id);
  });

  it('dead-letters an ack of another device’s command or of an unknown one, and leaves the command waiting', async () => {
    const owner = await listening();
    const forger = await newDevice();
    const sent = await node.client.devices.command.mutate({
      deviceId: owner.deviceId,
      name: 'reboot',
      timeoutMs: 60_000,
    });
    await owner.nextCommand();
    await forger.ack({ id: sent.id, ok: false, error: 'forged' });
    await forger.ack({ id: 'no-such-command', ok: true });

    await waitFor('both forged acks are dead letters', async () => {
      const letters = await node.client.deadLetters.list.query({ limit: 100 });
      return (
        letters.items.filter((letter) => letter.topic === `devices/${forger.deviceId}/commands/ack`)
          .length === 2
      );
    });
    const letters = await node.client.deadLetters.list.query({ limit: 100 });
    const details = letters.items
      .filter((letter) => letter.topic === `devices/${forger.deviceId}/commands/ack`)
      .map((letter) => [letter.reason, letter.detail]);
    expect(details).toEqual(
      expect.arrayContaining([
        [
          'unknown-command',
          `device "${forger.deviceId}" acked command "${sent.id}", which was sent to another device`,
        ],
        [
          'unknown-command',
          `device "${forger.deviceId}" acked command "no-such-command", which this node never sent`,
        ],
      ]),
    );
    expect((await commandOf(owner, sent.id)).state).toBe('sent');

    await owner.ack({ id: sent.id, ok: true });
    expect(await settled(owner, sent.id)).toMatchObject({ state: 'succeeded' });
  });

  it('refuses a malformed or undeclared command with the reason, and publishes nothing', async () => {
    const device = await listening();
    const refusal = async (input: { name: string; params?: Record<string, unknown> }) => {
      const error = await node.client.devices.command.mutate({ deviceId: device.deviceId, ...input }).then(
        () => undefined,
        (failure: unknown) => failure,
      );
      expect(error).toBeInstanceOf(TRPCClientError);
      expect((error as TRPCClientError<never>).data).toMatchObject({ code: 'BAD_REQUEST' });
      return (error as Error).message;
    };

    expect(await refusal({ name: 'set-interval', params: { seconds: 'soon' } })).toBe(
      'command "set-interval" refused: params.seconds must be integer',
    );
    expect(await refusal({ name: 'set-interval', params: {} })).toBe(
      'command "set-interval" refused: params must have required property \'seconds\'',
    );
    expect(await refusal({ name: 'set-target', params: { celsius: 21, mode: 'eco' } })).toBe(
      'command "set-target" refused: params must NOT have additional properties ("mode")',
    );
    expect(await refusal({ name: 'self-destruct' })).toMatch(
      /^devices of kind "thermostat" take no command "self-destruct"; they take: identify, reboot, set-interval, set-target$/,
    );

    // The first command the device receives is the valid one sent after the refusals.
    const valid = await node.client.devices.command.mutate({ deviceId: device.deviceId, name: 'identify' });
    expect((await device.nextCommand()).id).toBe(valid.id);
    const history = await node.client.devices.commands.query({ deviceId: device.deviceId, limit: 10 });
    expect(history.items.map((command) => command.id)).toEqual([valid.id]);
  });
});

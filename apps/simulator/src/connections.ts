import { commandsTopic, configTopic, statusTopic } from '@tierscope/shared/mqtt';
import { connect, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { DeviceIdentity } from './device-model.ts';

/** What the simulator may have outstanding on one connection before it skips samples. */
export const MAX_IN_FLIGHT = 1000;
const STOP_TIMEOUT_MS = 5000;

export interface Connection {
  client: MqttClient;
  devices: DeviceIdentity[];
  inFlight: number;
}

export interface ConnectionPool {
  /** The connection a device publishes on. */
  connectionOf(deviceId: string): Connection;
  /** Resolves when every connection has connected once, or after `timeoutMs`; returns how many did. */
  waitConnected(timeoutMs: number): Promise<number>;
  /** Publishes `offline` (retained) for every device, then disconnects cleanly. */
  close(): Promise<void>;
}

export interface PoolOptions {
  url: string;
  mode: 'per-device' | 'shared';
  sharedConnections: number;
  /** Per-device mode: each device's password, its username being its id (DEVICE_AUTH=required). */
  logins?: ReadonlyMap<string, string>;
  /** Called on every (re)connect of a connection, after its devices' `online` went out. */
  onOnline: (connection: Connection, first: boolean) => void;
  /** A command for one of the connection's devices (its own commands topic), as received. */
  onCommand: (connection: Connection, deviceId: string, payload: Buffer) => void;
  /** A desired configuration for one of the connection's devices (its retained config topic). */
  onConfig: (connection: Connection, deviceId: string, payload: Buffer) => void;
  logger: Logger;
}

/**
 * Per-device mode: one client per device, with client id = device id and a retained `offline`
 * last will on its status topic, as a real device would have. Shared mode: a few clients carry
 * many devices each; a last will covers one topic only, so if the simulator dies the devices stay
 * `online` (retained) and only the node's staleness check notices. Graceful stops publish
 * `offline` for every device in both modes.
 */
export function createConnectionPool(
  devices: readonly DeviceIdentity[],
  options: PoolOptions,
): ConnectionPool {
  const { url, logger } = options;
  const groups: DeviceIdentity[][] =
    options.mode === 'per-device'
      ? devices.map((device) => [device])
      : Array.from({ length: options.sharedConnections }, (_, k) =>
          devices.filter((_, i) => i % options.sharedConnections === k),
        );

  const byDevice = new Map<string, Connection>();
  const connections: Connection[] = groups.map((group, k) => {
    const first = group[0]!;
    const clientId = options.mode === 'per-device' ? first.id : `tierscope-sim-${process.pid}-${k}`;
    const password = options.mode === 'per-device' ? options.logins?.get(first.id) : undefined;
    const client = connect(url, {
      clientId,
      clean: true,
      reconnectPeriod: 2000,
      connectTimeout: 10_000,
      ...(password !== undefined && { username: first.id, password }),
      ...(options.mode === 'per-device'
        ? { will: { topic: statusTopic(first.id), payload: Buffer.from('offline'), qos: 1, retain: true } }
        : {}),
    });
    const connection: Connection = { client, devices: group, inFlight: 0 };
    let connectedBefore = false;
    client.on('connect', () => {
      // A clean session: each device listens to its own commands and configuration again (the
      // broker sends the retained configuration at once), then says it is online.
      client.subscribe(
        group.flatMap((device) => [commandsTopic(device.id), configTopic(device.id)]),
        { qos: 1 },
      );
      // After a lost connection the broker has published the last will: say `online` again.
      for (const device of group) client.publish(statusTopic(device.id), 'online', { qos: 1, retain: true });
      options.onOnline(connection, !connectedBefore);
      if (connectedBefore) logger.info({ clientId }, 'reconnected');
      connectedBefore = true;
    });
    client.on('message', (topic, payload) => {
      const [, deviceId, kind] = /^devices\/([^/]+)\/(commands|config)$/.exec(topic) ?? [];
      if (deviceId === undefined) return;
      if (kind === 'commands') options.onCommand(connection, deviceId, payload);
      else options.onConfig(connection, deviceId, payload);
    });
    client.on('offline', () => logger.warn({ clientId }, 'connection lost; reconnecting'));
    client.on('error', (error) => logger.warn({ clientId, err: error.message }, 'mqtt error'));
    for (const device of group) byDevice.set(device.id, connection);
    return connection;
  });

  return {
    connectionOf(deviceId) {
      const connection = byDevice.get(deviceId);
      if (!connection) throw new Error(`no connection for device ${deviceId}`);
      return connection;
    },

    async waitConnected(timeoutMs) {
      const connected = connections.map(({ client }) =>
        client.connected
          ? Promise.resolve()
          : new Promise<void>((resolve) => client.once('connect', () => resolve())),
      );
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all(connected),
        new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs))),
      ]);
      clearTimeout(timer);
      return connections.filter(({ client }) => client.connected).length;
    },

    async close() {
      const closing = connections.map(async ({ client, devices: group }) => {
        if (client.connected) {
          await Promise.all(
            group.map((device) =>
              client.publishAsync(statusTopic(device.id), 'offline', { qos: 1, retain: true }),
            ),
          );
          await client.endAsync();
        } else {
          await client.endAsync(true);
        }
      });
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>(
        (resolve) => (timer = setTimeout(() => resolve('timeout'), STOP_TIMEOUT_MS)),
      );
      const outcome = await Promise.race([Promise.allSettled(closing), timedOut]);
      clearTimeout(timer);
      if (outcome === 'timeout') {
        logger.warn('broker did not confirm every offline status in time; closing anyway');
        await Promise.allSettled(connections.map(({ client }) => client.endAsync(true)));
      }
    },
  };
}

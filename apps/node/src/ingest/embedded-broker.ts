import { createServer, type AddressInfo, type Server } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { timingSafeEqual } from 'node:crypto';
import { Aedes, type AuthenticateError, type Client, type PublishPacket, type Subscription } from 'aedes';
import type { Logger } from 'pino';
import type { Counter } from 'prom-client';
import type { TlsCertificates } from '@tierscope/federation';
import { DEVICE_TOPIC_FILTERS } from '@tierscope/shared';
import { emptyDeviceAccess, type DeviceAccess } from '../access/device-access.ts';
import { devicePublishAllowed, deviceSubscribeAllowed, isUnderDevices } from '../access/topic-acl.ts';
import type { NodeConfig } from '../env.ts';
import type { MessageIntake, MessageSink } from './mqtt-connection.ts';

export interface EmbeddedBrokerOptions {
  /** Plain MQTT's port, 0 for a free one (tests; see `port`); null: no plain MQTT (MQTT_PLAINTEXT=off). */
  port: number | null;
  /**
   * MQTTS on `tls`'s certificates (kept current across reloads), 0 for a free port (see `tlsPort`).
   * Devices log in there exactly as on the plain port.
   */
  mqtts?: { port: number; tls: TlsCertificates };
  /** Devices connect from the network, so all interfaces unless told otherwise. */
  host?: string;
  sink: MessageSink;
  logger: Logger;
  /** With DEVICE_AUTH=off and these set, every client logs in with this one shared login. */
  username?: string | undefined;
  password?: string | undefined;
  /**
   * `required`: a client logs in as a device (username = device id, password checked by the
   * access's authenticator) and may use only that device's topics (topic-acl.ts). `off` (the
   * default): anyone may connect (with the shared login when set); the client id names the device.
   */
  deviceAuth?: NodeConfig['deviceAuth'];
  /** Credentials, and quarantines: a quarantined device is refused at connect and dropped (both modes). */
  access?: DeviceAccess;
  /** Counts refusals by kind (bad-credentials, quarantined, publish, subscribe). */
  refusals?: Counter<'kind'> | undefined;
}

/** CONNACK return codes of MQTT 3.1.1 that a login can end with. */
const BAD_USERNAME_OR_PASSWORD = 4;
const NOT_AUTHORIZED = 5;

type Login =
  { ok: true; deviceId: string } | { ok: false; returnCode: 4 | 5; kind: 'bad-credentials' | 'quarantined' };

/**
 * The node's own aedes broker (no MQTT_URL). Device messages are ingested inside aedes's
 * authorizePublish hook, which runs before aedes sends the publisher's PUBACK and before it
 * forwards the message: a PUBACK therefore means "journaled", and a SIGKILL of the node loses
 * nothing acked. Last wills pass through the same hook, so a will on `devices/{id}/status` is
 * ingested too. Other topics pass through untouched; subscribers receive everything as usual.
 *
 * Access (docs/decisions/0010): logins go through `authenticate`, the topic ACL through
 * `authorizePublish` and `authorizeSubscribe`. aedes speaks MQTT 3.1.1, which cannot refuse a
 * single publish, so a refused publish closes the publisher's connection, unacked.
 */
export class EmbeddedBroker implements MessageIntake {
  private intakeStopped = false;
  private readonly inflight = new Set<Promise<void>>();
  /** The device each logged-in client acts as. */
  private readonly deviceOf = new WeakMap<Client, string>();
  /** Connected clients by client id, to find a quarantined device's connection. */
  private readonly connectedClients = new Map<string, Client>();
  private readonly sharedLogin: ((username?: string, password?: Buffer) => boolean) | undefined;
  private readonly deviceAuth: NodeConfig['deviceAuth'];
  private readonly access: DeviceAccess;
  private readonly stopWatchingQuarantines: () => void;

  private constructor(
    private readonly aedes: Aedes,
    /** The plain and the MQTTS listener, whichever are configured. */
    private readonly servers: { plain?: Server; tls?: Server },
    private readonly options: EmbeddedBrokerOptions,
  ) {
    this.deviceAuth = options.deviceAuth ?? 'off';
    this.access = options.access ?? emptyDeviceAccess();
    this.sharedLogin =
      this.deviceAuth === 'off' && options.username !== undefined
        ? sharedLoginCheck(options.username, options.password ?? '')
        : undefined;
    aedes.on('clientReady', (client) => this.clientReady(client));
    aedes.on('clientDisconnect', (client) => {
      if (this.connectedClients.get(client.id) === client) this.connectedClients.delete(client.id);
    });
    this.stopWatchingQuarantines = this.access.quarantines.onQuarantined((deviceId) => this.drop(deviceId));
  }

  static async start(options: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
    // aedes needs the hooks before the EmbeddedBroker that implements them exists.
    const holder: { broker?: EmbeddedBroker } = {};
    const aedes = await Aedes.createBroker({
      authenticate: (client, username, password, done) => {
        if (!holder.broker) return done(loginRefusal(NOT_AUTHORIZED, 'broker starting'), false);
        holder.broker.authenticate(client, username, password, done);
      },
      authorizePublish: (client, packet, callback) => {
        if (!holder.broker) return callback(new Error('broker starting'));
        holder.broker.authorizePublish(client, packet, callback);
      },
      authorizeSubscribe: (client, subscription, callback) => {
        if (!holder.broker) return callback(new Error('broker starting'));
        holder.broker.authorizeSubscribe(client, subscription, callback);
      },
    });
    aedes.on('clientError', (client, error) =>
      options.logger.debug({ clientId: client.id, err: error }, 'mqtt client error'),
    );
    const servers: { plain?: Server; tls?: Server } = {};
    if (options.port !== null) servers.plain = createServer(aedes.handle);
    if (options.mqtts) {
      const { tls } = options.mqtts;
      const tlsServer = createTlsServer(tls.serverOptions(), aedes.handle);
      // Devices log in with their credentials; a client certificate is never asked for here.
      const stopServing = tls.serve(tlsServer, 'mqtts', 'when-asked');
      tlsServer.once('close', stopServing);
      servers.tls = tlsServer;
    }
    const broker = new EmbeddedBroker(aedes, servers, options);
    holder.broker = broker;
    const host = options.host ?? '0.0.0.0';
    try {
      if (servers.plain) await listen(servers.plain, options.port ?? 0, host);
      if (servers.tls) await listen(servers.tls, options.mqtts?.port ?? 0, host);
    } catch (error) {
      servers.plain?.close();
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      throw error;
    }
    options.logger.info(
      { port: servers.plain ? broker.port : 'off', mqttsPort: servers.tls ? broker.tlsPort : 'off' },
      'embedded mqtt broker listening',
    );
    return broker;
  }

  /** The plain MQTT port the broker listens on. */
  get port(): number {
    return portOf(this.servers.plain);
  }

  /** The MQTTS port the broker listens on. */
  get tlsPort(): number {
    return portOf(this.servers.tls);
  }

  get connected(): boolean {
    const listening = [this.servers.plain, this.servers.tls].some((server) => server?.listening);
    return listening && !this.intakeStopped;
  }

  /** Publishes from the node itself (e.g. commands to devices); not ingested. */
  publish(
    topic: string,
    payload: Buffer | string,
    options: { qos?: 0 | 1; retain?: boolean } = {},
  ): Promise<void> {
    const packet: PublishPacket = {
      cmd: 'publish',
      topic,
      payload,
      qos: options.qos ?? 1,
      retain: options.retain ?? false,
      dup: false,
    };
    return new Promise((resolve, reject) =>
      this.aedes.publish(packet, (error) => (error ? reject(error) : resolve())),
    );
  }

  stopIntake(): void {
    this.intakeStopped = true;
    // No new connections; publishes from connected clients are refused (unacked) from now on.
    for (const server of [this.servers.plain, this.servers.tls]) if (server?.listening) server.close();
  }

  async close(): Promise<void> {
    this.stopIntake();
    this.stopWatchingQuarantines();
    await Promise.allSettled([...this.inflight]);
    await new Promise<void>((resolve) => this.aedes.close(() => resolve()));
  }

  private authenticate(
    client: Client,
    username: string | undefined,
    password: Buffer | undefined,
    done: (error: AuthenticateError | null, success: boolean | null) => void,
  ): void {
    this.login(client, username, password).then(
      (login) => {
        if (login.ok) {
          this.deviceOf.set(client, login.deviceId);
          return done(null, true);
        }
        this.options.refusals?.inc({ kind: login.kind });
        this.options.logger.info(
          { clientId: client.id, username, refused: login.kind },
          'mqtt login refused',
        );
        done(loginRefusal(login.returnCode, login.kind), false);
      },
      (error: unknown) => {
        this.options.logger.error({ err: error, clientId: client.id }, 'mqtt login check failed');
        done(loginRefusal(NOT_AUTHORIZED, 'login check failed'), false);
      },
    );
  }

  /** Who the client is, by the mode's rule, and whether that device may connect now. */
  private async login(client: Client, username?: string, password?: Buffer): Promise<Login> {
    let deviceId: string;
    if (this.deviceAuth === 'required') {
      const verified =
        username !== undefined &&
        password !== undefined &&
        (await this.access.authenticator.verify(username, password));
      if (!verified) return { ok: false, returnCode: BAD_USERNAME_OR_PASSWORD, kind: 'bad-credentials' };
      deviceId = username;
    } else {
      if (this.sharedLogin && !this.sharedLogin(username, password))
        return { ok: false, returnCode: BAD_USERNAME_OR_PASSWORD, kind: 'bad-credentials' };
      deviceId = client.id;
    }
    if (this.access.quarantines.activeAt(deviceId, Date.now()))
      return { ok: false, returnCode: NOT_AUTHORIZED, kind: 'quarantined' };
    return { ok: true, deviceId };
  }

  private clientReady(client: Client): void {
    this.connectedClients.set(client.id, client);
    // Quarantined while its login was being checked.
    const deviceId = this.deviceOf.get(client);
    if (deviceId !== undefined && this.access.quarantines.activeAt(deviceId, Date.now())) client.close();
  }

  /** Closes every connection of a device that was just quarantined. */
  private drop(deviceId: string): void {
    for (const client of this.connectedClients.values()) {
      if (this.deviceOf.get(client) !== deviceId) continue;
      this.options.logger.info({ clientId: client.id, deviceId }, 'quarantined device disconnected');
      client.close();
    }
  }

  private authorizeSubscribe(
    client: Client,
    subscription: Subscription,
    callback: (error: Error | null, subscription?: Subscription | null) => void,
  ): void {
    if (this.deviceAuth === 'off') return callback(null, subscription);
    const deviceId = this.deviceOf.get(client);
    if (deviceId !== undefined && deviceSubscribeAllowed(deviceId, subscription.topic))
      return callback(null, subscription);
    this.options.refusals?.inc({ kind: 'subscribe' });
    this.options.logger.debug({ clientId: client.id, topic: subscription.topic }, 'mqtt subscribe refused');
    // A null subscription is a SUBACK failure (0x80) for this topic; the connection stays.
    callback(null, null);
  }

  private authorizePublish(
    client: Client | null,
    packet: PublishPacket,
    callback: (error?: Error | null) => void,
  ): void {
    const refusal = this.publishRefusal(client, packet.topic);
    if (refusal) {
      if (isUnderDevices(packet.topic)) this.options.refusals?.inc({ kind: 'publish' });
      this.options.logger.debug({ clientId: client?.id, topic: packet.topic }, refusal);
      return callback(new Error(refusal));
    }
    if (!isDeviceTopic(packet.topic)) return callback(null);
    if (this.intakeStopped) return callback(new Error('node is shutting down'));
    const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
    const taking = this.options.sink.ingestMessage(packet.topic, payload, {
      packetId: packet.qos > 0 ? packet.messageId : undefined,
      clientId: client?.id,
      dup: packet.dup,
    });
    this.inflight.add(taking);
    taking.then(
      () => {
        this.inflight.delete(taking);
        callback(null);
      },
      (error: unknown) => {
        this.inflight.delete(taking);
        if (!this.intakeStopped)
          this.options.logger.error(
            { err: error, topic: packet.topic },
            'message not ingested; publisher left unacked',
          );
        // aedes closes the publisher's connection: it keeps the message and sends it again.
        callback(error instanceof Error ? error : new Error(String(error)));
      },
    );
  }

  /** Why the client may not publish to `topic`, or undefined when it may. */
  private publishRefusal(client: Client | null, topic: string): string | undefined {
    // aedes refuses these itself unless the hook is replaced, as it is here.
    if (topic.startsWith('$SYS/')) return 'mqtt publish refused: $SYS/ is reserved';
    if (this.deviceAuth === 'off') return undefined;
    // No client: the will of a client gone before this broker started; no one to hold to the ACL.
    const deviceId = client ? this.deviceOf.get(client) : undefined;
    if (deviceId !== undefined && devicePublishAllowed(deviceId, topic)) return undefined;
    return 'mqtt publish refused: not a topic of the device logged in';
  }
}

const DEVICE_TOPIC_PATTERNS = DEVICE_TOPIC_FILTERS.map(
  (filter) =>
    new RegExp(
      `^${filter
        .split('/')
        .map((level) => (level === '+' ? '[^/]*' : escapeRegExp(level)))
        .join('/')}$`,
    ),
);

/** Whether a topic is one the node ingests (matches DEVICE_TOPIC_FILTERS). */
export function isDeviceTopic(topic: string): boolean {
  return DEVICE_TOPIC_PATTERNS.some((pattern) => pattern.test(topic));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The one login every client shares (DEVICE_AUTH=off with MQTT_USERNAME set), compared in constant time. */
function sharedLoginCheck(username: string, password: string) {
  const expected = Buffer.from(`${username}\u0000${password}`);
  return (user?: string, pass?: Buffer): boolean => {
    const given = Buffer.from(`${user ?? ''}\u0000${pass?.toString() ?? ''}`);
    return given.length === expected.length && timingSafeEqual(given, expected);
  };
}

function loginRefusal(returnCode: 4 | 5, message: string): AuthenticateError {
  return Object.assign(new Error(message), { returnCode });
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function portOf(server: Server | undefined): number {
  if (!server) throw new Error('the embedded broker has no such listener');
  return (server.address() as AddressInfo).port;
}

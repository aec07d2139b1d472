import { createServer, type AddressInfo, type Server } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { Aedes, type AuthenticateError, type Client, type PublishPacket } from 'aedes';
import type { Logger } from 'pino';
import { DEVICE_TOPIC_FILTERS } from '@tierscope/shared';
import type { MessageIntake, MessageSink } from './mqtt-connection.ts';

export interface EmbeddedBrokerOptions {
  /** 0 picks a free port (tests); see `port` for the one bound. */
  port: number;
  /** Devices connect from the network, so all interfaces unless told otherwise. */
  host?: string;
  sink: MessageSink;
  logger: Logger;
  /** When set, clients must log in with these. */
  username?: string | undefined;
  password?: string | undefined;
}

/**
 * The node's own aedes broker (no MQTT_URL). Device messages are ingested inside aedes's
 * authorizePublish hook, which runs before aedes sends the publisher's PUBACK and before it
 * forwards the message: a PUBACK therefore means "journaled", and a SIGKILL of the node loses
 * nothing acked. Last wills pass through the same hook, so a will on `devices/{id}/status` is
 * ingested too. Other topics pass through untouched; subscribers receive everything as usual.
 */
export class EmbeddedBroker implements MessageIntake {
  private intakeStopped = false;
  private readonly inflight = new Set<Promise<void>>();

  private constructor(
    private readonly aedes: Aedes,
    private readonly server: Server,
    private readonly options: EmbeddedBrokerOptions,
  ) {}

  static async start(options: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
    // aedes needs the hook before the EmbeddedBroker that implements it exists.
    const holder: { broker?: EmbeddedBroker } = {};
    const aedes = await Aedes.createBroker({
      authorizePublish: (client, packet, callback) => {
        if (!holder.broker) return callback(new Error('broker starting'));
        holder.broker.authorizePublish(client, packet, callback);
      },
      ...(options.username !== undefined
        ? { authenticate: credentialsCheck(options.username, options.password ?? '') }
        : {}),
    });
    aedes.on('clientError', (client, error) =>
      options.logger.debug({ clientId: client.id, err: error }, 'mqtt client error'),
    );
    const server = createServer(aedes.handle);
    const broker = new EmbeddedBroker(aedes, server, options);
    holder.broker = broker;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host ?? '0.0.0.0', () => {
        server.off('error', reject);
        resolve();
      });
    });
    options.logger.info({ port: broker.port }, 'embedded mqtt broker listening');
    return broker;
  }

  /** The TCP port the broker listens on. */
  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get connected(): boolean {
    return this.server.listening && !this.intakeStopped;
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
    if (this.server.listening) this.server.close();
  }

  async close(): Promise<void> {
    this.stopIntake();
    await Promise.allSettled([...this.inflight]);
    await new Promise<void>((resolve) => this.aedes.close(() => resolve()));
  }

  private authorizePublish(
    client: Client | null,
    packet: PublishPacket,
    callback: (error?: Error | null) => void,
  ): void {
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

function credentialsCheck(username: string, password: string) {
  const expected = Buffer.from(`${username}\u0000${password}`);
  return (
    _client: Client,
    user: Readonly<string | undefined>,
    pass: Readonly<Buffer | undefined>,
    done: (error: AuthenticateError | null, success: boolean | null) => void,
  ): void => {
    const given = Buffer.from(`${user ?? ''}\u0000${pass?.toString() ?? ''}`);
    const ok = given.length === expected.length && timingSafeEqual(given, expected);
    if (ok) return done(null, true);
    const error = Object.assign(new Error('bad username or password'), { returnCode: 4 as const });
    done(error, false);
  };
}

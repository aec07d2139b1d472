import { connect, type IClientOptions, type IPublishPacket, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { DialTlsFiles } from '@tierscope/federation';
import { DEVICE_TOPIC_FILTERS } from '@tierscope/shared';
import type { MessageMeta } from './telemetry-ingest.ts';

/** Where delivered messages go; resolve = safe to ack (see TelemetryIngest.ingestMessage). */
export interface MessageSink {
  ingestMessage(topic: string, payload: Buffer, meta: MessageMeta): Promise<void>;
  /** true = taken, safe to ack as when ingestMessage resolves; false = nothing done, use ingestMessage. */
  ingestMessageNow?(topic: string, payload: Buffer, meta: MessageMeta): boolean;
  /** With `meta.holdJournal`, resolve = safe to ack once this has returned. */
  flushJournal?(): void;
}

/** How a broker feeds the pipeline: an external broker session, or the embedded broker. */
export interface MessageIntake {
  readonly connected: boolean;
  /** Stops taking new messages: they stay unacked, so the broker keeps them for the next start. */
  stopIntake(): void;
  /** Waits for messages being taken, then ends the broker session or the embedded broker. Call after the pipeline is drained. */
  close(): Promise<void>;
}

export interface MqttConnectionOptions {
  url: string;
  nodeId: string;
  sink: MessageSink;
  logger: Logger;
  username?: string | undefined;
  password?: string | undefined;
  /**
   * On an mqtts:// URL: the CA to pin and the client certificate to present (DIAL_*), read again
   * at every reconnect so a reload is picked up.
   */
  tls?: () => DialTlsFiles | undefined;
  /** Defaults to `tierscope-node-<nodeId>`: stable, so the broker keeps this node's session. */
  clientId?: string;
  /** How long the broker keeps the session (and queues messages) while the node is away. */
  sessionExpirySeconds?: number;
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
}

const SEVEN_DAYS_S = 7 * 24 * 3600;
/**
 * Unacked QoS 1 messages the broker may have in flight to us. Without it an MQTT 5 broker may use
 * the protocol default of 65,535, and after a reconnect redeliver far more messages than the
 * journal's redelivery window (4,096 recent records) recognises as already journaled.
 */
const RECEIVE_MAXIMUM = 1000;
/**
 * mqtt.js hands over the packets of one socket read (~500 small messages) one by one through
 * process.nextTick, so without a break no other I/O is served until all are taken: the batch
 * writer's database round trips then wait ~15 ms each. Every this many messages the ack (and so
 * the next packet) waits for setImmediate, after the event loop's I/O poll.
 */
const YIELD_EVERY = 32;

/**
 * A persistent MQTT 5 session with an external broker. Each QoS 1 message is acked only after the
 * sink has journaled it (mqtt.js sends the PUBACK when handleMessage calls back and hands over one
 * packet at a time). Shutdown: stopIntake() → drain the pipeline → close().
 */
export class MqttConnection implements MessageIntake {
  private readonly client: MqttClient;
  private intakeStopped = false;
  private inflight: Promise<void> | undefined;
  /** Bumped on every CONNACK; an ack computed for an older connection is not sent. */
  private generation = 0;
  private reconnectAttempt = 0;
  private subscribed = false;
  private subscribedWaiters: Array<() => void> = [];
  private sinceYield = 0;
  private corkedStream: CorkableStream | undefined;

  private constructor(private readonly options: MqttConnectionOptions) {
    const reconnectMinMs = options.reconnectMinMs ?? 500;
    const clientOptions: IClientOptions = {
      protocolVersion: 5,
      clientId: options.clientId ?? `tierscope-node-${options.nodeId}`,
      clean: false,
      properties: {
        sessionExpiryInterval: options.sessionExpirySeconds ?? SEVEN_DAYS_S,
        receiveMaximum: RECEIVE_MAXIMUM,
      },
      reconnectPeriod: reconnectMinMs,
      connectTimeout: 10_000,
      username: options.username,
      password: options.password,
      manualConnect: true,
      ...options.tls?.(),
      // mqtt.js logs through `debug` several times per packet; even disabled that shows in profiles.
      log: () => {},
    };
    this.client = connect(options.url, clientOptions);
    this.client.handleMessage = (packet, callback) => this.handleMessage(packet, callback);
    this.client.on('connect', (connack) => this.onConnect(connack.sessionPresent));
    this.client.on('reconnect', () => {
      // mqtt.js opens the next socket with these options after this event.
      Object.assign(this.client.options, options.tls?.());
      this.backOff(reconnectMinMs);
    });
    this.client.on('close', () =>
      options.logger.debug({ url: redact(options.url) }, 'mqtt connection closed'),
    );
    this.client.on('error', (error) =>
      options.logger.warn({ err: error, url: redact(options.url) }, 'mqtt connection error'),
    );
  }

  /** Starts connecting; does not wait for the broker (the node keeps running while it is away). */
  static start(options: MqttConnectionOptions): MqttConnection {
    const connection = new MqttConnection(options);
    connection.client.connect();
    return connection;
  }

  get connected(): boolean {
    return this.client.connected;
  }

  /** Resolves once connected and subscribed to the device topics (at once if already). */
  whenSubscribed(): Promise<void> {
    if (this.client.connected && this.subscribed) return Promise.resolve();
    return new Promise((resolve) => this.subscribedWaiters.push(resolve));
  }

  stopIntake(): void {
    this.intakeStopped = true;
  }

  /**
   * Publishes from the node itself (commands to devices) on its own session; resolves at the
   * broker's PUBACK. While disconnected, mqtt.js holds the message and sends it on reconnect.
   */
  publish(topic: string, payload: string, options: { qos: 0 | 1; retain?: boolean }): Promise<void> {
    return new Promise((resolve, reject) =>
      this.client.publish(topic, payload, { qos: options.qos, retain: options.retain ?? false }, (error) =>
        error ? reject(error) : resolve(),
      ),
    );
  }

  async close(): Promise<void> {
    this.intakeStopped = true;
    // Its PUBACK (or its refusal) must go out before the DISCONNECT.
    await this.inflight?.catch(() => undefined);
    await new Promise<void>((resolve) => this.client.end(false, {}, () => resolve()));
  }

  private handleMessage(packet: IPublishPacket, callback: (error?: Error) => void): void {
    if (this.intakeStopped) {
      // An error makes mqtt.js skip the PUBACK: the broker keeps the message for the next session.
      callback(new Error('intake stopped'));
      return;
    }
    this.corkAcks();
    const generation = this.generation;
    const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
    const meta: MessageMeta = {
      packetId: packet.messageId,
      dup: packet.dup,
      holdJournal: this.options.sink.flushJournal !== undefined,
    };
    // The usual case without a promise per message: the queue has room.
    let taken: boolean;
    try {
      taken = this.options.sink.ingestMessageNow?.(packet.topic, payload, meta) ?? false;
    } catch (error) {
      this.notIngested(packet, generation, callback, error);
      return;
    }
    if (taken) {
      this.inflight = undefined;
      this.ingested(generation, callback);
      return;
    }
    const taking = this.options.sink.ingestMessage(packet.topic, payload, meta);
    this.inflight = taking;
    taking.then(
      () => this.ingested(generation, callback),
      (error: unknown) => this.notIngested(packet, generation, callback, error),
    );
  }

  private ingested(generation: number, callback: (error?: Error) => void): void {
    // A PUBACK queued for a newer connection could ack some other message with the same id.
    if (generation !== this.generation) callback(new Error('connection changed; the broker redelivers'));
    else if (++this.sinceYield < YIELD_EVERY) this.ack(callback);
    else {
      this.sinceYield = 0;
      setImmediate(() => this.ack(callback));
    }
  }

  private notIngested(
    packet: IPublishPacket,
    generation: number,
    callback: (error?: Error) => void,
    error: unknown,
  ): void {
    callback(error instanceof Error ? error : new Error(String(error)));
    if (this.intakeStopped) return;
    this.options.logger.error(
      { err: error, topic: packet.topic },
      'message not ingested; reconnecting so the broker redelivers it',
    );
    // The broker redelivers an unacked message only on a new connection.
    if (generation === this.generation && this.client.connected) this.client.stream.destroy();
  }

  /**
   * Holds the PUBACKs of the messages taken in this turn of the event loop and, when it ends
   * (setImmediate), writes their journal records in one write and then sends the PUBACKs in one
   * write: two writes per turn instead of two per message. An ack still leaves only after its
   * record is written, up to one turn later. If the journal cannot be written, none of the held
   * PUBACKs is sent: the connection is dropped and the broker redelivers.
   */
  private corkAcks(): void {
    if (this.corkedStream) return;
    const stream = this.client.stream as CorkableStream | undefined;
    if (!stream?.cork || !stream.uncork) return;
    stream.cork();
    this.corkedStream = stream;
    // Messages are arriving, so the connection is alive. mqtt.js only counts PINGRESP and acks to
    // *our* publishes as signs of life: behind a backlog of millions of messages the PINGRESP can
    // be late, and the keepalive then drops a working session (seen every ~91 s in bursts).
    this.client.reschedulePing(true);
    setImmediate(() => {
      this.corkedStream = undefined;
      try {
        this.options.sink.flushJournal?.();
      } catch (error) {
        this.dropForRedelivery(error, stream);
        return;
      }
      stream.uncork?.();
    });
  }

  /** Sends one message's PUBACK, or holds it in the corked stream until its journal record is written. */
  private ack(callback: (error?: Error) => void): void {
    if (this.corkedStream && this.corkedStream === this.client.stream) {
      callback();
      return;
    }
    try {
      this.options.sink.flushJournal?.();
    } catch (error) {
      callback(error instanceof Error ? error : new Error(String(error)));
      this.dropForRedelivery(error, this.client.stream);
      return;
    }
    callback();
  }

  private dropForRedelivery(error: unknown, stream: CorkableStream | undefined): void {
    this.options.logger.error(
      { err: error },
      'journal write failed; dropping the connection so the broker redelivers the unacked messages',
    );
    // Destroying the stream discards the PUBACKs still held in it.
    stream?.destroy?.();
  }

  private onConnect(sessionPresent: boolean): void {
    this.generation++;
    this.subscribed = false;
    this.reconnectAttempt = 0;
    this.client.options.reconnectPeriod = this.options.reconnectMinMs ?? 500;
    this.options.logger.info({ url: redact(this.options.url), sessionPresent }, 'mqtt connected');
    // Retain handling 1: retained statuses only when the subscription is new, not on every reconnect.
    const subscriptions = Object.fromEntries(
      DEVICE_TOPIC_FILTERS.map((filter) => [filter, { qos: 1 as const, rh: 1 }]),
    );
    this.client.subscribe(subscriptions, (error, granted) => {
      const refused = (granted ?? []).filter((grant) => grant.qos >= 0x80).map((grant) => grant.topic);
      if (error || refused.length > 0) {
        this.options.logger.error(
          { err: error, refused },
          'mqtt subscribe failed; device messages are not received',
        );
        return;
      }
      this.subscribed = true;
      for (const resolve of this.subscribedWaiters.splice(0)) resolve();
    });
  }

  private backOff(reconnectMinMs: number): void {
    this.reconnectAttempt++;
    const max = this.options.reconnectMaxMs ?? 30_000;
    const base = Math.min(max, reconnectMinMs * 2 ** Math.min(this.reconnectAttempt, 16));
    // Jitter keeps many nodes from reconnecting to a restarted broker in lockstep.
    this.client.options.reconnectPeriod = Math.round(base / 2 + Math.random() * (base / 2));
    this.options.logger.info(
      { attempt: this.reconnectAttempt, nextInMs: this.client.options.reconnectPeriod },
      'mqtt reconnecting',
    );
  }
}

interface CorkableStream {
  cork?: () => void;
  uncork?: () => void;
  destroy?: () => void;
}

function redact(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}

import { join } from 'node:path';
import type { Logger } from 'pino';
import { MAX_PAYLOAD_BYTES } from '@tierscope/shared';
import type { QuarantineList } from '../access/quarantine-list.ts';
import type { NodeConfig } from '../env.ts';
import type { BatchResult, IngestBatch, IngestStore } from '../store/ingest-store.ts';
import { BatchWriter, type BatchWriterStats } from './batch-writer.ts';
import {
  parseDeviceMessage,
  type DeviceMessage,
  type IngestItem,
  type ParsePolicy,
} from './device-message.ts';
import type { IngestMetrics } from './ingest-metrics.ts';
import { Journal, type JournalOptions, type JournalStats } from './journal.ts';

/** An oversize message is journaled only this far: enough for its dead letter's preview. */
const OVERSIZE_KEPT_BYTES = 1024;
const GAUGE_INTERVAL_MS = 1000;
/** A SIGKILL never loses a journaled record (the kernel holds it); this bounds the loss on a power cut. */
const DEFAULT_SYNC_INTERVAL_MS = 1000;

export type IngestConfig = Pick<
  NodeConfig,
  'dataDir' | 'rawRetentionDays' | 'unknownDevices' | 'batchMaxSamples' | 'batchMaxAgeMs' | 'queueLimit'
>;

export interface TelemetryIngestOptions {
  config: IngestConfig;
  store: IngestStore;
  logger: Logger;
  metrics?: IngestMetrics | undefined;
  /**
   * The raw retention and unknown-device rule in force, read for every message (fleet policy may
   * change them); default: the config's.
   */
  settings?: (() => Pick<ParsePolicy, 'rawRetentionDays' | 'unknownDevices'>) | undefined;
  /** Messages of a device quarantined when they arrive become dead letters (reason `quarantined`). */
  quarantines?: QuarantineList | undefined;
  /** Segment size and fdatasync interval of the journal under `<dataDir>/journal`. */
  journal?: Pick<JournalOptions, 'segmentMaxBytes' | 'syncIntervalMs'>;
  /** Retry backoff of failed commits. */
  retryMinMs?: number;
  retryMaxMs?: number;
  now?: () => number;
  /** Runs once per batch before its commit: the alert engine evaluates it and rides in its transaction. */
  prepareBatch?: (batch: IngestBatch) => void;
  /** Runs after each commit, in order (announces the alert changes the batch stored). */
  onBatchCommitted?: (batch: IngestBatch, result: BatchResult) => void;
}

/** How a message arrived; lets a broker redelivery of an already journaled message be recognised. */
export interface MessageMeta {
  packetId?: number | undefined;
  /** The publishing client, when the broker is embedded (packet ids are per client). */
  clientId?: string | undefined;
  /** MQTT dup flag: the broker or client is sending this packet again. */
  dup?: boolean | undefined;
  /**
   * Hold the journal record in memory until flushJournal(): then resolve means safe to ack only
   * once flushJournal() has returned. Lets an intake write many records with one write.
   */
  holdJournal?: boolean | undefined;
}

export interface TelemetryIngestStats extends BatchWriterStats {
  journal: JournalStats;
  /** Journal records replayed at start. */
  replayed: number;
  /** Redeliveries recognised in the journal and not stored again. */
  duplicatesSkipped: number;
}

export class IngestStoppedError extends Error {
  constructor() {
    super('ingest is stopping; message not taken');
    this.name = 'IngestStoppedError';
  }
}

/**
 * The ingest pipeline: journal append → parse → batch writer. `ingestMessage` resolves once the
 * message is journaled and admitted to a batch: from then on it survives a crash (the journal is
 * replayed from the store's checkpoint at start), so that is when the MQTT ack may be sent.
 */
export class TelemetryIngest {
  private stopping = false;
  private replayed = 0;
  private duplicatesSkipped = 0;
  private readonly knownDevices: Set<string>;
  private readonly policy: ParsePolicy;
  private readonly now: () => number;
  private readonly gaugeTimer: NodeJS.Timeout;
  private readonly writer: BatchWriter;

  private constructor(
    private readonly options: TelemetryIngestOptions,
    private readonly journal: Journal,
    private readonly startCheckpoint: number,
    knownDevices: Iterable<string>,
  ) {
    const { config, logger, store } = options;
    this.now = options.now ?? Date.now;
    this.knownDevices = new Set(knownDevices);
    const settings = options.settings ?? (() => config);
    this.policy = {
      get rawRetentionDays() {
        return settings().rawRetentionDays;
      },
      get unknownDevices() {
        return settings().unknownDevices;
      },
      isKnownDevice: (deviceId) => this.knownDevices.has(deviceId),
      ...(options.quarantines && {
        quarantineAt: options.quarantines.activeAt.bind(options.quarantines),
      }),
    };
    this.writer = new BatchWriter({
      store,
      logger,
      batchMaxSamples: config.batchMaxSamples,
      batchMaxAgeMs: config.batchMaxAgeMs,
      queueLimit: config.queueLimit,
      retryMinMs: options.retryMinMs,
      retryMaxMs: options.retryMaxMs,
      now: this.now,
      prepare: options.prepareBatch,
      onCommitted: (batch, result, durationMs) => this.committed(batch, result, durationMs),
      onFlushFailed: () => options.metrics?.flushFailures.inc(),
    });
    this.gaugeTimer = setInterval(() => this.updateGauges(), GAUGE_INTERVAL_MS);
    this.gaugeTimer.unref();
  }

  /**
   * Opens the journal, loads known devices and replays every journaled message above the store's
   * checkpoint through the same parse path. Resolves when the replayed messages are admitted to
   * batches (not necessarily committed); only then should the broker intake start.
   */
  static async start(options: TelemetryIngestOptions): Promise<TelemetryIngest> {
    const { store, config, logger } = options;
    const checkpoint = await store.readCheckpoint();
    const deviceIds = await store.listDeviceIds();
    const journal = Journal.open(join(config.dataDir, 'journal'), {
      syncIntervalMs: DEFAULT_SYNC_INTERVAL_MS,
      ...options.journal,
      minLastSeq: checkpoint,
    });
    journal.release(checkpoint);
    const ingest = new TelemetryIngest(options, journal, checkpoint, deviceIds);
    try {
      await ingest.replay(checkpoint);
    } catch (error) {
      await ingest.stop(0);
      throw error;
    }
    logger.info(
      { checkpoint, replayed: ingest.replayed, lastSeq: journal.lastSeq, knownDevices: deviceIds.length },
      'ingest started',
    );
    return ingest;
  }

  /**
   * Journals, parses and queues one delivered message. Resolve = safe to ack. Waits while the
   * queue is full (backpressure). Rejects when the journal cannot be written or the pipeline is
   * stopping: then the message must not be acked (the broker keeps it).
   */
  async ingestMessage(topic: string, payload: Buffer, meta: MessageMeta = {}): Promise<void> {
    if (this.stopping) throw new IngestStoppedError();
    const message = this.journalMessage(topic, payload, meta);
    if (message) await this.take(message);
  }

  /**
   * ingestMessage without a promise, for the usual case of a queue with room: returns true once the
   * message is journaled and admitted (safe to ack, as when ingestMessage resolves), or false,
   * having done nothing, when the queue is full: then call ingestMessage, which waits. Throws
   * where ingestMessage rejects.
   */
  ingestMessageNow(topic: string, payload: Buffer, meta: MessageMeta = {}): boolean {
    if (this.stopping) throw new IngestStoppedError();
    if (!this.writer.hasRoom()) return false;
    const message = this.journalMessage(topic, payload, meta);
    if (message) this.writer.acceptNow(this.parse(message));
    return true;
  }

  /** Writes the journal records held for `holdJournal` messages; throws if it cannot (then ack none of them). */
  flushJournal(): void {
    this.journal.flush();
  }

  /** Registers device ids as known (the reject policy admits only known devices). */
  addKnownDevices(deviceIds: Iterable<string>): void {
    for (const id of deviceIds) this.knownDevices.add(id);
  }

  stats(): TelemetryIngestStats {
    const writer = this.writer.stats();
    return {
      ...writer,
      committedSeq: Math.max(writer.committedSeq, this.startCheckpoint),
      journal: this.journal.stats(),
      replayed: this.replayed,
      duplicatesSkipped: this.duplicatesSkipped,
    };
  }

  /**
   * Stops taking messages, commits what was taken and closes the journal. Call after the broker
   * intake has stopped. Resolves false if the commit did not finish within timeoutMs (the rest is
   * replayed from the journal at the next start).
   */
  async stop(timeoutMs?: number): Promise<boolean> {
    this.stopping = true;
    const drained = await this.writer.drain(timeoutMs);
    clearInterval(this.gaugeTimer);
    this.updateGauges();
    this.journal.close();
    this.options.logger.info({ drained, ...this.writer.stats() }, 'ingest stopped');
    return drained;
  }

  private async replay(checkpoint: number): Promise<void> {
    for await (const record of this.journal.replay(checkpoint)) {
      await this.take({
        seq: record.seq,
        topic: record.topic,
        payload: record.payload,
        receivedAt: record.receivedAt,
        size: record.size,
      });
      this.replayed++;
    }
  }

  /** Appends the message to the journal; undefined when it is a redelivery of one already there. */
  private journalMessage(topic: string, payload: Buffer, meta: MessageMeta): DeviceMessage | undefined {
    const size = payload.length;
    const kept = size > MAX_PAYLOAD_BYTES ? payload.subarray(0, OVERSIZE_KEPT_BYTES) : payload;
    if (
      meta.dup &&
      meta.packetId !== undefined &&
      this.isRedelivery(topic, kept, size, meta.packetId, meta.clientId)
    )
      return undefined;
    const receivedAt = this.now();
    const seq = this.journal.append(topic, kept, receivedAt, {
      packetId: meta.packetId,
      clientId: meta.clientId,
      size,
      hold: meta.holdJournal,
    });
    return { seq, topic, payload: kept, receivedAt, size };
  }

  private take(message: DeviceMessage): Promise<void> {
    return this.writer.accept(this.parse(message));
  }

  private parse(message: DeviceMessage): IngestItem {
    const item = parseDeviceMessage(message, this.policy);
    this.countReceived(item);
    return item;
  }

  private isRedelivery(
    topic: string,
    payload: Buffer,
    size: number,
    packetId: number,
    clientId: string | undefined,
  ): boolean {
    const seq = this.journal.findRedelivery(topic, payload, size, packetId, clientId);
    if (seq === undefined) return false;
    this.duplicatesSkipped++;
    this.options.metrics?.messagesReceived.inc({ kind: 'duplicate' });
    this.options.logger.debug(
      { topic, packetId, clientId, seq },
      'broker redelivery of a journaled message skipped',
    );
    return true;
  }

  private countReceived(item: IngestItem): void {
    const metrics = this.options.metrics;
    if (!metrics) return;
    metrics.messagesReceived.inc({ kind: item.kind });
    if (item.kind === 'dead-letter') metrics.deadLetters.inc({ reason: item.deadLetter.reason });
  }

  private committed(batch: IngestBatch, result: BatchResult, durationMs: number): void {
    this.journal.release(batch.lastSeq);
    this.options.onBatchCommitted?.(batch, result);
    if (this.policy.unknownDevices === 'register') this.addKnownDevices(batch.seen.keys());
    const metrics = this.options.metrics;
    if (!metrics) return;
    metrics.samplesStored.inc(batch.samples.length);
    metrics.batchRows.observe(
      batch.samples.length +
        batch.events.length +
        batch.deadLetters.length +
        batch.statuses.length +
        batch.commandAcks.length +
        batch.configReports.length,
    );
    metrics.flushDuration.observe(durationMs / 1000);
    this.updateGauges();
  }

  private updateGauges(): void {
    const metrics = this.options.metrics;
    if (!metrics) return;
    const { queueDepth, committedSeq, journal } = this.stats();
    metrics.queueDepth.set(queueDepth);
    metrics.journalBacklog.set(Math.max(0, journal.lastSeq - committedSeq));
    metrics.journalBytes.set(journal.bytes);
  }
}

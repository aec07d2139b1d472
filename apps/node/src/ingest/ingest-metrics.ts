import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The ingest path's Prometheus metrics, registered on the registry the node exposes. */
export interface IngestMetrics {
  /** by kind: samples, event, status, command-ack, dead-letter, duplicate (a broker redelivery skipped) */
  messagesReceived: Counter<'kind'>;
  samplesStored: Counter;
  deadLetters: Counter<'reason'>;
  batchRows: Histogram;
  flushDuration: Histogram;
  flushFailures: Counter;
  queueDepth: Gauge;
  /** Journaled records not yet committed to the store. */
  journalBacklog: Gauge;
  journalBytes: Gauge;
  /** Embedded broker refusals, by kind: bad-credentials, quarantined, publish, subscribe. */
  brokerRefusals: Counter<'kind'>;
}

export function createIngestMetrics(registry: Registry): IngestMetrics {
  const registers = [registry];
  return {
    messagesReceived: new Counter({
      name: 'tierscope_ingest_messages_received_total',
      help: 'Device messages received, by what they became',
      labelNames: ['kind'],
      registers,
    }),
    samplesStored: new Counter({
      name: 'tierscope_ingest_samples_stored_total',
      help: 'Samples committed to the store',
      registers,
    }),
    deadLetters: new Counter({
      name: 'tierscope_ingest_dead_letters_total',
      help: 'Messages refused, by reason',
      labelNames: ['reason'],
      registers,
    }),
    batchRows: new Histogram({
      name: 'tierscope_ingest_batch_rows',
      help: 'Rows per committed batch',
      buckets: [1, 10, 100, 500, 1000, 2500, 5000, 10_000, 50_000],
      registers,
    }),
    flushDuration: new Histogram({
      name: 'tierscope_ingest_flush_duration_seconds',
      help: 'Time to commit one batch',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    flushFailures: new Counter({
      name: 'tierscope_ingest_flush_failures_total',
      help: 'Failed batch commits (each is retried)',
      registers,
    }),
    queueDepth: new Gauge({
      name: 'tierscope_ingest_queue_depth',
      help: 'Messages accepted and not yet committed',
      registers,
    }),
    journalBacklog: new Gauge({
      name: 'tierscope_ingest_journal_backlog',
      help: 'Journaled messages not yet committed',
      registers,
    }),
    journalBytes: new Gauge({
      name: 'tierscope_ingest_journal_bytes',
      help: 'Bytes in journal segments on disk',
      registers,
    }),
    brokerRefusals: new Counter({
      name: 'tierscope_mqtt_refusals_total',
      help: "Embedded broker refusals: logins, and publishes and subscriptions outside a device's own topics",
      labelNames: ['kind'],
      registers,
    }),
  };
}

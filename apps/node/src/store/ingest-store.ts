import type { DeadLetterReason, DeviceStatus, Severity } from '@tierscope/shared';
import type { AlertTransition } from '../alerting/alert-transitions.ts';
import type { CommittedChange } from './alert-store.pg.ts';
import type { SequencedCommand } from './command-store.ts';

export interface SampleRow {
  deviceId: string;
  metric: string;
  /** epoch ms */
  ts: number;
  value: number;
}

export interface EventRow {
  deviceId: string;
  ts: number;
  type: string;
  severity: Severity;
  message: string;
  attrs: Record<string, unknown>;
}

export interface DeadLetterRow {
  /** The journal sequence of the message: replaying the journal never stores a dead letter twice. */
  seq: number;
  receivedAt: number;
  topic: string;
  reason: DeadLetterReason;
  detail: string;
  payloadPreview: string;
  size: number;
}

export interface StatusRow {
  deviceId: string;
  status: Exclude<DeviceStatus, 'unknown'>;
  at: number;
}

export interface CommandAckRow {
  /** The journal sequence, the topic and the payload's start: what a refused ack's dead letter keeps. */
  seq: number;
  topic: string;
  payloadPreview: string;
  size: number;
  deviceId: string;
  commandId: string;
  ok: boolean;
  at: number;
  result?: Record<string, unknown> | undefined;
  error?: string | undefined;
}

/** A device's report of the configuration version it applied. */
export interface ConfigReportRow {
  /** The journal sequence, the topic and the payload's start: what a refused report's dead letter keeps. */
  seq: number;
  topic: string;
  payloadPreview: string;
  size: number;
  deviceId: string;
  version: number;
  ok: boolean;
  error?: string | undefined;
  config?: Record<string, unknown> | undefined;
  at: number;
}

/**
 * What one flush commits, in one transaction. Everything in it is idempotent (samples keyed by
 * device, metric and ts; events by device, ts and type; dead letters by journal seq), so a batch
 * replayed from the journal after a crash stores nothing twice.
 */
export interface IngestBatch {
  samples: SampleRow[];
  events: EventRow[];
  deadLetters: DeadLetterRow[];
  statuses: StatusRow[];
  commandAcks: CommandAckRow[];
  configReports: ConfigReportRow[];
  /** Latest time each device was heard from in this batch; unknown devices are registered. */
  seen: Map<string, number>;
  /**
   * When each device was first heard from in this batch, and its longest silence inside it: the
   * store turns silences past the device's expected interval into status changes.
   */
  heard?: Map<string, HeardSpan>;
  /** The highest journal sequence in this batch; stored as the checkpoint in the same transaction. */
  lastSeq: number;
  /** What the alert engine decided on this batch: written in its transaction, so a crash loses neither. */
  alertTransitions?: AlertTransition[];
}

/** One device's receipts in a batch, by the node's receive time (epoch ms). */
export interface HeardSpan {
  first: number;
  last: number;
  /** The longest step between two receipts in the batch: from `gapFrom` to `gapTo` (equal when none). */
  gapFrom: number;
  gapTo: number;
}

/** Adds a receipt at `at` (in receive order) to a device's span. */
export function addHeard(heard: Map<string, HeardSpan>, deviceId: string, at: number): void {
  const span = heard.get(deviceId);
  if (!span) heard.set(deviceId, { first: at, last: at, gapFrom: at, gapTo: at });
  else joinSpans(span, { first: at, last: at, gapFrom: at, gapTo: at });
}

/** Folds `later` (received after `span`) into `span`. */
export function joinSpans(span: HeardSpan, later: HeardSpan): void {
  const steps: Array<[number, number]> = [
    [span.gapFrom, span.gapTo],
    [span.last, later.first],
    [later.gapFrom, later.gapTo],
  ];
  for (const [from, to] of steps) {
    if (to - from > span.gapTo - span.gapFrom) {
      span.gapFrom = from;
      span.gapTo = to;
    }
  }
  if (later.first < span.first) span.first = later.first;
  if (later.last > span.last) span.last = later.last;
}

/** A batch holding `parts` and nothing else. */
export function ingestBatch(parts: Partial<IngestBatch> = {}): IngestBatch {
  return {
    samples: [],
    events: [],
    deadLetters: [],
    statuses: [],
    commandAcks: [],
    configReports: [],
    seen: new Map(),
    heard: new Map(),
    lastSeq: 0,
    ...parts,
  };
}

export interface BatchResult {
  samplesInserted: number;
  eventsInserted: number;
  deadLettersInserted: number;
  /** Alert changes the batch's transitions stored (new ones only). */
  alertChanges?: CommittedChange[];
  /** Commands the batch's acks settled. */
  commandChanges?: SequencedCommand[];
}

/** The store as the ingest path sees it. */
export interface IngestStore {
  writeBatch(batch: IngestBatch): Promise<BatchResult>;
  /** The highest journal sequence whose batch is committed; 0 on a new store. */
  readCheckpoint(): Promise<number>;
  /** Every registered device id: the reject policy checks against it. */
  listDeviceIds(): Promise<string[]>;
}

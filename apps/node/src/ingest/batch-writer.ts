import type { Logger } from 'pino';
import {
  addHeard,
  ingestBatch,
  joinSpans,
  type BatchResult,
  type HeardSpan,
  type IngestBatch,
  type IngestStore,
} from '../store/ingest-store.ts';
import type { IngestItem } from './device-message.ts';

export interface BatchWriterOptions {
  store: Pick<IngestStore, 'writeBatch'>;
  logger: Logger;
  /** A batch is closed and flushed once it holds this many rows (samples, events, dead letters…). */
  batchMaxSamples: number;
  /** …or once its oldest item is this old. */
  batchMaxAgeMs: number;
  /** Messages accepted but not committed; past this, accept() waits. */
  queueLimit: number;
  /**
   * While a commit is in flight, closed batches queue up; the next commit takes as many of them as
   * fit in this many rows, in seq order, as one transaction (default 8 × batchMaxSamples). Under
   * load the store's fixed cost per transaction (rollup and device upserts, the commit itself) is
   * then paid once per several batches; at low rates batches stay small and quick.
   */
  flushMaxRows?: number;
  /** Backoff between retries of a failed flush: doubles from min up to max. */
  retryMinMs?: number;
  retryMaxMs?: number;
  /**
   * Called once per flush, just before the first attempt, in seq order (the alert engine evaluates
   * here, so what it decides is written in the batch's own transaction).
   */
  prepare?: (batch: IngestBatch) => void;
  /** Called after each commit, in seq order. */
  onCommitted?: (batch: IngestBatch, result: BatchResult, durationMs: number) => void;
  /** Called after each failed attempt; the batch is retried. */
  onFlushFailed?: (error: unknown, attempt: number) => void;
  now?: () => number;
}

export interface BatchWriterStats {
  /** Messages committed. */
  messagesTotal: number;
  /** Samples committed (duplicates the store skipped included). */
  samplesTotal: number;
  /** Samples committed per second over the last 10 s. */
  samplesPerSec: number;
  /** Messages accepted and not yet committed, plus those waiting to be accepted. */
  queueDepth: number;
  deadLettersTotal: number;
  /** The highest seq committed by this writer; 0 before the first commit. */
  committedSeq: number;
  /** When the oldest message not yet committed was received (epoch ms); null when none waits. */
  oldestPendingAt: number | null;
  flushFailuresTotal: number;
}

interface PendingBatch {
  batch: IngestBatch;
  rows: number;
  messages: number;
  /** When its oldest message was received. */
  oldestAt: number;
}

interface Waiter {
  item: IngestItem;
  resolve: () => void;
  reject: (error: Error) => void;
}

const RATE_WINDOW_S = 10;

/**
 * Groups parsed messages into store batches and commits them one at a time, in seq order, so each
 * batch's `lastSeq` is a valid checkpoint. A failed commit is retried with capped backoff and never
 * dropped; while it fails, the queue fills and accept() makes callers wait (their acks wait too).
 */
export class BatchWriter {
  private open: PendingBatch | undefined;
  private openTimer: NodeJS.Timeout | undefined;
  private readonly ready: PendingBatch[] = [];
  private inflight: PendingBatch | undefined;
  private depth = 0;
  private readonly waiters: Waiter[] = [];
  private idleWaiters: Array<() => void> = [];
  private abandoned = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private wakeRetry: (() => void) | undefined;
  private readonly now: () => number;
  private readonly totals = { messages: 0, samples: 0, deadLetters: 0, committedSeq: 0, flushFailures: 0 };
  private readonly rateBuckets = new Map<number, number>();

  constructor(private readonly options: BatchWriterOptions) {
    this.now = options.now ?? Date.now;
  }

  /**
   * Takes one parsed message. Resolves at once while fewer than queueLimit messages are
   * uncommitted; otherwise resolves when a commit makes room. Items are batched in call order.
   */
  accept(item: IngestItem): Promise<void> {
    if (this.abandoned) return Promise.reject(new Error('batch writer is closed'));
    if (this.hasRoom()) {
      this.add(item);
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => this.waiters.push({ item, resolve, reject }));
  }

  /**
   * Whether accept() would take a message at once: nothing waits and fewer than queueLimit are
   * uncommitted. Lets the intake take a message without a promise and keep it unjournaled otherwise.
   */
  hasRoom(): boolean {
    return !this.abandoned && this.waiters.length === 0 && this.depth < this.options.queueLimit;
  }

  /** accept() for when hasRoom() said yes in the same turn: takes the message synchronously. */
  acceptNow(item: IngestItem): void {
    if (!this.hasRoom()) throw new Error('batch writer has no room; use accept()');
    this.add(item);
  }

  /**
   * Flushes everything accepted and resolves true once it is committed. With a timeout, gives up
   * after it (e.g. the database is down) and resolves false: the uncommitted messages stay in the
   * journal and are replayed at the next start. After a timeout the writer accepts nothing more.
   */
  async drain(timeoutMs?: number): Promise<boolean> {
    this.closeOpenBatch();
    this.kick();
    if (this.isIdle()) return true;
    const idle = new Promise<boolean>((resolve) => this.idleWaiters.push(() => resolve(true)));
    if (timeoutMs === undefined) return idle;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const drained = await Promise.race([idle, timeout]);
    clearTimeout(timer);
    if (!drained) this.abandon();
    return drained;
  }

  stats(): BatchWriterStats {
    return {
      messagesTotal: this.totals.messages,
      samplesTotal: this.totals.samples,
      samplesPerSec: this.samplesPerSec(),
      queueDepth: this.depth + this.waiters.length,
      deadLettersTotal: this.totals.deadLetters,
      committedSeq: this.totals.committedSeq,
      oldestPendingAt: this.oldestPendingAt(),
      flushFailuresTotal: this.totals.flushFailures,
    };
  }

  /** Batches commit in seq order, so the oldest message waits in the first batch still held. */
  private oldestPendingAt(): number | null {
    const first = this.inflight ?? this.ready[0] ?? this.open;
    if (first) return first.oldestAt;
    const waiter = this.waiters[0];
    return waiter ? receivedAtOf(waiter.item, this.now()) : null;
  }

  private add(item: IngestItem): void {
    if (!this.open) {
      this.open = { batch: ingestBatch(), rows: 0, messages: 0, oldestAt: receivedAtOf(item, this.now()) };
      this.openTimer = setTimeout(() => {
        this.closeOpenBatch();
        this.kick();
      }, this.options.batchMaxAgeMs);
    }
    const pending = this.open;
    pending.rows += foldItem(pending.batch, item);
    pending.messages++;
    this.depth++;
    if (pending.rows >= this.options.batchMaxSamples) {
      this.closeOpenBatch();
      this.kick();
    }
  }

  private closeOpenBatch(): void {
    if (!this.open) return;
    clearTimeout(this.openTimer);
    this.openTimer = undefined;
    this.ready.push(this.open);
    this.open = undefined;
  }

  private kick(): void {
    if (this.inflight || this.abandoned) return;
    if (this.ready.length === 0) return;
    const maxRows = this.options.flushMaxRows ?? 8 * this.options.batchMaxSamples;
    let count = 1;
    let rows = this.ready[0]!.rows;
    while (count < this.ready.length && rows + this.ready[count]!.rows <= maxRows)
      rows += this.ready[count++]!.rows;
    const taken = this.ready.splice(0, count);
    const pending = taken.length === 1 ? taken[0]! : mergeBatches(taken);
    this.inflight = pending;
    this.options.prepare?.(pending.batch);
    void this.flush(pending);
  }

  private async flush(pending: PendingBatch): Promise<void> {
    let delay = this.options.retryMinMs ?? 100;
    const maxDelay = this.options.retryMaxMs ?? 5000;
    for (let attempt = 1; !this.abandoned; attempt++) {
      const started = performance.now();
      try {
        const result = await this.options.store.writeBatch(pending.batch);
        this.committed(pending, result, performance.now() - started);
        return;
      } catch (error) {
        this.totals.flushFailures++;
        this.options.logger.warn(
          { err: error, attempt, retryInMs: delay, lastSeq: pending.batch.lastSeq },
          'ingest batch commit failed; retrying',
        );
        this.options.onFlushFailed?.(error, attempt);
        await this.sleep(delay);
        delay = Math.min(maxDelay, delay * 2);
      }
    }
  }

  private committed(pending: PendingBatch, result: BatchResult, durationMs: number): void {
    const { batch } = pending;
    this.inflight = undefined;
    this.depth -= pending.messages;
    this.totals.messages += pending.messages;
    this.totals.samples += batch.samples.length;
    this.totals.deadLetters += batch.deadLetters.length;
    this.totals.committedSeq = Math.max(this.totals.committedSeq, batch.lastSeq);
    this.countRate(batch.samples.length);
    try {
      this.options.onCommitted?.(batch, result, durationMs);
    } catch (error) {
      this.options.logger.error({ err: error }, 'ingest onCommitted hook failed');
    }
    this.admitWaiters();
    this.kick();
    if (this.isIdle()) this.notifyIdle();
  }

  /** Moves waiting messages into batches, oldest first, while there is room. */
  private admitWaiters(): void {
    while (this.waiters.length > 0 && this.depth < this.options.queueLimit) {
      const waiter = this.waiters.shift()!;
      this.add(waiter.item);
      waiter.resolve();
    }
  }

  private isIdle(): boolean {
    return this.depth === 0 && this.waiters.length === 0;
  }

  private notifyIdle(): void {
    const waiting = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiting) resolve();
  }

  private abandon(): void {
    this.abandoned = true;
    clearTimeout(this.openTimer);
    clearTimeout(this.retryTimer);
    this.wakeRetry?.();
    // Their messages are journaled; not acking them is right, the next start replays them.
    for (const waiter of this.waiters.splice(0)) waiter.reject(new Error('batch writer is closed'));
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wakeRetry = resolve;
      this.retryTimer = setTimeout(resolve, ms);
    });
  }

  private countRate(samples: number): void {
    const second = Math.floor(this.now() / 1000);
    this.rateBuckets.set(second, (this.rateBuckets.get(second) ?? 0) + samples);
    for (const key of this.rateBuckets.keys())
      if (key <= second - RATE_WINDOW_S) this.rateBuckets.delete(key);
  }

  private samplesPerSec(): number {
    const second = Math.floor(this.now() / 1000);
    let sum = 0;
    for (const [key, count] of this.rateBuckets) if (key > second - RATE_WINDOW_S) sum += count;
    return sum / RATE_WINDOW_S;
  }
}

/**
 * One batch of several, in seq order: rows in order, the latest time each device was heard from.
 * Each array is built once at its final size (concat), not grown push by push: under load these
 * hold tens of thousands of rows, and every regrowth would leave a large array for the GC.
 */
function mergeBatches(pendings: readonly PendingBatch[]): PendingBatch {
  const batches = pendings.map((pending) => pending.batch);
  const [first, ...later] = batches as [IngestBatch, ...IngestBatch[]];
  const seen = new Map(first.seen);
  const heard = new Map<string, HeardSpan>();
  for (const b of batches)
    for (const [deviceId, span] of b.heard ?? []) {
      const before = heard.get(deviceId);
      if (before) joinSpans(before, span);
      else heard.set(deviceId, { ...span });
    }
  for (const batch of later) {
    for (const [deviceId, at] of batch.seen) {
      const before = seen.get(deviceId);
      if (before === undefined || at > before) seen.set(deviceId, at);
    }
  }
  const batch: IngestBatch = {
    samples: first.samples.concat(...later.map((b) => b.samples)),
    events: first.events.concat(...later.map((b) => b.events)),
    deadLetters: first.deadLetters.concat(...later.map((b) => b.deadLetters)),
    statuses: first.statuses.concat(...later.map((b) => b.statuses)),
    commandAcks: first.commandAcks.concat(...later.map((b) => b.commandAcks)),
    configReports: first.configReports.concat(...later.map((b) => b.configReports)),
    seen,
    heard,
    lastSeq: Math.max(...batches.map((b) => b.lastSeq)),
  };
  let rows = 0;
  let messages = 0;
  for (const pending of pendings) {
    rows += pending.rows;
    messages += pending.messages;
  }
  return { batch, rows, messages, oldestAt: Math.min(...pendings.map((pending) => pending.oldestAt)) };
}

/** A dead letter carries no receive time of its own; it is taken as it arrives. */
function receivedAtOf(item: IngestItem, now: number): number {
  return item.kind === 'dead-letter' ? now : item.receivedAt;
}

/** Adds one item's rows to a batch and returns how many rows it added. */
function foldItem(batch: IngestBatch, item: IngestItem): number {
  batch.lastSeq = Math.max(batch.lastSeq, item.seq);
  if (item.kind === 'dead-letter') {
    batch.deadLetters.push(item.deadLetter);
    return 1;
  }
  // "Heard from" is when the node received it: a device's own clock or buffered old data must not move it.
  const seen = batch.seen.get(item.deviceId);
  if (seen === undefined || item.receivedAt > seen) batch.seen.set(item.deviceId, item.receivedAt);
  // A status message (a last will, say) is the broker speaking for the device: not a receipt from it.
  if (batch.heard && item.kind !== 'status') addHeard(batch.heard, item.deviceId, item.receivedAt);
  switch (item.kind) {
    case 'samples':
      for (const sample of item.samples) batch.samples.push(sample);
      return item.samples.length;
    case 'event':
      batch.events.push(item.event);
      return 1;
    case 'status':
      batch.statuses.push(item.status);
      return 1;
    case 'command-ack':
      batch.commandAcks.push(item.commandAck);
      return 1;
    case 'config-report':
      batch.configReports.push(item.configReport);
      return 1;
  }
}

import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { BatchWriter, type BatchWriterOptions } from './batch-writer.ts';
import type { IngestItem } from './device-message.ts';
import { MemoryIngestStore } from '../testing/memory-ingest-store.ts';

const logger = pino({ level: 'silent' });

function samplesItem(seq: number, deviceId = 'd-1', metrics = 1): IngestItem {
  const samples = Array.from({ length: metrics }, (_, i) => ({
    deviceId,
    metric: `m${i}`,
    ts: seq,
    value: seq,
  }));
  return { kind: 'samples', seq, deviceId, receivedAt: 1000 + seq, samples };
}

function writer(store: MemoryIngestStore, overrides: Partial<BatchWriterOptions> = {}): BatchWriter {
  return new BatchWriter({
    store,
    logger,
    batchMaxSamples: 10,
    batchMaxAgeMs: 20,
    queueLimit: 100,
    retryMinMs: 5,
    retryMaxMs: 20,
    ...overrides,
  });
}

const tick = () => new Promise((resolve) => setImmediate(resolve));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What a refused ack's dead letter would keep: not looked at here. */
const ACK_MESSAGE = { seq: 4, topic: 'devices/b/commands/ack', payloadPreview: '{}', size: 2 };

describe('BatchWriter', () => {
  it('flushes a batch as soon as it holds batchMaxSamples rows', async () => {
    const store = new MemoryIngestStore();
    const w = writer(store, { batchMaxAgeMs: 10_000 });
    for (let seq = 1; seq <= 5; seq++) await w.accept(samplesItem(seq, 'd-1', 2));
    await tick();
    expect(store.batches).toHaveLength(1);
    expect(store.batches[0]!.samples).toHaveLength(10);
    expect(store.checkpoint).toBe(5);
    await w.drain();
  });

  it('says when the oldest uncommitted message was received, and null once all are committed', async () => {
    const store = new MemoryIngestStore();
    const w = writer(store, { batchMaxAgeMs: 10_000 });
    expect(w.stats().oldestPendingAt).toBeNull();
    await w.accept(samplesItem(3));
    await w.accept(samplesItem(4));
    expect(w.stats().oldestPendingAt).toBe(1003);
    await w.drain();
    expect(w.stats().oldestPendingAt).toBeNull();
  });

  it('flushes a smaller batch once its oldest item is batchMaxAgeMs old', async () => {
    const store = new MemoryIngestStore();
    const w = writer(store);
    await w.accept(samplesItem(1));
    await tick();
    expect(store.batches).toHaveLength(0);
    await sleep(40);
    expect(store.batches).toHaveLength(1);
    expect(store.checkpoint).toBe(1);
  });

  it('folds every kind of item into one batch with seen as the latest receive time per device', async () => {
    const store = new MemoryIngestStore();
    const w = writer(store, { batchMaxSamples: 1000 });
    await w.accept(samplesItem(1, 'a'));
    await w.accept({
      kind: 'status',
      seq: 2,
      deviceId: 'a',
      receivedAt: 5000,
      status: { deviceId: 'a', status: 'online', at: 5000 },
    });
    await w.accept({
      kind: 'event',
      seq: 3,
      deviceId: 'b',
      receivedAt: 4000,
      event: { deviceId: 'b', ts: 1, type: 't', severity: 'info', message: '', attrs: {} },
    });
    await w.accept({
      kind: 'command-ack',
      seq: 4,
      deviceId: 'b',
      receivedAt: 3000,
      commandAck: { ...ACK_MESSAGE, deviceId: 'b', commandId: 'c', ok: true, at: 3000 },
    });
    await w.accept({
      kind: 'dead-letter',
      seq: 5,
      deadLetter: {
        seq: 5,
        receivedAt: 9999,
        topic: 'devices/zz/telemetry',
        reason: 'bad-json',
        detail: '',
        payloadPreview: '',
        size: 1,
      },
    });
    expect(await w.drain()).toBe(true);
    const [batch] = store.batches;
    expect(batch).toMatchObject({ lastSeq: 5 });
    expect([
      batch!.samples.length,
      batch!.statuses.length,
      batch!.events.length,
      batch!.commandAcks.length,
      batch!.deadLetters.length,
    ]).toEqual([1, 1, 1, 1, 1]);
    expect([...batch!.seen]).toEqual([
      ['a', 5000],
      ['b', 4000],
    ]);
    expect(w.stats()).toMatchObject({
      messagesTotal: 5,
      samplesTotal: 1,
      deadLettersTotal: 1,
      queueDepth: 0,
      committedSeq: 5,
    });
  });

  it('commits one batch at a time, in seq order, while the next accumulates', async () => {
    const store = new MemoryIngestStore();
    store.writeDelayMs = 15;
    let inFlight = 0;
    let maxInFlight = 0;
    const write = store.writeBatch.bind(store);
    store.writeBatch = async (batch) => {
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      try {
        return await write(batch);
      } finally {
        inFlight--;
      }
    };
    const w = writer(store, { batchMaxSamples: 5, queueLimit: 1000 });
    for (let seq = 1; seq <= 100; seq++) await w.accept(samplesItem(seq));
    await w.drain();
    expect(maxInFlight).toBe(1);
    const lastSeqs = store.batches.map((b) => b.lastSeq);
    expect(lastSeqs).toEqual([...lastSeqs].sort((a, b) => a - b));
    expect(store.batches.flatMap((b) => b.samples.map((s) => s.ts))).toEqual(
      Array.from({ length: 100 }, (_, i) => i + 1),
    );
  });

  it('makes accept wait once queueLimit messages are uncommitted, and releases waiters in order as commits land', async () => {
    const store = new MemoryIngestStore();
    store.down = true;
    const w = writer(store, { batchMaxSamples: 2, queueLimit: 4 });
    const order: number[] = [];
    const accepted = Array.from({ length: 8 }, (_, i) =>
      w.accept(samplesItem(i + 1)).then(() => order.push(i + 1)),
    );
    await sleep(30);
    expect(order).toEqual([1, 2, 3, 4]);
    expect(w.stats().queueDepth).toBe(8);
    store.down = false;
    await Promise.all(accepted);
    expect(order).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    await w.drain();
    expect(store.samplesOf('d-1').map((s) => s.ts)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('retries a failed commit with backoff until the store is back, losing nothing', async () => {
    const store = new MemoryIngestStore();
    const failures: number[] = [];
    const w = writer(store, {
      batchMaxSamples: 3,
      onFlushFailed: (_error, attempt) => failures.push(attempt),
    });
    store.down = true;
    for (let seq = 1; seq <= 10; seq++) await w.accept(samplesItem(seq));
    await sleep(80);
    expect(store.batches).toHaveLength(0);
    expect(failures.length).toBeGreaterThanOrEqual(3);
    store.down = false;
    expect(await w.drain()).toBe(true);
    expect(store.samplesOf('d-1')).toHaveLength(10);
    expect(store.checkpoint).toBe(10);
    expect(w.stats().flushFailuresTotal).toBe(failures.length);
  });

  it('gives up draining after the timeout while the store is down, and refuses more items', async () => {
    const store = new MemoryIngestStore();
    store.down = true;
    const w = writer(store, { queueLimit: 2 });
    await w.accept(samplesItem(1));
    await w.accept(samplesItem(2));
    const waiting = w.accept(samplesItem(3));
    expect(await w.drain(50)).toBe(false);
    await expect(waiting).rejects.toThrow('closed');
    await expect(w.accept(samplesItem(4))).rejects.toThrow('closed');
    expect(store.checkpoint).toBe(0);
  });

  it('counts samples per second over the last ten seconds', async () => {
    let now = 100_000;
    const store = new MemoryIngestStore();
    const w = writer(store, { batchMaxSamples: 10, now: () => now });
    for (let seq = 1; seq <= 10; seq++) await w.accept(samplesItem(seq, 'd', 10));
    await w.drain();
    expect(w.stats().samplesPerSec).toBe(10);
    now += 11_000;
    expect(w.stats().samplesPerSec).toBe(0);
    expect(w.stats().samplesTotal).toBe(100);
  });
});

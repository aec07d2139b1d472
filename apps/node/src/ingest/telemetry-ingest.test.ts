import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createIngestMetrics } from './ingest-metrics.ts';
import { MemoryIngestStore } from '../testing/memory-ingest-store.ts';
import { IngestStoppedError, TelemetryIngest, type IngestConfig } from './telemetry-ingest.ts';

const logger = pino({ level: 'silent' });
let dataDir: string;
let config: IngestConfig;

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'ingest-test-'));
  config = {
    dataDir,
    rawRetentionDays: 30,
    unknownDevices: 'register',
    batchMaxSamples: 100,
    batchMaxAgeMs: 5,
    queueLimit: 1000,
  };
});
afterEach(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

const BASE_TS = Date.now() - 60_000;
// Samples are keyed by device, metric and ts: each message gets its own ts.
const telemetry = (i: number) => Buffer.from(JSON.stringify({ ts: BASE_TS + i, metrics: { n: i } }));

describe('TelemetryIngest', () => {
  it('stores every message and checkpoints the last seq', async () => {
    const store = new MemoryIngestStore();
    const ingest = await TelemetryIngest.start({ config, store, logger });
    for (let i = 1; i <= 50; i++)
      await ingest.ingestMessage('devices/d-1/telemetry', telemetry(i), { packetId: i });
    await ingest.ingestMessage('devices/d-1/telemetry', Buffer.from('nope'));
    expect(await ingest.stop()).toBe(true);
    expect([...store.samples.values()].map((s) => s.value).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 50 }, (_, i) => i + 1),
    );
    expect([...store.deadLetters.values()]).toMatchObject([{ seq: 51, reason: 'bad-json' }]);
    expect(store.checkpoint).toBe(51);
    expect(store.devices.has('d-1')).toBe(true);
  });

  it('replays exactly the journaled messages above a checkpoint that is behind, after a restart', async () => {
    const first = await TelemetryIngest.start({ config, store: new MemoryIngestStore(), logger });
    for (let i = 1; i <= 10; i++) await first.ingestMessage('devices/d-1/telemetry', telemetry(i));
    await first.stop();

    const behind = new MemoryIngestStore();
    behind.checkpoint = 6; // the commit of 7..10 was lost with the crash
    const second = await TelemetryIngest.start({ config, store: behind, logger });
    expect(second.stats().replayed).toBe(4);
    await second.ingestMessage('devices/d-1/telemetry', telemetry(11));
    await second.stop();
    expect([...behind.samples.values()].map((s) => s.value).sort((a, b) => a - b)).toEqual([7, 8, 9, 10, 11]);
    expect(behind.checkpoint).toBe(11);
  });

  it('keeps the receive time of replayed messages, so a replay writes the same sample keys', async () => {
    let now = 1_750_000_000_000;
    const store = new MemoryIngestStore();
    const first = await TelemetryIngest.start({ config, store, logger, now: () => now });
    await first.ingestMessage('devices/d-1/telemetry', Buffer.from('{"metrics":{"n":1}}'));
    await first.stop();
    now += 60_000;
    store.checkpoint = 0;
    const second = await TelemetryIngest.start({ config, store, logger, now: () => now });
    await second.stop();
    expect(store.samples.size).toBe(1);
    expect([...store.samples.values()][0]!.ts).toBe(1_750_000_000_000);
  });

  it('skips a redelivery (dup flag) of a message already journaled, but not a new message reusing the packet id', async () => {
    const store = new MemoryIngestStore();
    const ingest = await TelemetryIngest.start({ config, store, logger });
    await ingest.ingestMessage('devices/d-1/status', Buffer.from('online'), { packetId: 5 });
    await ingest.ingestMessage('devices/d-1/status', Buffer.from('online'), { packetId: 5, dup: true });
    await ingest.ingestMessage('devices/d-1/status', Buffer.from('offline'), { packetId: 5, dup: true });
    await ingest.ingestMessage('devices/d-1/status', Buffer.from('online'), { packetId: 5 });
    await ingest.stop();
    expect(store.statuses.map((s) => s.status)).toEqual(['online', 'offline', 'online']);
    expect(ingest.stats().duplicatesSkipped).toBe(1);
  });

  it('recognises a redelivery after a restart from the journal tail', async () => {
    const first = await TelemetryIngest.start({ config, store: new MemoryIngestStore(), logger });
    await first.ingestMessage('devices/d-1/telemetry', telemetry(1), { packetId: 77, clientId: 'dev' });
    await first.stop();
    const store = new MemoryIngestStore();
    store.checkpoint = 1;
    const second = await TelemetryIngest.start({ config, store, logger });
    await second.ingestMessage('devices/d-1/telemetry', telemetry(1), {
      packetId: 77,
      clientId: 'dev',
      dup: true,
    });
    await second.stop();
    expect(store.samples.size).toBe(0);
    expect(second.stats().duplicatesSkipped).toBe(1);
  });

  it('journals only the head of an oversize message and dead-letters it with its full size', async () => {
    const store = new MemoryIngestStore();
    const ingest = await TelemetryIngest.start({ config, store, logger });
    await ingest.ingestMessage('devices/d-1/telemetry', Buffer.alloc(300_000, 'x'));
    expect(ingest.stats().journal.bytes).toBeLessThan(2000);
    await ingest.stop();
    expect([...store.deadLetters.values()]).toMatchObject([{ reason: 'oversize', size: 300_000 }]);
  });

  it('under the reject policy admits devices known to the store or added later', async () => {
    const store = new MemoryIngestStore(['known']);
    const ingest = await TelemetryIngest.start({
      config: { ...config, unknownDevices: 'reject' },
      store,
      logger,
    });
    await ingest.ingestMessage('devices/known/telemetry', telemetry(1));
    await ingest.ingestMessage('devices/later/telemetry', telemetry(2));
    ingest.addKnownDevices(['later']);
    await ingest.ingestMessage('devices/later/telemetry', telemetry(3));
    await ingest.stop();
    expect(store.samples.size).toBe(2);
    expect([...store.deadLetters.values()].map((d) => d.reason)).toEqual(['unknown-device']);
  });

  it('follows the unknown-device rule its settings give at each message (fleet policy changes it)', async () => {
    const store = new MemoryIngestStore();
    let unknownDevices: 'register' | 'reject' = 'register';
    const ingest = await TelemetryIngest.start({
      config,
      store,
      logger,
      settings: () => ({ rawRetentionDays: 30, unknownDevices }),
    });
    await ingest.ingestMessage('devices/first/telemetry', telemetry(1));
    unknownDevices = 'reject';
    await ingest.ingestMessage('devices/second/telemetry', telemetry(2));
    await ingest.stop();
    expect([...store.samples.values()].map((s) => s.deviceId)).toEqual(['first']);
    expect([...store.deadLetters.values()].map((d) => d.reason)).toEqual(['unknown-device']);
  });

  it('takes a message without a promise while the queue has room, and leaves it unjournaled when full', async () => {
    const store = new MemoryIngestStore();
    store.down = true; // nothing commits: the queue only fills
    const ingest = await TelemetryIngest.start({
      config: { ...config, queueLimit: 100 },
      store,
      logger,
      retryMinMs: 5,
      retryMaxMs: 5,
    });
    for (let i = 1; i <= 100; i++)
      expect(ingest.ingestMessageNow('devices/d-1/telemetry', telemetry(i), { packetId: i })).toBe(true);
    expect(ingest.stats().journal.lastSeq).toBe(100);
    // Full: the caller falls back to ingestMessage, which waits; nothing was journaled twice.
    expect(ingest.ingestMessageNow('devices/d-1/telemetry', telemetry(101), { packetId: 101 })).toBe(false);
    expect(ingest.stats().journal.lastSeq).toBe(100);
    const waiting = ingest.ingestMessage('devices/d-1/telemetry', telemetry(101), { packetId: 101 });
    store.down = false;
    await waiting;
    expect(await ingest.stop()).toBe(true);
    expect(store.samples.size).toBe(101);
    expect(store.checkpoint).toBe(101);
  });

  it('refuses messages once stopping, so they are not acked', async () => {
    const ingest = await TelemetryIngest.start({ config, store: new MemoryIngestStore(), logger });
    await ingest.stop();
    await expect(ingest.ingestMessage('devices/d-1/telemetry', telemetry(1))).rejects.toBeInstanceOf(
      IngestStoppedError,
    );
    expect(() => ingest.ingestMessageNow('devices/d-1/telemetry', telemetry(1))).toThrow(IngestStoppedError);
  });

  it('exports counts by kind and reason to the registry', async () => {
    const registry = new Registry();
    const ingest = await TelemetryIngest.start({
      config,
      store: new MemoryIngestStore(),
      logger,
      metrics: createIngestMetrics(registry),
    });
    await ingest.ingestMessage('devices/d-1/telemetry', Buffer.from('{"metrics":{"a":1,"b":2}}'));
    await ingest.ingestMessage('devices/d-1/telemetry', Buffer.from('{'));
    await ingest.stop();
    const text = await registry.metrics();
    expect(text).toContain('tierscope_ingest_messages_received_total{kind="samples"} 1');
    expect(text).toContain('tierscope_ingest_dead_letters_total{reason="bad-json"} 1');
    expect(text).toContain('tierscope_ingest_samples_stored_total 2');
    expect(text).toContain('tierscope_ingest_journal_backlog 0');
  });
});

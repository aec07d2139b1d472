import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseBackends, type TestDatabase } from '@tierscope/test-support/test-databases';
import { openNodeStore, type NodeStore } from './client.ts';
import { ingestBatch, type SampleRow } from './ingest-store.ts';
import { createPgIngestStore } from './ingest-store.pg.ts';
import { checkMigrations } from '@tierscope/store';
import { MIGRATIONS_FOLDER, migrateStore } from './migrate.ts';

const HOUR = 3_600_000;

function seenOf(samples: readonly SampleRow[]): Map<string, number> {
  const seen = new Map<string, number>();
  for (const s of samples) seen.set(s.deviceId, Math.max(seen.get(s.deviceId) ?? 0, s.ts));
  return seen;
}

describe.each(testDatabaseBackends())('ingest store on $name', ({ create }) => {
  let database: TestDatabase;
  let store: NodeStore;

  beforeAll(async () => {
    database = await create();
    store = await openNodeStore(database.url);
    await migrateStore(store);
  });
  afterAll(async () => {
    await store.close();
    await database.drop();
  });

  async function count(table: string, where = 'true', params: unknown[] = []): Promise<number> {
    const [row] = await store.exec<{ n: number }>(
      `select count(*)::int as n from ${table} where ${where}`,
      params,
    );
    return row?.n ?? -1;
  }

  it('reports every migration applied, and migrating again changes nothing', async () => {
    expect(await checkMigrations(store, MIGRATIONS_FOLDER)).toEqual({ ok: true });
    await migrateStore(store);
    expect(await checkMigrations(store, MIGRATIONS_FOLDER)).toEqual({ ok: true });
  });

  it('stores a batch written twice only once: samples, events, dead letters, acks, and rollups count once', async () => {
    const ingest = createPgIngestStore(store);
    const t0 = Date.UTC(2025, 0, 1, 10, 0, 0);
    const samples = Array.from({ length: 300 }, (_, i) => ({
      deviceId: `twice-${i % 3}`,
      metric: i % 2 === 0 ? 'temp' : 'hum',
      ts: t0 + i * 1000,
      value: i,
    }));
    const written = ingestBatch({
      samples,
      seen: seenOf(samples),
      events: [
        {
          deviceId: 'twice-0',
          ts: t0,
          type: 'door',
          severity: 'info',
          message: 'door opened',
          attrs: { door: 1 },
        },
        {
          deviceId: 'twice-1',
          ts: t0,
          type: 'heat',
          severity: 'critical',
          message: 'too hot \u0000',
          attrs: {},
        },
      ],
      deadLetters: [
        {
          seq: 7,
          receivedAt: t0,
          topic: 'devices/x/telemetry',
          reason: 'bad-json',
          detail: 'Unexpected token',
          payloadPreview: '{oops\u0000',
          size: 5,
        },
      ],
      commandAcks: [
        {
          seq: 8,
          topic: 'devices/twice-0/commands/ack',
          payloadPreview: '{"id":"c1","ok":true}',
          size: 21,
          deviceId: 'twice-0',
          commandId: 'c1',
          ok: true,
          at: t0,
          result: { rebooted: true },
        },
      ],
      lastSeq: 42,
    });

    const first = await ingest.writeBatch(written);
    const second = await ingest.writeBatch(written);

    expect(first).toEqual({
      samplesInserted: 300,
      eventsInserted: 2,
      deadLettersInserted: 1,
      commandChanges: [],
    });
    expect(second).toEqual({
      samplesInserted: 0,
      eventsInserted: 0,
      deadLettersInserted: 0,
      commandChanges: [],
    });
    expect(await count('samples', `device_id like 'twice-%'`)).toBe(300);
    expect(await count('events', `device_id like 'twice-%'`)).toBe(2);
    expect(await count('dead_letters', 'seq = 7')).toBe(1);
    // c1 was never sent: its ack is a dead letter, once.
    expect(await count('dead_letters', `seq = 8 and reason = 'unknown-command'`)).toBe(1);
    const [minute] = await store.exec<{ n: number }>(
      `select sum(count)::int as n from rollups_minute where device_id like 'twice-%'`,
    );
    const [hour] = await store.exec<{ n: number }>(
      `select sum(count)::int as n from rollups_hour where device_id like 'twice-%'`,
    );
    expect(minute?.n).toBe(300);
    expect(hour?.n).toBe(300);
    expect(await ingest.readCheckpoint()).toBe(42);
  });

  it('stores a sample repeated inside one batch once and counts it once in the rollups', async () => {
    const ingest = createPgIngestStore(store);
    const t0 = Date.UTC(2025, 0, 1, 11, 0, 0);
    const samples = [
      { deviceId: 'dup-1', metric: 'temp', ts: t0, value: 1 },
      { deviceId: 'dup-1', metric: 'temp', ts: t0 + 1000, value: 2 },
      { deviceId: 'dup-1', metric: 'temp', ts: t0, value: 1 },
    ];
    expect(
      await ingest.writeBatch(ingestBatch({ samples, seen: seenOf(samples), lastSeq: 43 })),
    ).toMatchObject({
      samplesInserted: 2,
    });
    const [minute] = await store.exec<{ n: number; sum: number }>(
      `select sum(count)::int as n, sum(sum) as sum from rollups_minute where device_id = 'dup-1'`,
    );
    expect(minute).toEqual({ n: 2, sum: 3 });
  });

  it('keeps ids that array literals would mangle (quotes, backslashes, NULL, commas) as they are', async () => {
    const ingest = createPgIngestStore(store);
    const t0 = Date.UTC(2025, 0, 1, 13, 0, 0);
    const ids = ['NULL', 'q"uote', 'back\\slash', 'a,b {c}', 'sp ace'];
    const samples = ids.map((deviceId, i) => ({
      deviceId,
      metric: ids[(i + 1) % ids.length]!,
      ts: t0 + i,
      value: i + 0.5,
    }));
    expect(
      await ingest.writeBatch(ingestBatch({ samples, seen: seenOf(samples), lastSeq: 44 })),
    ).toMatchObject({
      samplesInserted: 5,
    });
    const rows = await store.exec<{ device_id: string; metric: string; value: number }>(
      `select device_id, metric, value from samples where ts >= $1 and ts < $2 order by value`,
      [new Date(t0).toISOString(), new Date(t0 + 1000).toISOString()],
    );
    expect(rows.map((row) => [row.device_id, row.metric, row.value])).toEqual(
      samples.map((s) => [s.deviceId, s.metric, s.value]),
    );
    const [latest] = await store.exec<{ n: number }>(
      `select count(*)::int as n from latest_values where device_id = any($1::text[])`,
      [ids],
    );
    expect(latest?.n).toBe(5);
  });

  it('stores only the new samples of a batch that overlaps one already stored', async () => {
    const ingest = createPgIngestStore(store);
    const t0 = Date.UTC(2025, 0, 1, 12, 0, 0);
    const samples = Array.from({ length: 10 }, (_, i) => ({
      deviceId: 'overlap-1',
      metric: 'm',
      ts: t0 + i * 1000,
      value: i,
    }));
    await ingest.writeBatch(ingestBatch({ samples: samples.slice(0, 6), seen: seenOf(samples) }));
    expect(
      await ingest.writeBatch(ingestBatch({ samples: samples.slice(3), seen: seenOf(samples) })),
    ).toMatchObject({ samplesInserted: 4 });
    const [hour] = await store.exec<{ n: number; sum: number }>(
      `select sum(count)::int as n, sum(sum) as sum from rollups_hour where device_id = 'overlap-1'`,
    );
    expect(hour).toEqual({ n: 10, sum: 45 });
  });

  it('keeps rollups equal to min, max, sum and count computed by hand, across batches', async () => {
    const ingest = createPgIngestStore(store);
    const t0 = Date.UTC(2025, 0, 2, 0, 0, 0);
    let seed = 12345;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 200 - 100;
    const samples: SampleRow[] = [];
    for (let i = 0; i < 4000; i++) {
      samples.push({
        deviceId: `hand-${i % 4}`,
        metric: 'v',
        ts: t0 + Math.floor(i / 4) * 7_919,
        value: Math.round(random() * 1000) / 1000,
      });
    }
    // Out of order and overlapping batches: the rollups must still match.
    const shuffled = [...samples].reverse();
    for (let i = 0; i < shuffled.length; i += 700) {
      const part = shuffled.slice(i, i + 900);
      await ingest.writeBatch(ingestBatch({ samples: part, seen: seenOf(part), lastSeq: 100 + i }));
    }

    for (const [table, width] of [
      ['rollups_minute', 60_000],
      ['rollups_hour', HOUR],
    ] as const) {
      const expected = new Map<string, { min: number; max: number; sum: number; count: number }>();
      for (const s of samples) {
        const key = `${s.deviceId}|${Math.floor(s.ts / width) * width}`;
        const agg = expected.get(key) ?? { min: Infinity, max: -Infinity, sum: 0, count: 0 };
        expected.set(key, {
          min: Math.min(agg.min, s.value),
          max: Math.max(agg.max, s.value),
          sum: agg.sum + s.value,
          count: agg.count + 1,
        });
      }
      const rows = await store.exec<{
        device_id: string;
        bucket: number;
        min: number;
        max: number;
        sum: number;
        count: number;
      }>(
        `select device_id, (extract(epoch from bucket) * 1000)::float8 as bucket, min, max, sum, count::int as count
           from ${table} where device_id like 'hand-%'`,
      );
      expect(rows).toHaveLength(expected.size);
      for (const row of rows) {
        const want = expected.get(`${row.device_id}|${row.bucket}`);
        expect(want, `${table} ${row.device_id} ${row.bucket}`).toBeDefined();
        expect(row.min).toBe(want!.min);
        expect(row.max).toBe(want!.max);
        expect(row.count).toBe(want!.count);
        expect(row.sum).toBeCloseTo(want!.sum, 6);
      }
    }
  });

  it('keeps the newest latest value even when an older batch arrives last', async () => {
    const ingest = createPgIngestStore(store);
    const t0 = Date.UTC(2025, 0, 3);
    const newer = [{ deviceId: 'late-1', metric: 'temp', ts: t0 + 5000, value: 5 }];
    const older = [{ deviceId: 'late-1', metric: 'temp', ts: t0 + 1000, value: 1 }];
    await ingest.writeBatch(ingestBatch({ samples: newer, seen: seenOf(newer) }));
    await ingest.writeBatch(ingestBatch({ samples: older, seen: seenOf(older) }));
    const [row] = await store.exec<{ value: number; ts: number }>(
      `select value, (extract(epoch from ts) * 1000)::float8 as ts from latest_values where device_id = 'late-1' and metric = 'temp'`,
    );
    expect(row).toEqual({ value: 5, ts: t0 + 5000 });
    const [device] = await store.exec<{ last_seen: number }>(
      `select (extract(epoch from last_seen) * 1000)::float8 as last_seen from devices where id = 'late-1'`,
    );
    expect(device?.last_seen).toBe(t0 + 5000);
  });

  it('registers unknown devices by id, and a replayed older status never overrides a newer one', async () => {
    const ingest = createPgIngestStore(store);
    const t0 = Date.UTC(2025, 0, 4);
    await ingest.writeBatch(
      ingestBatch({
        seen: new Map([['new-1', t0]]),
        statuses: [{ deviceId: 'new-1', status: 'offline', at: t0 + 10 }],
      }),
    );
    await ingest.writeBatch(ingestBatch({ statuses: [{ deviceId: 'new-1', status: 'online', at: t0 + 5 }] }));
    const [device] = await store.exec<{ name: string; status: string }>(
      `select name, status from devices where id = 'new-1'`,
    );
    expect(device).toEqual({ name: 'new-1', status: 'offline' });
    expect(await ingest.listDeviceIds()).toContain('new-1');
  });

  it('marks a device online when heard from after its last will, and offline when the will is newer', async () => {
    const ingest = createPgIngestStore(store);
    const t0 = Date.UTC(2025, 0, 5);
    const statusOf = async () =>
      (await store.exec<{ status: string }>(`select status from devices where id = 'willful'`))[0]?.status;
    await ingest.writeBatch(ingestBatch({ seen: new Map([['willful', t0]]) }));
    expect(await statusOf()).toBe('online');
    await ingest.writeBatch(
      ingestBatch({ statuses: [{ deviceId: 'willful', status: 'offline', at: t0 + 10 }] }),
    );
    expect(await statusOf()).toBe('offline');
    await ingest.writeBatch(ingestBatch({ seen: new Map([['willful', t0 + 5]]) }));
    expect(await statusOf()).toBe('offline');
    await ingest.writeBatch(ingestBatch({ seen: new Map([['willful', t0 + 20]]) }));
    expect(await statusOf()).toBe('online');
  });

  it('writes one transaction: a failing batch leaves no sample and no checkpoint behind', async () => {
    const ingest = createPgIngestStore(store);
    const before = await ingest.readCheckpoint();
    const samples = [{ deviceId: 'atomic-1', metric: 'x', ts: Date.UTC(2025, 0, 5), value: 1 }];
    const bad = ingestBatch({
      samples,
      seen: seenOf(samples),
      // 'loud' is no severity the schema allows, so the events statement fails after the samples.
      events: [
        {
          deviceId: 'atomic-1',
          ts: Date.UTC(2025, 0, 5),
          type: 't',
          severity: 'loud' as 'info',
          message: '',
          attrs: {},
        },
      ],
      lastSeq: before + 1000,
    });
    await store.exec(
      `alter table events add constraint events_severity_test check (severity in ('info', 'warning', 'critical'))`,
    );
    try {
      await expect(ingest.writeBatch(bad)).rejects.toThrow();
    } finally {
      await store.exec(`alter table events drop constraint events_severity_test`);
    }
    expect(await count('samples', `device_id = 'atomic-1'`)).toBe(0);
    expect(await ingest.readCheckpoint()).toBe(before);
  });
});

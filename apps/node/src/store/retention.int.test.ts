import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseBackends, type TestDatabase } from '@tierscope/test-support/test-databases';
import { openNodeStore, type NodeStore } from './client.ts';
import { ingestBatch } from './ingest-store.ts';
import { createPgIngestStore } from './ingest-store.pg.ts';
import { migrateStore } from './migrate.ts';
import { listSamplePartitions, partitionName } from './partitions.ts';
import { runRetention, scheduleRetention } from './retention.ts';

const DAY = 24 * 3_600_000;

describe.each(testDatabaseBackends())('retention on $name', ({ create }) => {
  let database: TestDatabase;
  let store: NodeStore;
  const now = Date.UTC(2025, 5, 15, 12, 0, 0);
  const today = Date.UTC(2025, 5, 15);

  beforeAll(async () => {
    database = await create();
    store = await openNodeStore(database.url);
    await migrateStore(store);
  });
  afterAll(async () => {
    await store.close();
    await database.drop();
  });

  const count = async (sql: string) => (await store.exec<{ n: number }>(sql))[0]?.n;

  it('drops whole day partitions older than raw retention and keeps the rest and the rollups', async () => {
    const ingest = createPgIngestStore(store);
    // One sample per day for the last 10 days, 7 days of raw retention.
    const samples = Array.from({ length: 10 }, (_, d) => ({
      deviceId: 'r-1',
      metric: 'm',
      ts: today - d * DAY + 1000,
      value: d,
    }));
    await ingest.writeBatch(ingestBatch({ samples }));

    const result = await runRetention(store, { rawRetentionDays: 7, deadLetterLimit: 100, now });

    // The cutoff falls inside the day 7 days back: that day is kept, everything before it goes.
    expect(result.droppedPartitions).toEqual([9, 8].map((d) => partitionName(today - d * DAY)));
    const names = (await listSamplePartitions(store)).map((p) => p.name);
    expect(names).toEqual([7, 6, 5, 4, 3, 2, 1, 0].map((d) => partitionName(today - d * DAY)));
    expect(await count(`select count(*)::int as n from samples`)).toBe(8);
    expect(await count(`select sum(count)::int as n from rollups_minute`)).toBe(10);
  });

  it('recreates a dropped day when a sample for it arrives later', async () => {
    const ingest = createPgIngestStore(store);
    const late = [{ deviceId: 'r-1', metric: 'm', ts: today - 9 * DAY + 5000, value: 99 }];
    await expect(ingest.writeBatch(ingestBatch({ samples: late }))).resolves.toMatchObject({
      samplesInserted: 1,
    });
  });

  it('deletes minute rollups past 90 days and hour rollups and their sketches past two years', async () => {
    const ingest = createPgIngestStore(store);
    const old = [
      { deviceId: 'r-2', metric: 'm', ts: now - 91 * DAY, value: 1 },
      { deviceId: 'r-2', metric: 'm', ts: now - 731 * DAY, value: 1 },
    ];
    await ingest.writeBatch(ingestBatch({ samples: old }));
    // Each hour sketched, as the hour sketcher would have: the sketches go with their rollups.
    await store.exec(
      `insert into rollups_hour_sketch (device_id, metric, bucket, count, bin_sides, bin_keys, bin_counts)
       select device_id, metric, bucket, count, '{1}', '{0}', array[count] from rollups_hour where device_id = 'r-2'`,
    );
    const result = await runRetention(store, { rawRetentionDays: 7, deadLetterLimit: 100, now });
    expect(result.minuteRollupsDeleted).toBe(2);
    expect(result.hourRollupsDeleted).toBe(1);
    expect(result.hourSketchesDeleted).toBe(1);
    expect(await count(`select count(*)::int as n from rollups_hour where device_id = 'r-2'`)).toBe(1);
    expect(await count(`select count(*)::int as n from rollups_hour_sketch where device_id = 'r-2'`)).toBe(1);
  });

  it('keeps hour rollups rollupDays long and minute rollups no longer than that when policy sets it', async () => {
    const ingest = createPgIngestStore(store);
    const old = [
      { deviceId: 'r-3', metric: 'm', ts: now - 31 * DAY, value: 1 },
      { deviceId: 'r-3', metric: 'm', ts: now - 10 * DAY, value: 1 },
    ];
    await ingest.writeBatch(ingestBatch({ samples: old }));
    await runRetention(store, { rawRetentionDays: 7, rollupDays: 30, deadLetterLimit: 100, now });
    expect(await count(`select count(*)::int as n from rollups_minute where device_id = 'r-3'`)).toBe(1);
    expect(await count(`select count(*)::int as n from rollups_hour where device_id = 'r-3'`)).toBe(1);
  });

  it('keeps only the newest deadLetterLimit dead letters', async () => {
    const ingest = createPgIngestStore(store);
    const deadLetters = Array.from({ length: 150 }, (_, i) => ({
      seq: 1000 + i,
      receivedAt: now,
      topic: 't',
      reason: 'bad-json' as const,
      detail: '',
      payloadPreview: '',
      size: 0,
    }));
    await ingest.writeBatch(ingestBatch({ deadLetters }));
    const result = await runRetention(store, { rawRetentionDays: 7, deadLetterLimit: 100, now });
    expect(result.deadLettersDeleted).toBe(50);
    expect(await count(`select min(seq)::int as n from dead_letters`)).toBe(1050);
  });

  // Last: a scheduled run uses the real clock, so it also drops what the tests above left.
  it('runs again on demand with the limits in force then (a policy changed them)', async () => {
    const ingest = createPgIngestStore(store);
    await ingest.writeBatch(
      ingestBatch({ samples: [{ deviceId: 'r-4', metric: 'm', ts: Date.now() - 10 * DAY, value: 1 }] }),
    );
    let rawRetentionDays = 30;
    const logged: object[] = [];
    const logger = { info: (fields: object) => logged.push(fields), error: () => undefined };
    const schedule = await scheduleRetention(
      store,
      () => ({ rawRetentionDays, deadLetterLimit: 100 }),
      logger,
    );
    try {
      expect(await count(`select count(*)::int as n from samples where device_id = 'r-4'`)).toBe(1);
      rawRetentionDays = 7;
      await schedule.run();
      expect(await count(`select count(*)::int as n from samples where device_id = 'r-4'`)).toBe(0);
      expect(logged).toHaveLength(2);
    } finally {
      schedule.stop();
    }
  });
});

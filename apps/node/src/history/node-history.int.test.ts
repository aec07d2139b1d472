import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeHistoryInput } from '@tierscope/shared';
import { testDatabaseBackends, type TestDatabase } from '@tierscope/test-support/test-databases';
import { openNodeStore, type NodeStore } from '../store/client.ts';
import { migrateStore } from '../store/migrate.ts';
import { freePort, startNodeProcess, waitFor } from '../testing/node-process.ts';
import {
  nodeHistoryLocally,
  recordNodeHistory,
  scheduleNodeHistory,
  type NodeHistoryReading,
} from './node-history.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const T0 = Date.UTC(2030, 0, 7, 10);

const reading = (online: number): NodeHistoryReading => ({
  'ingest.samplesPerSec': online * 10,
  'ingest.queueDepth': 0,
  'devices.online': online,
  'deadLetters.total': 3,
});

describe.each(testDatabaseBackends())('node history on $name', ({ create }) => {
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

  it('rolls readings up per minute and per hour as samples are: min, max, sum and count exact', async () => {
    await recordNodeHistory(store, T0 + 5_000, reading(4));
    await recordNodeHistory(store, T0 + 35_000, reading(8));
    await recordNodeHistory(store, T0 + MINUTE + 1_000, reading(6));
    await recordNodeHistory(store, T0 + HOUR + 1_000, reading(1));
    const deps = { store, nodePath: 'probe-a' };

    const byMinute = await nodeHistoryLocally(
      deps,
      NodeHistoryInput.parse({ metric: 'devices.online', from: T0, to: T0 + 2 * HOUR }),
    );
    expect(byMinute).toMatchObject({ bucketMs: MINUTE, coverage: { asked: 1, answered: 1 } });
    expect(byMinute.series).toEqual([
      {
        nodePath: 'probe-a',
        points: [
          { ts: T0, avg: 6, min: 4, max: 8, count: 2 },
          { ts: T0 + MINUTE, avg: 6, min: 6, max: 6, count: 1 },
          { ts: T0 + HOUR, avg: 1, min: 1, max: 1, count: 1 },
        ],
      },
    ]);

    const byHour = await nodeHistoryLocally(
      deps,
      NodeHistoryInput.parse({ metric: 'ingest.samplesPerSec', from: T0, to: T0 + 2 * 24 * HOUR }),
    );
    expect(byHour.bucketMs).toBe(HOUR);
    expect(byHour.series[0]!.points).toEqual([
      { ts: T0, avg: 60, min: 40, max: 80, count: 3 },
      { ts: T0 + HOUR, avg: 10, min: 10, max: 10, count: 1 },
    ]);
  });

  it('answers no series, not zeros, for a range without readings, and nothing for another subtree', async () => {
    const empty = await nodeHistoryLocally(
      { store, nodePath: 'probe-a' },
      NodeHistoryInput.parse({ metric: 'devices.online', from: T0 - 2 * HOUR, to: T0 - HOUR }),
    );
    expect(empty.series).toEqual([]);
    const elsewhere = await nodeHistoryLocally(
      { store, nodePath: 'probe-a' },
      NodeHistoryInput.parse({ nodePath: 'probe-b', metric: 'devices.online', from: T0, to: T0 + HOUR }),
    );
    expect(elsewhere.coverage.asked).toBe(0);
  });

  it('records a reading every interval until stopped, and a failed reading leaves only a gap', async () => {
    let reads = 0;
    const errors: unknown[] = [];
    const at = T0 + 10 * HOUR;
    const recorder = scheduleNodeHistory({
      store,
      intervalMs: 1000,
      now: () => at + reads * 1000,
      read: () => {
        reads += 1;
        return reads === 2 ? Promise.reject(new Error('info failed')) : Promise.resolve(reading(reads));
      },
      onError: (error) => errors.push(error),
    });
    const input = NodeHistoryInput.parse({ metric: 'devices.online', from: at, to: at + HOUR });
    try {
      await waitFor('three readings recorded', async () => {
        const history = await nodeHistoryLocally({ store, nodePath: 'probe-a' }, input);
        return (history.series[0]?.points[0]?.count ?? 0) >= 3;
      });
    } finally {
      recorder.stop();
    }
    expect(errors).toHaveLength(1);
  });
});

describe('a node process', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tierscope-node-history-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps its own history from the start and answers it through node.history', async () => {
    const node = await startNodeProcess({
      NODE_ID: 'history-probe',
      DATABASE_URL: 'pglite:memory',
      DATA_DIR: dir,
      MQTT_PORT: String(await freePort()),
      NODE_HISTORY_INTERVAL_MS: '1000',
    });
    try {
      const from = Date.now() - HOUR;
      await waitFor('two readings of every series', async () => {
        const all = await Promise.all(
          (['ingest.samplesPerSec', 'ingest.queueDepth', 'devices.online', 'deadLetters.total'] as const).map(
            (metric) => node.client.node.history.query({ metric, from, to: Date.now() + MINUTE }),
          ),
        );
        return all.every(
          (h) =>
            h.series[0]?.nodePath === 'history-probe' &&
            h.series[0].points.reduce((n, p) => n + p.count, 0) >= 2,
        );
      });
    } finally {
      await node.kill('SIGTERM');
    }
  });
});

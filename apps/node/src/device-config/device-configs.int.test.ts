import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configStateOf, ConfigPayload, type Actor, type ConfigListItem } from '@tierscope/shared';
import { testDatabaseBackends, type TestDatabase } from '@tierscope/test-support/test-databases';
import { openNodeStore, type NodeStore } from '../store/client.ts';
import { CONFIG_VERSIONS_KEPT } from '../store/device-config-store.ts';
import { ingestBatch, type ConfigReportRow } from '../store/ingest-store.ts';
import { createPgIngestStore } from '../store/ingest-store.pg.ts';
import { migrateStore } from '../store/migrate.ts';
import { DeviceConfigs } from './device-configs.ts';

const NODE_PATH = 'probe-x';
const GRACE_MS = 60_000;
const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const OPERATOR: Actor = { kind: 'user', name: 'olga', role: 'operator' };

describe.each(testDatabaseBackends())('desired configuration at a node on $name', ({ create }) => {
  let database: TestDatabase;
  let store: NodeStore;
  let configs: DeviceConfigs;
  let now = T0;
  const published: { topic: string; payload: ConfigPayload; retain: boolean }[] = [];
  let seq = 1000;

  /** A batch of config reports through the ingest store, as the ingest writes them. */
  const report = (deviceId: string, fields: Partial<ConfigReportRow> & { version: number }) => {
    seq += 1;
    const row: ConfigReportRow = {
      seq,
      topic: `devices/${deviceId}/config/reported`,
      payloadPreview: JSON.stringify({ version: fields.version }),
      size: 20,
      deviceId,
      ok: true,
      at: now,
      ...fields,
    };
    return createPgIngestStore(store).writeBatch(ingestBatch({ configReports: [row], lastSeq: seq }));
  };

  beforeAll(async () => {
    database = await create();
    store = await openNodeStore(database.url);
    await migrateStore(store);
    await store.exec(
      `INSERT INTO devices (id, name, site) SELECT 'm' || n, 'Meter ' || lpad(n::text, 2, '0'), 'north'
         FROM generate_series(1, 5) n`,
    );
    await store.exec(`INSERT INTO devices (id, name, site) VALUES ('s1', 'South 1', 'south')`);
    configs = new DeviceConfigs({
      store,
      nodePath: NODE_PATH,
      graceMs: GRACE_MS,
      publisher: () => ({
        publish: async (topic, payload, options) => {
          published.push({
            topic,
            payload: ConfigPayload.parse(JSON.parse(payload)),
            retain: options.retain,
          });
        },
      }),
      logger: pino({ level: 'silent' }),
      now: () => now,
    });
  });
  afterAll(async () => {
    await store.close();
    await database.drop();
  });

  it('gives each selected device its next version and publishes it retained', async () => {
    const first = await configs.set({ selector: { site: 'north' }, config: { interval: 30 } }, OPERATOR);
    expect(first.items.map((item) => [item.deviceId, item.version])).toEqual([
      ['m1', 1],
      ['m2', 1],
      ['m3', 1],
      ['m4', 1],
      ['m5', 1],
    ]);
    const second = await configs.set(
      { selector: { deviceIds: ['m1'] }, config: { interval: 10, mode: 'eco' } },
      OPERATOR,
    );
    expect(second.items).toEqual([{ nodePath: NODE_PATH, deviceId: 'm1', version: 2 }]);
    await expect.poll(() => published.length).toBe(6);
    expect(published.at(-1)).toEqual({
      topic: 'devices/m1/config',
      payload: { version: 2, config: { interval: 10, mode: 'eco' } },
      retain: true,
    });
    const [audited] = await store.exec<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_log WHERE action = 'config.set' AND actor = 'user:olga'`,
    );
    expect(audited?.n).toBe(2);
  });

  it("keeps a device's latest report once, and a replayed or older one changes nothing", async () => {
    now = T0 + 1000;
    await report('m2', { version: 1, config: { interval: 30 } });
    await report('m3', { version: 1, ok: false, error: 'interval too short' });
    await report('m4', { version: 1, config: { interval: 45 } });
    // m1 applied version 1 and, later, says so about version 2 as well; then an old report arrives late.
    await report('m1', { version: 2, at: T0 + 2000 });
    await report('m1', { version: 1, at: T0 + 500 });
    const m1 = await configs.get({ deviceId: 'm1' });
    expect(m1.reported).toMatchObject({ version: 2, ok: true, reportedAt: T0 + 2000 });
  });

  it('dead-letters a report of a version never set, or from a device with none', async () => {
    await report('m2', { version: 7, seq: 5001 });
    await report('s1', { version: 1, seq: 5002 });
    const letters = await store.exec<{ seq: number; reason: string; detail: string }>(
      `SELECT seq::int AS seq, reason, detail FROM dead_letters WHERE seq IN (5001, 5002) ORDER BY seq`,
    );
    expect(letters).toEqual([
      {
        seq: 5001,
        reason: 'unknown-config',
        detail: 'device "m2" reported config version 7; the newest set for it is 1',
      },
      {
        seq: 5002,
        reason: 'unknown-config',
        detail: 'device "s1" reported config version 1, but no configuration was set for it',
      },
    ]);
    expect((await configs.get({ deviceId: 'm2' })).reported?.version).toBe(1);
  });

  it('says the same state in its list and counts as configStateOf does, before and after the grace', async () => {
    for (const at of [T0 + 5000, T0 + GRACE_MS + 1]) {
      now = at;
      const page = await configs.list({ limit: 100 });
      const byDevice = new Map(page.items.map((item) => [item.id, item]));
      for (const id of ['m1', 'm2', 'm3', 'm4', 'm5']) {
        const one = await configs.get({ deviceId: id });
        const expected = configStateOf({
          desired: one.desired!,
          reported: one.reported,
          now,
          graceMs: GRACE_MS,
        });
        expect([id, byDevice.get(id)?.state]).toEqual([id, expected]);
        expect([id, one.state]).toEqual([id, expected]);
      }
    }
    // Past the grace: m1, m2 in sync; m3 refused, m4 runs another document, m5 never reported.
    const counts = await configs.counts({});
    expect(counts).toMatchObject({ total: 5, byState: { in_sync: 2, pending: 0, drifted: 3 } });
    const drifted = await configs.list({ state: 'drifted', limit: 2 });
    expect(drifted.items.map((item: ConfigListItem) => item.id)).toEqual(['m3', 'm4']);
    const rest = await configs.list({ state: 'drifted', limit: 2, cursor: drifted.nextCursor! });
    expect(rest.items.map((item) => item.id)).toEqual(['m5']);
    expect(rest.nextCursor).toBeNull();
  });

  it("diffs the desired document against the device's, or the version it reported as set", async () => {
    expect((await configs.get({ deviceId: 'm4' })).diff).toEqual([
      { path: 'interval', change: 'changed', desired: 30, reported: 45 },
    ]);
    now = T0 + 3 * GRACE_MS;
    await configs.set({ selector: { deviceIds: ['m2'] }, config: { interval: 30, mode: 'eco' } }, OPERATOR);
    await report('m2', { version: 1, at: now });
    const m2 = await configs.get({ deviceId: 'm2' });
    expect(m2).toMatchObject({ state: 'pending', desired: { version: 2 }, reported: { version: 1 } });
    expect(m2.diff).toEqual([{ path: 'mode', change: 'added', desired: 'eco' }]);
    expect(await configs.get({ deviceId: 's1' })).toMatchObject({ desired: null, state: null, diff: null });
  });

  it(`keeps the last ${CONFIG_VERSIONS_KEPT} versions of a device`, async () => {
    for (let i = 0; i < CONFIG_VERSIONS_KEPT + 5; i++)
      await configs.set({ selector: { deviceIds: ['m5'] }, config: { step: i } }, OPERATOR);
    const [kept] = await store.exec<{ n: number; lowest: number; highest: number }>(
      `SELECT count(*)::int AS n, min(version) AS lowest, max(version) AS highest
         FROM device_config_versions WHERE device_id = 'm5'`,
    );
    expect(kept).toEqual({ n: CONFIG_VERSIONS_KEPT, lowest: 7, highest: 26 });
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { binsOf, fleetValue } from '@tierscope/federation';
import type { FleetMetricInput, SketchBins } from '@tierscope/shared';
import { testDatabaseBackends, type TestDatabase } from '@tierscope/test-support/test-databases';
import { openNodeStore, type NodeStore } from '../store/client.ts';
import { ingestBatch } from '../store/ingest-store.ts';
import { createPgIngestStore } from '../store/ingest-store.pg.ts';
import { migrateStore } from '../store/migrate.ts';
import { createHourSketcherMetrics, scheduleHourSketcher, sketchClosedHours } from './hour-sketcher.ts';
import { fleetMetricsLocally } from './local-fleet-metrics.ts';

const HOUR = 3_600_000;
const MINUTE = 60_000;
const NOW = Date.UTC(2025, 5, 15, 12, 30);
const OPEN_HOUR = Date.UTC(2025, 5, 15, 12);
const FIRST_HOUR = OPEN_HOUR - 6 * HOUR;
const DEVICES = ['s-1', 's-2'];

/** Six closed hours and the open one: a sample each five minutes, values both signs, zeros too. */
function scriptedSamples() {
  const samples: Array<{ deviceId: string; metric: string; ts: number; value: number }> = [];
  DEVICES.forEach((deviceId, d) => {
    for (let ts = FIRST_HOUR; ts < NOW; ts += 5 * MINUTE) {
      const i = (ts - FIRST_HOUR) / (5 * MINUTE);
      samples.push({ deviceId, metric: 'temp', ts, value: ((i * 37 + d * 11) % 120) - 20.25 });
    }
  });
  return samples;
}

describe.each(testDatabaseBackends())('the hour sketcher on $name', ({ create }) => {
  let database: TestDatabase;
  let store: NodeStore;
  const samples = scriptedSamples();
  const node = () => ({ store, nodePath: 'probe-s' });
  const query = (overrides: Partial<FleetMetricInput> = {}): FleetMetricInput => ({
    metric: 'temp',
    from: FIRST_HOUR,
    to: OPEN_HOUR + HOUR,
    stepMs: HOUR,
    aggregation: 'p90',
    groupBy: { by: 'none' },
    labels: [],
    ...overrides,
  });
  /** Each hour's p90 over every sample given, as the sketch's own mapping bins them. */
  const expectedP90 = (all: typeof samples) => {
    const byHour = new Map<number, number[]>();
    for (const s of all) {
      const at = Math.floor(s.ts / HOUR) * HOUR;
      byHour.set(at, [...(byHour.get(at) ?? []), s.value]);
    }
    return [...byHour]
      .sort((a, b) => a[0] - b[0])
      .map(([at, values]) => {
        const partial = { at, count: values.length, sum: 0, min: 0, max: 0, sketch: binsOf(values) };
        return { at, value: fleetValue('p90', partial) };
      });
  };
  const storedSketches = async () => {
    const rows = await store.exec<{
      deviceId: string;
      hour: number;
      count: number;
      sides: number[];
      keys: number[];
      counts: number[];
    }>(
      `select device_id as "deviceId", floor(extract(epoch from bucket) * 1000)::float8 as hour,
              count::float8 as count, bin_sides::int[] as sides, bin_keys as keys, bin_counts::float8[] as counts
         from rollups_hour_sketch order by 1, 2`,
    );
    return rows.map(({ sides, keys, counts, ...row }) => {
      const bins: SketchBins = { zero: 0, positive: [], negative: [] };
      sides.forEach((side, i) => {
        if (side === 0) bins.zero += counts[i]!;
        else (side > 0 ? bins.positive : bins.negative).push([keys[i]!, counts[i]!]);
      });
      return { ...row, bins };
    });
  };

  beforeAll(async () => {
    database = await create();
    store = await openNodeStore(database.url);
    await migrateStore(store);
    await store.exec(`insert into devices (id, name) select id, id from unnest($1::text[]) as u(id)`, [
      DEVICES,
    ]);
    await createPgIngestStore(store).writeBatch(ingestBatch({ samples }));
  });
  afterAll(async () => {
    await store.close();
    await database.drop();
  });

  it('reads raw samples for quantiles by the hour while no hour is sketched', async () => {
    const answer = await fleetMetricsLocally(node(), query());
    expect(answer.read).toEqual({
      rawSamples: samples.length,
      rollupRows: DEVICES.length * 7,
      sketchRows: 0,
      sources: ['hour', 'raw'],
    });
    expect(answer.series[0]!.points.map(({ at, value }) => ({ at, value }))).toEqual(expectedP90(samples));

    // A step that is not whole hours reads raw samples for its partials and bins: counted once.
    const byFiveMinutes = await fleetMetricsLocally(node(), query({ stepMs: 5 * MINUTE }));
    expect(byFiveMinutes.read).toEqual({
      rawSamples: samples.length,
      rollupRows: 0,
      sketchRows: 0,
      sources: ['raw'],
    });
  });

  it("sketches every closed hour with the mapping's own bins and leaves the open hour alone", async () => {
    const result = await sketchClosedHours(store, { now: NOW, rawRetentionDays: 30 });
    expect(result).toEqual({ hours: 6, sketches: DEVICES.length * 6 });
    const sketches = await storedSketches();
    expect(sketches).toHaveLength(DEVICES.length * 6);
    for (const sketch of sketches) {
      const values = samples
        .filter((s) => s.deviceId === sketch.deviceId && Math.floor(s.ts / HOUR) * HOUR === sketch.hour)
        .map((s) => s.value);
      expect(sketch).toEqual({ ...sketch, count: values.length, bins: binsOf(values) });
    }
    expect(sketches.some((s) => s.hour === OPEN_HOUR)).toBe(false);
    expect(await sketchClosedHours(store, { now: NOW, rawRetentionDays: 30 })).toEqual({
      hours: 0,
      sketches: 0,
    });
  });

  it('answers the same quantiles from the sketches, reading raw samples of the open hour only', async () => {
    const answer = await fleetMetricsLocally(node(), query());
    const openHourSamples = samples.filter((s) => s.ts >= OPEN_HOUR).length;
    expect(answer.read).toEqual({
      rawSamples: openHourSamples,
      rollupRows: DEVICES.length * 7,
      sketchRows: DEVICES.length * 6,
      sources: ['hour', 'raw', 'sketch'],
    });
    expect(answer.series[0]!.points.map(({ at, value }) => ({ at, value }))).toEqual(expectedP90(samples));

    const closedOnly = await fleetMetricsLocally(node(), query({ to: OPEN_HOUR, aggregation: 'p99' }));
    expect(closedOnly.read).toMatchObject({ rawSamples: 0, sketchRows: DEVICES.length * 6 });
    const byDevice = await fleetMetricsLocally(node(), query({ groupBy: { by: 'top', limit: 1 } }));
    expect(byDevice.series).toHaveLength(1);
  });

  it('reads the raw samples of an hour a late sample changed until a pass sketches it again', async () => {
    const late = { deviceId: 's-2', metric: 'temp', ts: FIRST_HOUR + 2 * HOUR + 61_000, value: 500 };
    await createPgIngestStore(store).writeBatch(ingestBatch({ samples: [late] }));
    const all = [...samples, late];
    const lateHourSamples = all.filter(
      (s) => s.deviceId === 's-2' && s.ts >= FIRST_HOUR + 2 * HOUR && s.ts < FIRST_HOUR + 3 * HOUR,
    ).length;
    const closed = query({ to: OPEN_HOUR });

    const before = await fleetMetricsLocally(node(), closed);
    expect(before.read).toMatchObject({ rawSamples: lateHourSamples, sketchRows: DEVICES.length * 6 - 1 });
    expect(before.series[0]!.points.map(({ at, value }) => ({ at, value }))).toEqual(
      expectedP90(all.filter((s) => s.ts < OPEN_HOUR)),
    );

    const metrics = createHourSketcherMetrics(new Registry());
    const logged: object[] = [];
    const sketcher = scheduleHourSketcher({
      store,
      intervalMs: HOUR,
      rawRetentionDays: () => 3650,
      metrics,
      logger: { info: (fields) => logged.push(fields), error: (fields) => logged.push(fields) },
    });
    try {
      // The first pass runs as it starts; run() waits for it and makes one more.
      await sketcher.run();
    } finally {
      sketcher.stop();
    }
    // The real clock: every hour of the script is closed now, the open one included.
    expect(logged[0]).toEqual({ hours: 2, sketches: 1 + DEVICES.length });
    expect((await metrics.passes.get()).values).toEqual([
      expect.objectContaining({ labels: { outcome: 'ok' }, value: 2 }),
    ]);
    const after = await fleetMetricsLocally(node(), closed);
    expect(after.read).toMatchObject({ rawSamples: 0, sketchRows: DEVICES.length * 6 });
    expect(after.series[0]!.points).toEqual(before.series[0]!.points);
  });

  it('logs and counts a failed pass, and the next one runs', async () => {
    const metrics = createHourSketcherMetrics(new Registry());
    const errors: object[] = [];
    let retention: () => number = () => {
      throw new Error('policy unreadable');
    };
    const sketcher = scheduleHourSketcher({
      store,
      intervalMs: HOUR,
      rawRetentionDays: () => retention(),
      metrics,
      logger: { info: () => undefined, error: (fields) => errors.push(fields) },
    });
    try {
      retention = () => 3650;
      await sketcher.run();
    } finally {
      sketcher.stop();
    }
    expect(errors).toEqual([{ err: new Error('policy unreadable') }]);
    const passes = (await metrics.passes.get()).values.map((v) => [v.labels.outcome, v.value]);
    expect(passes.sort()).toEqual([
      ['failed', 1],
      ['ok', 1],
    ]);
  });
});

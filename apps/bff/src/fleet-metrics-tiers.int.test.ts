import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTRPCClient, httpLink, TRPCClientError, type TRPCClient } from '@trpc/client';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FleetAggregation,
  fleetFrame,
  type FleetMetricAnswer,
  type FleetMetricInput,
  type NodeRouter,
} from '@tierscope/shared';
import { exactFleetValue } from '@tierscope/federation/testing/fleet-reference.ts';
import { tierBackends, type TierBackend } from '@tierscope/test-support/tier-backends';
import {
  fetchAs,
  loginToConsole,
  spawnBff,
  spawnTestNode,
  waitFor,
  waitForNodesUp,
  waitReady,
  type TierProcess,
} from './testing/processes.ts';

/*
 * Fleet metric queries through three tiers of real processes (issue 20, done-when 1), on PGlite with
 * embedded brokers and again on PostgreSQL with Mosquitto:
 *
 *   bff ── district-1 ─┬─ probe-a
 *                      ├─ probe-b
 *                      └─ probe-c   (stopped by the last test)
 *
 * Every probe gets the same scripted samples shape: four devices (two kinds, two sites, a zone
 * label), one sample each ten minutes over 24 h, then one each ten seconds over the last ten
 * minutes. Every aggregation and grouping through the BFF must equal the same computation over all
 * samples in this test: exactly for sum, count, min, max and avg (values are multiples of 0.5, so
 * float sums do not depend on their order), within the stated relative error for quantiles.
 */
const READY_TIMEOUT_MS = 100_000;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const END = Math.floor(Date.now() / HOUR) * HOUR - HOUR;
const START = END - 24 * HOUR;
const BURST_FROM = END - 10 * MINUTE;
const PROBES = ['probe-a', 'probe-b', 'probe-c'] as const;
const DEVICES = [
  { id: 'boiler-1', kind: 'boiler', site: 'north', zone: 'a' },
  { id: 'boiler-2', kind: 'boiler', site: 'south', zone: 'b' },
  { id: 'chiller-1', kind: 'chiller', site: 'north', zone: 'b' },
  { id: 'chiller-2', kind: 'chiller', site: 'south' },
] as const;
const GROUPINGS: FleetMetricInput['groupBy'][] = [
  { by: 'none' },
  { by: 'node' },
  { by: 'site' },
  { by: 'kind' },
  { by: 'label', label: 'zone' },
  { by: 'top', limit: 3 },
];

interface Sample {
  nodePath: string;
  device: (typeof DEVICES)[number];
  ts: number;
  value: number;
}

/** Deterministic, multiples of 0.5 between −50 and 150, zeros included. */
function scriptedSamples(): Sample[] {
  const samples: Sample[] = [];
  let seed = 11;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
  for (const probe of PROBES)
    for (const device of DEVICES) {
      const nodePath = `district-1/${probe}`;
      const value = () => ((next() % 401) - 100) / 2;
      for (let ts = START; ts < BURST_FROM; ts += 10 * MINUTE)
        samples.push({ nodePath, device, ts, value: value() });
      for (let ts = BURST_FROM; ts < END; ts += 10_000)
        samples.push({ nodePath, device, ts, value: value() });
    }
  return samples;
}

const SAMPLES = scriptedSamples();

let dataDir: string;
let backend: TierBackend;
const tiers = new Map<string, TierProcess>();
const brokers = new Map<string, string>();
let client: TRPCClient<NodeRouter>;

async function publishSamples(mqttUrl: string, samples: readonly Sample[]): Promise<void> {
  const connection = await mqtt.connectAsync(mqttUrl, { clientId: `fleet-${Math.random()}` });
  try {
    let next = 0;
    const worker = async () => {
      while (next < samples.length) {
        const sample = samples[next++]!;
        await connection.publishAsync(
          `devices/${sample.device.id}/telemetry`,
          JSON.stringify({ ts: sample.ts, metrics: { temp: sample.value } }),
          { qos: 1 },
        );
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
  } finally {
    await connection.endAsync();
  }
}

async function startTiers(on: TierBackend): Promise<void> {
  backend = on;
  dataDir = mkdtempSync(join(tmpdir(), 'tierscope-fleet-'));
  tiers.clear();
  const probes = await Promise.all(
    PROBES.map(async (id) => {
      // The hour sketcher passes only when a test sends SIGUSR2 (and once as the probe starts).
      const tier = await spawnTestNode(id, dataDir, {
        ...(await backend.nodeEnv(id)),
        SKETCH_INTERVAL_MS: String(HOUR),
      });
      tiers.set(id, tier);
      brokers.set(id, tier.mqttUrl);
      return tier;
    }),
  );
  await Promise.all(probes.map((p) => waitReady(p, READY_TIMEOUT_MS)));
  const district = await spawnTestNode('district-1', dataDir, {
    ...(await backend.nodeEnv('district-1')),
    CHILDREN: PROBES.map((id) => `${id}=${tiers.get(id)!.url}`).join(','),
    FEDERATION_DEADLINE_MS: '8000',
  });
  tiers.set('district-1', district);
  const bff = await spawnBff({
    ...(await backend.bffEnv()),
    CHILDREN: `district-1=${district.url}`,
    // Generous: the machine is shared; nothing here measures time.
    FEDERATION_DEADLINE_MS: '10000',
    WEB_DIST: join(dataDir, 'no-console-here'),
  });
  tiers.set('bff', bff);
  await Promise.all([waitReady(district, READY_TIMEOUT_MS), waitReady(bff, READY_TIMEOUT_MS)]);
  const session = await loginToConsole(bff.url);
  client = createTRPCClient<NodeRouter>({
    links: [httpLink({ url: `${bff.url}/trpc`, fetch: fetchAs(session) })],
  });
  await waitForNodesUp(() => client.node.info.query(), 4, 60_000);

  // Retried: on a loaded machine a tier that is still starting can miss a heartbeat.
  for (const probe of PROBES)
    for (const d of DEVICES)
      await waitFor(
        `${d.id} registered on ${probe}`,
        () =>
          client.devices.upsert
            .mutate({
              nodePath: `district-1/${probe}`,
              deviceId: d.id,
              kind: d.kind,
              site: d.site,
              labels: 'zone' in d ? { zone: d.zone } : {},
            })
            .then(
              () => true,
              () => false,
            ),
        60_000,
      );
  await Promise.all(
    PROBES.map((probe) =>
      publishSamples(
        brokers.get(probe)!,
        SAMPLES.filter((s) => s.nodePath === `district-1/${probe}`),
      ),
    ),
  );
  await waitFor(
    'every sample stored at every probe',
    async () => {
      const answer = await fleet({ aggregation: 'count', stepMs: 24 * HOUR, from: START, to: END }).catch(
        () => undefined,
      );
      return (
        answer?.coverage.answered === 4 &&
        answer.series[0]?.points.reduce((n, p) => n + p.count, 0) === SAMPLES.length
      );
    },
    60_000,
  );
}

async function stopTiers(): Promise<void> {
  await Promise.all([...tiers.values()].map((t) => t.stop('SIGTERM')));
  await backend.release();
  rmSync(dataDir, { recursive: true, force: true });
}

function fleet(
  query: Partial<FleetMetricInput> & Pick<FleetMetricInput, 'aggregation'>,
): Promise<FleetMetricAnswer> {
  return client.metrics.fleet.query({ metric: 'temp', from: START, to: END, stepMs: 30 * MINUTE, ...query });
}

function groupKey(groupBy: FleetMetricInput['groupBy'], s: Sample): string {
  switch (groupBy.by) {
    case 'none':
      return '';
    case 'node':
      return s.nodePath;
    case 'site':
      return s.device.site;
    case 'kind':
      return s.device.kind;
    case 'label':
      return 'zone' in s.device ? s.device.zone : '';
    case 'top':
      return `${s.nodePath}/${s.device.id}`;
  }
}

interface ExpectedSeries {
  key: string;
  total: number;
  points: Array<{ at: number; value: number }>;
}

/** The query computed over every sample in one place. */
function expected(query: FleetMetricInput, samples: readonly Sample[]): ExpectedSeries[] {
  const frame = fleetFrame(query);
  const groups = new Map<string, Map<number, number[]>>();
  for (const s of samples) {
    if (s.ts < frame.from || s.ts >= frame.to) continue;
    const key = groupKey(query.groupBy, s);
    const at = Math.floor(s.ts / query.stepMs) * query.stepMs;
    const byAt = groups.get(key) ?? new Map<number, number[]>();
    byAt.set(at, [...(byAt.get(at) ?? []), s.value]);
    groups.set(key, byAt);
  }
  const series = [...groups].map(([key, byAt]) => ({
    key,
    total: exactFleetValue(query.aggregation, [...byAt.values()].flat()),
    points: [...byAt]
      .sort((a, b) => a[0] - b[0])
      .map(([at, values]) => ({ at, value: exactFleetValue(query.aggregation, values) })),
  }));
  // Every device, highest first: expectMatches takes the top ones.
  if (query.groupBy.by === 'top') return series.sort((a, b) => b.total - a.total || (a.key < b.key ? -1 : 1));
  return series.sort((a, b) => (a.key < b.key ? -1 : 1));
}

/**
 * Exact for the exact aggregations; within the answer's stated relative error for quantiles. Top
 * devices by a quantile are ranked by the sketch's values, so a device left out may only beat the
 * last one taken by the error bound.
 */
function expectMatches(answer: FleetMetricAnswer, want: readonly ExpectedSeries[]): void {
  const bound = answer.relativeError ?? 0;
  const close = (got: number, truth: number) =>
    bound === 0
      ? expect(got).toBe(truth)
      : expect(Math.abs(got - truth)).toBeLessThanOrEqual(Math.abs(truth) * bound);
  let compared = want;
  if (answer.groupBy.by === 'top' && bound > 0) {
    const byKey = new Map(want.map((w) => [w.key, w]));
    compared = answer.series.map((s) => byKey.get(s.key)!);
    expect(answer.series.filter((s) => !byKey.has(s.key)).map((s) => [s.key, s.total])).toEqual([]);
    expect(answer.series).toHaveLength(Math.min(answer.groupBy.limit, want.length));
    const lastTaken = answer.series.at(-1)!.total;
    for (const left of want.filter((w) => !answer.series.some((s) => s.key === w.key)))
      expect(left.total).toBeLessThanOrEqual(
        lastTaken + 2 * bound * Math.max(Math.abs(left.total), Math.abs(lastTaken)),
      );
  } else if (answer.groupBy.by === 'top') compared = want.slice(0, answer.groupBy.limit);
  expect(answer.series.map((s) => s.key)).toEqual(compared.map((s) => s.key));
  answer.series.forEach((series, i) => {
    const w = compared[i]!;
    expect(series.points.map((p) => p.at)).toEqual(w.points.map((p) => p.at));
    series.points.forEach((p, j) => close(p.value, w.points[j]!.value));
    close(series.total, w.total);
  });
}

function matches(answer: FleetMetricAnswer, want: readonly ExpectedSeries[]): boolean | string {
  try {
    expectMatches(answer, want);
    return true;
  } catch (error) {
    return String(error);
  }
}

describe.each(tierBackends())('fleet metric queries over three tiers on $name', ({ create }) => {
  beforeAll(() => startTiers(create()), 300_000);
  afterAll(stopTiers);

  it('answers every aggregation and grouping through the BFF as the same computation over all samples', async () => {
    for (const aggregation of FleetAggregation.options)
      for (const groupBy of GROUPINGS) {
        const query = { metric: 'temp', from: START, to: END, stepMs: 30 * MINUTE, aggregation, groupBy };
        const answer = await fleet(query);
        expect(answer.coverage).toMatchObject({ asked: 4, answered: 4 });
        expect(answer.devices).toBe(PROBES.length * DEVICES.length);
        expect(answer.relativeError).toBe(aggregation.startsWith('p') ? 0.01 : null);
        // The failure names the query it is about.
        expect
          .soft({ aggregation, groupBy, ok: matches(answer, expected({ ...query, labels: [] }, SAMPLES)) })
          .toEqual({ aggregation, groupBy, ok: true });
      }
  });

  it('reads minute or hour rollups, not raw samples, for a 24 h query, and raw samples for seconds', async () => {
    const byMinute = await fleet({ aggregation: 'avg', groupBy: { by: 'site' }, stepMs: 5 * MINUTE });
    expect(byMinute.read).toMatchObject({ rawSamples: 0, sources: ['minute'] });
    expect(byMinute.read.rollupRows).toBeGreaterThan(0);
    expect(byMinute.read.rollupRows).toBeLessThan(SAMPLES.length);

    const byHour = await fleet({ aggregation: 'max', groupBy: { by: 'kind' }, stepMs: HOUR });
    expect(byHour.read).toMatchObject({ rawSamples: 0, sources: ['hour'] });
    // One hour rollup per device and hour that has samples.
    expect(byHour.read.rollupRows).toBe(PROBES.length * DEVICES.length * 24);
    expectMatches(
      byHour,
      expected(
        {
          metric: 'temp',
          from: START,
          to: END,
          stepMs: HOUR,
          aggregation: 'max',
          groupBy: { by: 'kind' },
          labels: [],
        },
        SAMPLES,
      ),
    );

    const query = {
      metric: 'temp',
      from: BURST_FROM,
      to: END,
      stepMs: 30_000,
      aggregation: 'sum' as const,
      groupBy: { by: 'node' as const },
    };
    const seconds = await fleet(query);
    expect(seconds.read).toMatchObject({ rollupRows: 0, sources: ['raw'] });
    expect(seconds.read.rawSamples).toBe(PROBES.length * DEVICES.length * 60);
    expectMatches(seconds, expected({ ...query, labels: [] }, SAMPLES));
  });

  it('reads hour sketches, not raw samples, for 24 h quantiles by the hour once the sketcher has run', async () => {
    const byHour = (aggregation: 'p90' | 'p99', groupBy: FleetMetricInput['groupBy']) => ({
      metric: 'temp',
      from: START,
      to: END,
      stepMs: HOUR,
      aggregation,
      groupBy,
      labels: [],
    });
    const deviceHours = PROBES.length * DEVICES.length * 24;
    const sketchPass = async (probes: readonly string[], until: (answer: FleetMetricAnswer) => boolean) => {
      for (const probe of probes) tiers.get(probe)!.signal('SIGUSR2');
      await waitFor(
        'the hour sketches written',
        async () => until(await fleet(byHour('p90', { by: 'none' }))),
        60_000,
      );
    };

    // Only the probes' start-up pass has run, before any sample: every hour is read raw.
    const unsketched = await fleet(byHour('p90', { by: 'site' }));
    expect(unsketched.read).toEqual({
      rawSamples: SAMPLES.length,
      rollupRows: deviceHours,
      sketchRows: 0,
      sources: ['hour', 'raw'],
    });
    expectMatches(unsketched, expected(byHour('p90', { by: 'site' }), SAMPLES));

    await sketchPass(PROBES, (answer) => answer.read.rawSamples === 0);
    for (const query of [byHour('p90', { by: 'site' }), byHour('p99', { by: 'node' })]) {
      const answer = await fleet(query);
      expect(answer.read).toEqual({
        rawSamples: 0,
        rollupRows: deviceHours,
        sketchRows: deviceHours,
        sources: ['hour', 'sketch'],
      });
      expectMatches(answer, expected(query, SAMPLES));
    }

    // A device publishes a buffered sample into an hour already sketched (probe-c, stopped below).
    const late: Sample = {
      nodePath: 'district-1/probe-c',
      device: DEVICES[3],
      ts: START + 5 * HOUR + 5 * MINUTE,
      value: 149.5,
    };
    await publishSamples(brokers.get('probe-c')!, [late]);
    const everySample = byHour('p90', { by: 'none' });
    await waitFor(
      'the late sample stored',
      async () =>
        (await fleet({ ...everySample, aggregation: 'count' })).series[0]?.points.reduce(
          (n, p) => n + p.count,
          0,
        ) ===
        SAMPLES.length + 1,
      30_000,
    );
    const withLate = [...SAMPLES, late];
    const query = byHour('p90', { by: 'kind' });
    const stale = await fleet(query);
    // That device-hour's sketch misses a sample: its raw samples are read, the rest from sketches.
    expect(stale.read).toMatchObject({ rawSamples: 7, sketchRows: deviceHours - 1 });
    expectMatches(stale, expected(query, withLate));

    await sketchPass(['probe-c'], (answer) => answer.read.rawSamples === 0);
    const resketched = await fleet(query);
    expect(resketched.read).toMatchObject({ rawSamples: 0, sketchRows: deviceHours });
    expectMatches(resketched, expected(query, withLate));
  });

  it('selects devices by subtree, kind, site, labels and id pattern', async () => {
    const query = {
      metric: 'temp',
      from: START,
      to: END,
      stepMs: HOUR,
      aggregation: 'sum' as const,
      groupBy: { by: 'top' as const, limit: 10 },
      nodePath: 'district-1/probe-b',
      site: 'north',
      labels: ['zone=a'],
      devicePattern: 'boiler-*',
    };
    const answer = await fleet(query);
    expect(answer.devices).toBe(1);
    expect(answer.coverage).toMatchObject({ asked: 1, answered: 1 });
    const picked = SAMPLES.filter((s) => s.nodePath === 'district-1/probe-b' && s.device.id === 'boiler-1');
    expectMatches(answer, expected(query, picked));
    expect(answer.series[0]!.device).toEqual({ nodePath: 'district-1/probe-b', deviceId: 'boiler-1' });

    const chillers = await fleet({ aggregation: 'count', kind: 'chiller', devicePattern: '*-2' });
    expect(chillers.devices).toBe(PROBES.length);
  });

  it('refuses a query past the point cap with a clear error', async () => {
    const refused = await fleet({ aggregation: 'avg', stepMs: MINUTE, from: START - 24 * HOUR }).catch(
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(TRPCClientError);
    expect((refused as TRPCClientError<NodeRouter>).message).toMatch(/at most 1500 points per series/);
  });

  // The nodes' own history rides on the same tiers, to keep start-ups few.
  it("lists every node's own history through the BFF, one series per node in path order", async () => {
    const query = () =>
      client.node.history.query({
        metric: 'devices.online',
        from: Date.now() - HOUR,
        to: Date.now() + MINUTE,
      });
    // Every node records a reading as it starts; the wait only covers a slow first write.
    await waitFor('every node has history', async () => (await query()).series.length === 4, 30_000);
    const history = await query();
    expect(history.coverage).toMatchObject({ asked: 4, answered: 4 });
    expect(history.series.map((s) => s.nodePath)).toEqual([
      'district-1',
      ...PROBES.map((probe) => `district-1/${probe}`),
    ]);
  });

  it('names a stopped node in the coverage and leaves its series out, not zero', async () => {
    await tiers.get('probe-c')!.stop('SIGTERM');
    tiers.delete('probe-c');
    const query = { metric: 'temp', from: START, to: END, stepMs: HOUR, aggregation: 'avg' as const };
    for (const groupBy of [{ by: 'node' as const }, { by: 'none' as const }]) {
      const answer = await fleet({ ...query, groupBy });
      expect(answer.coverage.asked).toBe(4);
      expect(answer.coverage.answered).toBe(3);
      expect(answer.coverage.nodes.find((n) => n.path === 'district-1/probe-c')?.state).not.toBe('ok');
      expect(answer.devices).toBe(2 * DEVICES.length);
      const live = SAMPLES.filter((s) => s.nodePath !== 'district-1/probe-c');
      expectMatches(answer, expected({ ...query, groupBy, labels: [] }, live));
    }
  });
});

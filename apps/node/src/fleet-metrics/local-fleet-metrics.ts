import picomatch from 'picomatch';
import {
  FLEET_MAX_DEVICES,
  fleetFrame,
  isQuantile,
  selfCoverage,
  type FleetMetricAnswer,
  type FleetMetricInput,
  type FleetSeries,
  type FleetSource,
} from '@tierscope/shared';
import { addToGroup, fleetAnswer, fleetValue, type FleetGroup } from '@tierscope/federation';
import type { NodeStore, RawExecutor } from '../store/client.ts';
import { SqlParams, epochMs } from '../services/order-sql.ts';
import { elapsedSince } from '../services/paging.ts';
import { pathSelects } from '../services/path-scoped.ts';
import { PointBins, sketchBinSql, type BinRow } from './sketch-bins-sql.ts';

export interface FleetMetricsDeps {
  store: NodeStore;
  nodePath: string;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

type DeviceRow = { id: string; kind: string; site: string; labels: Record<string, string> };

/**
 * Where a query's sum, count, min and max come from: hour rollups when the step is whole hours
 * (quantiles too: their bins come from the hour sketches, readBins), minute rollups when it is
 * whole minutes, raw samples otherwise (short ranges only, FleetMetricInput) and for quantiles by a
 * step that is not whole hours, which no sketch is kept for (docs/decisions/0028).
 */
export function fleetSource(input: Pick<FleetMetricInput, 'stepMs' | 'aggregation'>): FleetSource {
  if (input.stepMs % HOUR_MS === 0) return 'hour';
  if (isQuantile(input.aggregation) || input.stepMs % MINUTE_MS !== 0) return 'raw';
  return 'minute';
}

/** What a node read for one query, counted as the answer's `read` block counts it. */
class ReadTally {
  rawSamples = 0;
  rollupRows = 0;
  sketchRows = 0;

  rows(source: FleetSource, rows: number): void {
    if (source === 'raw') this.rawSamples += rows;
    else this.rollupRows += rows;
  }

  answerRead(source: FleetSource): FleetMetricAnswer['read'] {
    const sources = new Set<FleetSource>([source]);
    if (this.rawSamples > 0) sources.add('raw');
    if (this.sketchRows > 0) sources.add('sketch');
    return {
      rawSamples: this.rawSamples,
      rollupRows: this.rollupRows,
      sketchRows: this.sketchRows,
      sources: [...sources].sort(),
    };
  }
}

/** This node's partials for a fleet metric query, over its own devices. */
export async function fleetMetricsLocally(
  deps: FleetMetricsDeps,
  input: FleetMetricInput,
): Promise<FleetMetricAnswer> {
  const started = performance.now();
  const nothingRead = { rawSamples: 0, rollupRows: 0, sketchRows: 0, sources: [] };
  if (!pathSelects(input.nodePath, deps.nodePath))
    return fleetAnswer(input, {
      groups: [],
      devices: 0,
      read: nothingRead,
      coverage: { asked: 0, answered: 0, nodes: [] },
    });

  const devices = await selectDevices(deps.store, input);
  // Past the cap nothing is read: the top tier sums the devices and refuses the query.
  if (devices.length === 0 || devices.length > FLEET_MAX_DEVICES)
    return fleetAnswer(input, {
      groups: [],
      devices: devices.length,
      read: nothingRead,
      coverage: selfCoverage(deps.nodePath, elapsedSince(started)),
    });

  const source = fleetSource(input);
  const frame = fleetFrame(input);
  const read = new ReadTally();
  // One snapshot for every read: the ranking, the partials and whether each device-hour is read
  // from its sketch or its raw samples agree while ingest and the hour sketcher write.
  const { rows, bins } = await deps.store.transaction(async (tx) => {
    await tx.exec('set transaction isolation level repeatable read, read only');
    let groupKeys = Object.fromEntries(devices.map((d) => [d.id, groupKeyOf(input, d, deps.nodePath)]));
    if (input.groupBy.by === 'top' && devices.length > input.groupBy.limit) {
      const ranked = await topDevices(tx, input, source, groupKeys, input.groupBy.limit, read);
      groupKeys = Object.fromEntries(ranked.map((id) => [id, id]));
    }
    return {
      rows: await readPartials(tx, input.metric, frame, source, groupKeys),
      bins: isQuantile(input.aggregation)
        ? await readBins(tx, input.metric, frame, source, groupKeys, read)
        : undefined,
    };
  });

  const groups = new Map<string, FleetGroup>();
  const seriesOf = seriesNaming(input, deps.nodePath);
  for (const row of rows) {
    read.rows(source, row.rows);
    const sketch = bins?.get(pointId(row));
    // A quantile's point needs its bins: an hour past the raw retention that was never sketched
    // has none, and is left out as it was when quantiles read raw samples only.
    if (bins && !sketch) continue;
    const at = frame.from + row.i * frame.stepMs;
    const { key, device } = seriesOf(row.key);
    const point = {
      at,
      count: row.count,
      sum: row.sum,
      min: row.min,
      max: row.max,
      ...(sketch && { sketch }),
    };
    addToGroup(groups, key, point, device);
  }
  return fleetAnswer(input, {
    groups: groups.values(),
    devices: devices.length,
    read: read.answerRead(source),
    coverage: selfCoverage(deps.nodePath, elapsedSince(started)),
  });
}

/** The devices the selector picks: kind, site and labels in SQL, the id pattern as rule scopes match it. */
async function selectDevices(store: RawExecutor, input: FleetMetricInput): Promise<DeviceRow[]> {
  const params = new SqlParams();
  const where = ['true'];
  if (input.kind !== undefined) where.push(`d.kind = ${params.add(input.kind)}`);
  if (input.site !== undefined) where.push(`d.site = ${params.add(input.site)}`);
  if (input.labels.length > 0) {
    const labels = Object.fromEntries(
      input.labels.map((filter) => {
        const at = filter.indexOf('=');
        return [filter.slice(0, at), filter.slice(at + 1)];
      }),
    );
    where.push(`d.labels @> ${params.add(JSON.stringify(labels))}::jsonb`);
  }
  const rows = await store.exec<DeviceRow>(
    `select d.id, d.kind, d.site, d.labels from devices d where ${where.join(' and ')}`,
    params.values,
  );
  if (input.devicePattern === undefined) return rows;
  const matches = picomatch(input.devicePattern, { dot: true });
  return rows.filter((d) => matches(d.id));
}

/** The key a device is grouped under in SQL: for top devices, the device itself. */
function groupKeyOf(input: FleetMetricInput, device: DeviceRow, nodePath: string): string {
  switch (input.groupBy.by) {
    case 'none':
      return '';
    case 'node':
      return nodePath;
    case 'site':
      return device.site;
    case 'kind':
      return device.kind;
    case 'label':
      return device.labels[input.groupBy.label] ?? '';
    case 'top':
      return device.id;
  }
}

function seriesNaming(
  input: FleetMetricInput,
  nodePath: string,
): (groupKey: string) => { key: string; device?: FleetSeries['device'] } {
  if (input.groupBy.by !== 'top') return (key) => ({ key });
  return (deviceId) => ({ key: `${nodePath}/${deviceId}`, device: { nodePath, deviceId } });
}

/**
 * The node's `limit` devices with the highest value over the whole range (then by id), ranked from
 * one bucket spanning the range, so only their points are read: the same value their series'
 * total has, since it merges the same partials.
 */
async function topDevices(
  store: RawExecutor,
  input: FleetMetricInput,
  source: FleetSource,
  groupKeys: Record<string, string>,
  limit: number,
  read: ReadTally,
): Promise<string[]> {
  const frame = fleetFrame(input);
  const whole = { ...frame, stepMs: frame.to - frame.from };
  const rows = await readPartials(store, input.metric, whole, source, groupKeys);
  const bins = isQuantile(input.aggregation)
    ? await readBins(store, input.metric, whole, source, groupKeys, read)
    : undefined;
  for (const row of rows) read.rows(source, row.rows);
  const ranked = rows
    .flatMap((row) => {
      const sketch = bins?.get(pointId(row));
      if (bins && !sketch) return [];
      return [
        {
          id: row.key,
          value: fleetValue(input.aggregation, { at: 0, ...row, ...(sketch && { sketch }) }),
        },
      ];
    })
    .sort((a, b) => b.value - a.value || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return ranked.slice(0, limit).map((r) => r.id);
}

/** A point's id among bins: its group key and bucket index. */
function pointId(point: { key: string; i: number }): string {
  return `${point.key}\u0000${point.i}`;
}

/** Bucket boundaries: `from` and the step; a bucket spanning [from, to) ranks whole ranges. */
type Frame = { from: number; to: number; stepMs: number };

/** A column's bucket index in a query whose parameters are (groups, metric, from, to, step, …). */
const bucketOf = (column: string) => `floor((${epochMs(column)} - $3::float8) / $5::float8)::int`;

type PartialRow = {
  key: string;
  i: number;
  count: number;
  sum: number;
  min: number;
  max: number;
  rows: number;
};

/** Sum, count, min and max per group and bucket, and how many rows they came from. */
function readPartials(
  store: RawExecutor,
  metric: string,
  frame: Frame,
  source: FleetSource,
  groupKeys: Record<string, string>,
): Promise<PartialRow[]> {
  const params = [JSON.stringify(groupKeys), metric, frame.from, frame.to, frame.stepMs];
  const text =
    source === 'raw'
      ? `select g.key, ${bucketOf('s.ts')} as i, count(*)::float8 as count, sum(s.value) as sum,
                min(s.value) as min, max(s.value) as max, count(*)::float8 as rows
           from samples s join jsonb_each_text($1::jsonb) as g(device_id, key) on g.device_id = s.device_id
          where s.metric = $2 and s.ts >= to_timestamp($3 / 1000.0) and s.ts < to_timestamp($4 / 1000.0)
          group by 1, 2`
      : `select g.key, ${bucketOf('r.bucket')} as i, sum(r.count)::float8 as count, sum(r.sum) as sum,
                min(r.min) as min, max(r.max) as max, count(*)::float8 as rows
           from ${source === 'hour' ? 'rollups_hour' : 'rollups_minute'} r
           join jsonb_each_text($1::jsonb) as g(device_id, key) on g.device_id = r.device_id
          where r.metric = $2 and r.bucket >= to_timestamp($3 / 1000.0) and r.bucket < to_timestamp($4 / 1000.0)
          group by 1, 2`;
  return store.exec<PartialRow>(text, params);
}

const rawBin = sketchBinSql('s.value');

/**
 * The sketch bins of each group and bucket, counted into `read`. By whole hours: each device-hour's
 * hour sketch where it is complete (its count equals the hour rollup's), and the raw samples of the
 * rest (the open hour, an hour not sketched yet, one whose late samples are not in its sketch).
 * Otherwise the raw samples of the range. Either way the binning is done in SQL (sketchBinSql) and
 * only (group, bucket, bin, count) rows leave the database, never the samples.
 */
async function readBins(
  store: RawExecutor,
  metric: string,
  frame: Frame,
  source: FleetSource,
  groupKeys: Record<string, string>,
  read: ReadTally,
): Promise<PointBins> {
  const bins = new PointBins();
  if (source !== 'hour') {
    // The same samples the partials were read from, already counted.
    await readRawBins(store, metric, frame, groupKeys, bins);
    return bins;
  }
  const unsketched = await readSketchedBins(store, metric, frame, groupKeys, bins, read);
  if (unsketched.length > 0)
    read.rawSamples += await readRawBins(store, metric, frame, groupKeys, bins, unsketched);
  return bins;
}

/**
 * The bins of every complete hour sketch of the range into `bins`, counted into `read`; returns
 * the device-hours whose sketch is missing or incomplete, to be read from raw samples.
 */
async function readSketchedBins(
  store: RawExecutor,
  metric: string,
  frame: Frame,
  groupKeys: Record<string, string>,
  bins: PointBins,
  read: ReadTally,
): Promise<Array<{ deviceId: string; hour: number }>> {
  // The devices as arrays, not JSON: PostgreSQL estimates unnest() of an array by its length, so it
  // hash-joins the rollups and sketches of a thousand devices and looks up those of a few.
  const params = [
    Object.keys(groupKeys),
    metric,
    frame.from,
    frame.to,
    frame.stepMs,
    Object.values(groupKeys),
  ];
  const sketched = await store.exec<BinPointRow & { sketches: number }>(
    `with picked as materialized (
       select g.key, r.bucket, k.bin_sides, k.bin_keys, k.bin_counts
         from rollups_hour r
         join unnest($1::text[], $6::text[]) as g(device_id, key) on g.device_id = r.device_id
         join rollups_hour_sketch k
           on k.device_id = r.device_id and k.metric = r.metric and k.bucket = r.bucket and k.count = r.count
        where r.metric = $2 and r.bucket >= to_timestamp($3 / 1000.0) and r.bucket < to_timestamp($4 / 1000.0)
     ), bins as (
       select key, ${bucketOf('bucket')} as i,
              unnest(bin_sides) as side, unnest(bin_keys) as bin, unnest(bin_counts) as count
         from picked
     )
     select key, i, side, bin, sum(count)::float8 as count, (select count(*) from picked)::float8 as sketches
       from bins group by 1, 2, 3, 4`,
    params,
  );
  for (const row of sketched) bins.add(pointId(row), row);
  read.sketchRows += sketched[0]?.sketches ?? 0;

  return store.exec<{ deviceId: string; hour: number }>(
    `select r.device_id as "deviceId", ${epochMs('r.bucket')} as hour
       from rollups_hour r
       join unnest($1::text[]) as g(device_id) on g.device_id = r.device_id
       left join rollups_hour_sketch k on k.device_id = r.device_id and k.metric = r.metric and k.bucket = r.bucket
      where r.metric = $2 and r.bucket >= to_timestamp($3 / 1000.0) and r.bucket < to_timestamp($4 / 1000.0)
        and k.count is distinct from r.count`,
    params.slice(0, 4),
  );
}

type BinPointRow = BinRow & { key: string; i: number };

/**
 * The raw samples of the range binned into `bins`, all of them or only those of the given
 * device-hours; returns how many samples were read.
 */
async function readRawBins(
  store: RawExecutor,
  metric: string,
  frame: Frame,
  groupKeys: Record<string, string>,
  bins: PointBins,
  onlyHours?: ReadonlyArray<{ deviceId: string; hour: number }>,
): Promise<number> {
  const params = new SqlParams();
  const groups = params.add(JSON.stringify(groupKeys));
  const where = [
    `s.metric = ${params.add(metric)}`,
    `s.ts >= to_timestamp(${params.add(frame.from)} / 1000.0)`,
    `s.ts < to_timestamp(${params.add(frame.to)} / 1000.0)`,
  ];
  params.add(frame.stepMs);
  const hours = onlyHours
    ? `join unnest(${params.add(onlyHours.map((h) => h.deviceId))}::text[],
                   ${params.add(onlyHours.map((h) => h.hour))}::float8[]) as u(device_id, hour)
         on u.device_id = s.device_id and s.ts >= to_timestamp(u.hour / 1000.0)
        and s.ts < to_timestamp(u.hour / 1000.0 + 3600)`
    : '';
  const rows = await store.exec<BinPointRow>(
    `select g.key, ${bucketOf('s.ts')} as i, ${rawBin.side} as side, ${rawBin.bin} as bin,
            count(*)::float8 as count
       from samples s join jsonb_each_text(${groups}::jsonb) as g(device_id, key) on g.device_id = s.device_id
       ${hours}
      where ${where.join(' and ')}
      group by 1, 2, 3, 4`,
    params.values,
  );
  let samples = 0;
  for (const row of rows) {
    bins.add(pointId(row), row);
    samples += row.count;
  }
  return samples;
}

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
  type SketchBins,
} from '@tierscope/shared';
import {
  FLEET_SKETCH_BINNING,
  addToGroup,
  fleetAnswer,
  fleetValue,
  type FleetGroup,
} from '@tierscope/federation';
import type { NodeStore } from '../store/client.ts';
import { SqlParams, epochMs } from '../services/order-sql.ts';
import { elapsedSince } from '../services/paging.ts';
import { pathSelects } from '../services/path-scoped.ts';

export interface FleetMetricsDeps {
  store: NodeStore;
  nodePath: string;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

type DeviceRow = { id: string; kind: string; site: string; labels: Record<string, string> };

/**
 * What a query reads: hour rollups when the step is whole hours, minute rollups when it is whole
 * minutes, raw samples otherwise (short ranges only, FleetMetricInput) and for quantiles, whose
 * sketch the rollups do not hold (docs/decisions/0028).
 */
export function fleetSource(input: Pick<FleetMetricInput, 'stepMs' | 'aggregation'>): FleetSource {
  if (isQuantile(input.aggregation) || input.stepMs % MINUTE_MS !== 0) return 'raw';
  return input.stepMs % HOUR_MS === 0 ? 'hour' : 'minute';
}

/** This node's partials for a fleet metric query, over its own devices. */
export async function fleetMetricsLocally(
  deps: FleetMetricsDeps,
  input: FleetMetricInput,
): Promise<FleetMetricAnswer> {
  const started = performance.now();
  const nothingRead = { rawSamples: 0, rollupRows: 0, sources: [] };
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
  let groupKeys = Object.fromEntries(devices.map((d) => [d.id, groupKeyOf(input, d, deps.nodePath)]));
  let rowsRead = 0;
  if (input.groupBy.by === 'top' && devices.length > input.groupBy.limit) {
    const ranked = await topDevices(deps.store, input, source, groupKeys, input.groupBy.limit);
    groupKeys = Object.fromEntries(ranked.deviceIds.map((id) => [id, id]));
    rowsRead += ranked.rowsRead;
  }
  const rows = await readPartials(deps.store, input.metric, frame, source, groupKeys);
  const bins = isQuantile(input.aggregation)
    ? await readBins(deps.store, input.metric, frame, groupKeys)
    : undefined;

  const groups = new Map<string, FleetGroup>();
  const seriesOf = seriesNaming(input, deps.nodePath);
  for (const row of rows) {
    rowsRead += row.rows;
    const at = frame.from + row.i * frame.stepMs;
    const { key, device } = seriesOf(row.key);
    const sketch = bins?.get(`${row.key}\u0000${row.i}`);
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
    read: {
      rawSamples: source === 'raw' ? rowsRead : 0,
      rollupRows: source === 'raw' ? 0 : rowsRead,
      sources: [source],
    },
    coverage: selfCoverage(deps.nodePath, elapsedSince(started)),
  });
}

/** The devices the selector picks: kind, site and labels in SQL, the id pattern as rule scopes match it. */
async function selectDevices(store: NodeStore, input: FleetMetricInput): Promise<DeviceRow[]> {
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
  store: NodeStore,
  input: FleetMetricInput,
  source: FleetSource,
  groupKeys: Record<string, string>,
  limit: number,
): Promise<{ deviceIds: string[]; rowsRead: number }> {
  const frame = fleetFrame(input);
  const whole = { ...frame, stepMs: frame.to - frame.from };
  const rows = await readPartials(store, input.metric, whole, source, groupKeys);
  const bins = isQuantile(input.aggregation)
    ? await readBins(store, input.metric, whole, groupKeys)
    : undefined;
  const ranked = rows
    .map((row) => {
      const sketch = bins?.get(`${row.key}\u0000${row.i}`);
      return {
        id: row.key,
        value: fleetValue(input.aggregation, { at: 0, ...row, ...(sketch && { sketch }) }),
      };
    })
    .sort((a, b) => b.value - a.value || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return {
    deviceIds: ranked.slice(0, limit).map((r) => r.id),
    rowsRead: rows.reduce((n, row) => n + row.rows, 0),
  };
}

/** Bucket boundaries: `from` and the step; a bucket spanning [from, to) ranks whole ranges. */
type Frame = { from: number; to: number; stepMs: number };

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
  store: NodeStore,
  metric: string,
  frame: Frame,
  source: FleetSource,
  groupKeys: Record<string, string>,
): Promise<PartialRow[]> {
  const params = [JSON.stringify(groupKeys), metric, frame.from, frame.to, frame.stepMs];
  const bucket = (column: string) => `floor((${epochMs(column)} - $3::float8) / $5::float8)::int`;
  const text =
    source === 'raw'
      ? `select g.key, ${bucket('s.ts')} as i, count(*)::float8 as count, sum(s.value) as sum,
                min(s.value) as min, max(s.value) as max, count(*)::float8 as rows
           from samples s join jsonb_each_text($1::jsonb) as g(device_id, key) on g.device_id = s.device_id
          where s.metric = $2 and s.ts >= to_timestamp($3 / 1000.0) and s.ts < to_timestamp($4 / 1000.0)
          group by 1, 2`
      : `select g.key, ${bucket('r.bucket')} as i, sum(r.count)::float8 as count, sum(r.sum) as sum,
                min(r.min) as min, max(r.max) as max, count(*)::float8 as rows
           from ${source === 'hour' ? 'rollups_hour' : 'rollups_minute'} r
           join jsonb_each_text($1::jsonb) as g(device_id, key) on g.device_id = r.device_id
          where r.metric = $2 and r.bucket >= to_timestamp($3 / 1000.0) and r.bucket < to_timestamp($4 / 1000.0)
          group by 1, 2`;
  return store.exec<PartialRow>(text, params);
}

/**
 * The raw samples of each group and bucket binned as the sketch's mapping bins them, in SQL: only
 * (key, count) pairs leave the database, never the samples.
 */
async function readBins(
  store: NodeStore,
  metric: string,
  frame: Frame,
  groupKeys: Record<string, string>,
): Promise<Map<string, SketchBins>> {
  const rows = await store.exec<{ key: string; i: number; side: number; bin: number; count: number }>(
    `select g.key, floor((${epochMs('s.ts')} - $3::float8) / $5::float8)::int as i,
            case when abs(s.value) < $6::float8 then 0 when s.value > 0 then 1 else -1 end as side,
            case when abs(s.value) < $6::float8 then 0 else ceil(ln(abs(s.value)) / $7::float8)::int end as bin,
            count(*)::float8 as count
       from samples s join jsonb_each_text($1::jsonb) as g(device_id, key) on g.device_id = s.device_id
      where s.metric = $2 and s.ts >= to_timestamp($3 / 1000.0) and s.ts < to_timestamp($4 / 1000.0)
      group by 1, 2, 3, 4
      order by 1, 2, 3, 4`,
    [
      JSON.stringify(groupKeys),
      metric,
      frame.from,
      frame.to,
      frame.stepMs,
      FLEET_SKETCH_BINNING.minMagnitude,
      FLEET_SKETCH_BINNING.lnGamma,
    ],
  );
  const byPoint = new Map<string, SketchBins>();
  for (const row of rows) {
    const id = `${row.key}\u0000${row.i}`;
    let bins = byPoint.get(id);
    if (!bins) {
      bins = { zero: 0, positive: [], negative: [] };
      byPoint.set(id, bins);
    }
    if (row.side === 0) bins.zero += row.count;
    else (row.side > 0 ? bins.positive : bins.negative).push([row.bin, row.count]);
  }
  return byPoint;
}

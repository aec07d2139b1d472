import {
  REPORT_MAX_DURATIONS,
  REPORT_MAX_GROUPS,
  REPORT_NOISIEST_LIMIT,
  Severity,
  addAvailability,
  byDownTime,
  emptyAvailability,
  emptyReportFigures,
  selfCoverage,
  sumGroups,
  trendStepMs,
  type Availability,
  type DeviceFigures,
  type DeviceSelector,
  type Durations,
  type GroupFigures,
  type ReportFigures,
  type ReportFiguresInput,
} from '@tierscope/shared';
import type { NodeStore } from '../store/client.ts';
import { epochMs } from '../services/order-sql.ts';
import { elapsedSince } from '../services/paging.ts';
import { pathSelects } from '../services/path-scoped.ts';
import {
  downIntervals,
  observedWindow,
  overlapMs,
  type DeviceHistory,
  type Interval,
  type StatusChange,
} from './device-availability.ts';

export interface ReportFiguresDeps {
  store: NodeStore;
  nodePath: string;
  now?: () => number;
}

type DeviceRow = {
  id: string;
  name: string;
  kind: string;
  site: string;
  labels: Record<string, string>;
  firstSeen: number;
  lastSeen: number | null;
  expectedIntervalMs: number;
  /** Metrics the device has ever sent: each is expected once per interval. */
  metrics: number;
};

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;

/**
 * The period's figures over this node's own store: availability from status changes and when each
 * device was last heard, completeness from the hour rollups (minute rollups at the period's ragged
 * edges), alert figures from the alerts that fired in the period. No raw sample is read.
 */
export async function reportFiguresLocally(
  deps: ReportFiguresDeps,
  input: ReportFiguresInput,
): Promise<ReportFigures> {
  const started = performance.now();
  const now = (deps.now ?? Date.now)();
  const { from, to } = input;
  const stepMs = trendStepMs(from, to);
  if (!pathSelects(input.nodePath, deps.nodePath))
    return emptyReportFigures(from, to, stepMs, { asked: 0, answered: 0, nodes: [] });
  const previousFrom = from - (to - from);

  const [devices, changes, received, alerts] = await Promise.all([
    readDevices(deps.store, input.deviceId),
    readStatusChanges(deps.store, previousFrom, to, input.deviceId),
    readReceivedSamples(deps.store, from, to, input.deviceId),
    readAlerts(deps.store, from, to, input.deviceId),
  ]);

  const figures = emptyReportFigures(from, to, stepMs, selfCoverage(deps.nodePath, 0));
  const sites: GroupFigures[] = [];
  const kinds: GroupFigures[] = [];
  const node = group(deps.nodePath);
  const deviceFigures: DeviceFigures[] = [];
  const trend = new Map<number, { observedMs: number; downMs: number }>();
  const objectives = input.objectives.map(() => ({
    current: emptyAvailability(),
    previous: emptyAvailability(),
  }));

  for (const device of devices) {
    const history: DeviceHistory = {
      firstSeen: device.firstSeen,
      lastSeen: device.lastSeen,
      expectedIntervalMs: device.expectedIntervalMs,
      changes: changes.get(device.id) ?? [],
    };
    const current = availabilityOver(history, from, to, now);
    const previous = availabilityOver(history, previousFrom, from, now);
    addAvailability(figures.total, current.figures);
    addAvailability(figures.previous, previous.figures);
    input.objectives.forEach((objective, i) => {
      if (!selects(objective.selector, device)) return;
      addAvailability(objectives[i]!.current, current.figures);
      addAvailability(objectives[i]!.previous, previous.figures);
    });

    const expectedSamples =
      current.figures.observedMs > 0
        ? (current.figures.observedMs / device.expectedIntervalMs) * device.metrics
        : 0;
    // A device that reports more often than its expected interval is complete, not more than
    // complete: a fleet's completeness must not hide one silent device behind a chatty one.
    const receivedSamples = Math.min(received.get(device.id) ?? 0, Math.ceil(expectedSamples));
    const row = { ...current.figures, expectedSamples, receivedSamples };
    for (const into of [node, groupOf(sites, device.site), groupOf(kinds, device.kind)]) {
      addAvailability(into, row);
      into.expectedSamples += expectedSamples;
      into.receivedSamples += receivedSamples;
    }
    if (current.window) {
      const [start, end] = current.window;
      for (let at = from; at < to; at += stepMs) {
        const observedMs = Math.max(0, Math.min(end, at + stepMs) - Math.max(start, at));
        if (observedMs === 0) continue;
        const point = trend.get(at) ?? { observedMs: 0, downMs: 0 };
        point.observedMs += observedMs;
        point.downMs += overlapMs(current.down, at, at + stepMs);
        trend.set(at, point);
      }
      deviceFigures.push({
        ...row,
        nodePath: deps.nodePath,
        deviceId: device.id,
        name: device.name,
        kind: device.kind,
        site: device.site,
      });
    }
  }

  figures.completeness = { expectedSamples: node.expectedSamples, receivedSamples: node.receivedSamples };
  figures.groups = {
    node: node.devices > 0 ? [node] : [],
    site: sumGroups(sites),
    kind: sumGroups(kinds),
  };
  figures.devices = deviceFigures.sort(byDownTime).slice(0, input.deviceLimit);
  figures.trend = [...trend].map(([at, point]) => ({ at, ...point })).sort((a, b) => a.at - b.at);
  figures.alerts = alertFigures(alerts, deps.nodePath);
  figures.objectives = input.objectives.map((objective, i) => ({
    name: objective.name,
    selector: objective.selector,
    availability: objective.availability,
    ...objectives[i]!,
  }));
  figures.coverage = selfCoverage(deps.nodePath, elapsedSince(started));
  return figures;
}

function group(key: string): GroupFigures {
  return { key, ...emptyAvailability(), expectedSamples: 0, receivedSamples: 0 };
}

function groupOf(groups: GroupFigures[], key: string): GroupFigures {
  let found = groups.find((g) => g.key === key);
  if (!found) {
    found = group(key);
    groups.push(found);
  }
  return found;
}

function availabilityOver(
  history: DeviceHistory,
  from: number,
  to: number,
  now: number,
): { figures: Availability; window: Interval | null; down: Interval[] } {
  const window = observedWindow(history, from, to, now);
  if (!window) return { figures: emptyAvailability(), window, down: [] };
  const down = downIntervals(history, window);
  return {
    figures: { devices: 1, observedMs: window[1] - window[0], downMs: overlapMs(down, window[0], window[1]) },
    window,
    down,
  };
}

function selects(selector: DeviceSelector, device: DeviceRow): boolean {
  if (selector.kind !== undefined && selector.kind !== device.kind) return false;
  if (selector.site !== undefined && selector.site !== device.site) return false;
  if (selector.label !== undefined) {
    const at = selector.label.indexOf('=');
    if (device.labels[selector.label.slice(0, at)] !== selector.label.slice(at + 1)) return false;
  }
  return true;
}

// Each read takes the drill-down's device, or null for every device.
const ofDevice = (column: string, param: string) => `(${param}::text is null or ${column} = ${param}::text)`;

async function readDevices(store: NodeStore, deviceId: string | undefined): Promise<DeviceRow[]> {
  return store.exec<DeviceRow>(
    `select d.id, d.name, d.kind, d.site, d.labels, d.expected_interval_ms as "expectedIntervalMs",
            ${epochMs('d.first_seen')} as "firstSeen", ${epochMs('d.last_seen')} as "lastSeen",
            (select count(*) from latest_values l where l.device_id = d.id)::int as metrics
       from devices d where ${ofDevice('d.id', '$1')}`,
    [deviceId ?? null],
  );
}

/** Each device's changes in [from, to), after the last one before `from`. */
async function readStatusChanges(
  store: NodeStore,
  from: number,
  to: number,
  deviceId: string | undefined,
): Promise<Map<string, StatusChange[]>> {
  const rows = await store.exec<{ deviceId: string; at: number; status: StatusChange['status'] }>(
    `select * from (
       select distinct on (device_id) device_id as "deviceId", ${epochMs('at')} as at, status
         from device_status_changes where at < to_timestamp($1 / 1000.0) and ${ofDevice('device_id', '$3')}
        order by device_id, at desc, status
     ) before
     union all
     select device_id, ${epochMs('at')}, status from device_status_changes
      where at >= to_timestamp($1 / 1000.0) and at < to_timestamp($2 / 1000.0) and ${ofDevice('device_id', '$3')}
     order by 1, 2, 3`,
    [from, to, deviceId ?? null],
  );
  const byDevice = new Map<string, StatusChange[]>();
  for (const row of rows) {
    const list = byDevice.get(row.deviceId) ?? [];
    list.push({ at: row.at, status: row.status });
    byDevice.set(row.deviceId, list);
  }
  return byDevice;
}

/**
 * Samples received per device in [from, to): whole hours from the hour rollups, the ragged edges
 * from the minute rollups (so the period is exact to the minute).
 */
async function readReceivedSamples(
  store: NodeStore,
  from: number,
  to: number,
  deviceId: string | undefined,
): Promise<Map<string, number>> {
  const fromMinute = Math.ceil(from / MINUTE_MS) * MINUTE_MS;
  const toMinute = Math.ceil(to / MINUTE_MS) * MINUTE_MS;
  const hoursFrom = Math.ceil(fromMinute / HOUR_MS) * HOUR_MS;
  const hoursTo = Math.max(hoursFrom, Math.floor(toMinute / HOUR_MS) * HOUR_MS);
  const minuteRanges: Array<[number, number]> =
    hoursFrom >= hoursTo
      ? [[fromMinute, toMinute]]
      : [
          [fromMinute, hoursFrom],
          [hoursTo, toMinute],
        ];
  const rows = await store.exec<{ deviceId: string; received: number }>(
    `select device_id as "deviceId", sum(count)::float8 as received from (
       select device_id, count from rollups_hour
        where bucket >= to_timestamp($1 / 1000.0) and bucket < to_timestamp($2 / 1000.0)
       union all
       select device_id, count from rollups_minute
        where (bucket >= to_timestamp($3 / 1000.0) and bucket < to_timestamp($4 / 1000.0))
           or (bucket >= to_timestamp($5 / 1000.0) and bucket < to_timestamp($6 / 1000.0))
     ) r where ${ofDevice('device_id', '$7')} group by device_id`,
    [hoursFrom, hoursTo, ...minuteRanges[0]!, ...(minuteRanges[1] ?? [0, 0]), deviceId ?? null],
  );
  return new Map(rows.map((row) => [row.deviceId, row.received]));
}

type AlertRow = {
  ruleId: string;
  ruleName: string;
  deviceId: string | null;
  severity: Severity;
  startedAt: number;
  ackAt: number | null;
  resolvedAt: number | null;
};

/** The alerts that fired in [from, to) (an alert only pending never fired). */
function readAlerts(
  store: NodeStore,
  from: number,
  to: number,
  deviceId: string | undefined,
): Promise<AlertRow[]> {
  return store.exec<AlertRow>(
    `select rule_id as "ruleId", rule_name as "ruleName", device_id as "deviceId", severity,
            ${epochMs('started_at')} as "startedAt", ${epochMs('ack_at')} as "ackAt",
            ${epochMs('resolved_at')} as "resolvedAt"
       from alerts
      where state <> 'pending' and started_at >= to_timestamp($1 / 1000.0) and started_at < to_timestamp($2 / 1000.0)
        and ${ofDevice('device_id', '$3')}`,
    [from, to, deviceId ?? null],
  );
}

function alertFigures(alerts: readonly AlertRow[], nodePath: string): ReportFigures['alerts'] {
  const bySeverity = Object.fromEntries(Severity.options.map((s) => [s, 0])) as Record<Severity, number>;
  const rules = new Map<string, { ruleId: string; ruleName: string; count: number }>();
  const devices = new Map<string, number>();
  const acknowledge: number[] = [];
  const resolve: number[] = [];
  for (const alert of alerts) {
    bySeverity[alert.severity] += 1;
    const rule = rules.get(alert.ruleId) ?? { ruleId: alert.ruleId, ruleName: alert.ruleName, count: 0 };
    rule.count += 1;
    rules.set(alert.ruleId, rule);
    if (alert.deviceId !== null) devices.set(alert.deviceId, (devices.get(alert.deviceId) ?? 0) + 1);
    if (alert.ackAt !== null) acknowledge.push(Math.max(0, alert.ackAt - alert.startedAt));
    if (alert.resolvedAt !== null) resolve.push(Math.max(0, alert.resolvedAt - alert.startedAt));
  }
  return {
    total: alerts.length,
    bySeverity,
    byRule: [...rules.values()]
      .sort((a, b) => b.count - a.count || (a.ruleId < b.ruleId ? -1 : 1))
      .slice(0, REPORT_MAX_GROUPS),
    noisiestDevices: [...devices]
      .map(([deviceId, count]) => ({ nodePath, deviceId, count }))
      .sort((a, b) => b.count - a.count || (a.deviceId < b.deviceId ? -1 : 1))
      .slice(0, REPORT_NOISIEST_LIMIT),
    acknowledge: durations(acknowledge),
    resolve: durations(resolve),
  };
}

function durations(values: number[]): Durations {
  const sumMs = values.reduce((sum, value) => sum + value, 0);
  return {
    count: values.length,
    sumMs,
    values: values.length <= REPORT_MAX_DURATIONS ? values.sort((a, b) => a - b) : null,
  };
}

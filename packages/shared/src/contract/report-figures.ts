import type { Coverage } from '../domain/coverage.ts';
import { Severity } from '../domain/severity.ts';
import {
  REPORT_MAX_DURATIONS,
  REPORT_MAX_GROUPS,
  REPORT_NOISIEST_LIMIT,
  type Availability,
  type DeviceFigures,
  type Durations,
  type GroupFigures,
  type ReportFigures,
  type TrendPoint,
} from './reports.schemas.ts';

// Pure and browser-safe: the tiers merge with it, and a page that asks each child in turn (to show
// which nodes have answered) can merge the answers as they come, to the same figures.

export function emptyAvailability(): Availability {
  return { devices: 0, observedMs: 0, downMs: 0 };
}

export function addAvailability(into: Availability, part: Availability): void {
  into.devices += part.devices;
  into.observedMs += part.observedMs;
  into.downMs += part.downMs;
}

/** The figures of a node whose devices hold nothing for the period. */
export function emptyReportFigures(
  from: number,
  to: number,
  stepMs: number,
  coverage: Coverage,
): ReportFigures {
  return {
    from,
    to,
    stepMs,
    total: emptyAvailability(),
    previous: emptyAvailability(),
    completeness: { expectedSamples: 0, receivedSamples: 0 },
    groups: { node: [], site: [], kind: [] },
    devices: [],
    trend: [],
    alerts: {
      total: 0,
      bySeverity: { info: 0, warning: 0, critical: 0 },
      byRule: [],
      noisiestDevices: [],
      acknowledge: { count: 0, sumMs: 0, values: [] },
      resolve: { count: 0, sumMs: 0, values: [] },
    },
    objectives: [],
    coverage,
  };
}

/** Node paths in a member's figures, seen from the tier above (`prefix` + path). */
export function prefixReportFigures(figures: ReportFigures, prefix: string): ReportFigures {
  if (prefix === '') return figures;
  return {
    ...figures,
    groups: { ...figures.groups, node: figures.groups.node.map((g) => ({ ...g, key: `${prefix}${g.key}` })) },
    devices: figures.devices.map((d) => ({ ...d, nodePath: `${prefix}${d.nodePath}` })),
    alerts: {
      ...figures.alerts,
      noisiestDevices: figures.alerts.noisiestDevices.map((d) => ({
        ...d,
        nodePath: `${prefix}${d.nodePath}`,
      })),
    },
    coverage: {
      ...figures.coverage,
      nodes: figures.coverage.nodes.map((n) => ({ ...n, path: `${prefix}${n.path}` })),
    },
  };
}

/** Groups with the same key summed; in key order. */
export function sumGroups(groups: readonly GroupFigures[]): GroupFigures[] {
  const byKey = new Map<string, GroupFigures>();
  for (const group of groups) {
    const into = byKey.get(group.key);
    if (!into) byKey.set(group.key, { ...group });
    else {
      addAvailability(into, group);
      into.expectedSamples += group.expectedSamples;
      into.receivedSamples += group.receivedSamples;
    }
  }
  return [...byKey.values()]
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .slice(0, REPORT_MAX_GROUPS);
}

/** Least available first: most down time, then path and id. */
export function byDownTime(a: DeviceFigures, b: DeviceFigures): number {
  return (
    b.downMs - a.downMs ||
    (a.nodePath < b.nodePath ? -1 : a.nodePath > b.nodePath ? 1 : 0) ||
    (a.deviceId < b.deviceId ? -1 : a.deviceId > b.deviceId ? 1 : 0)
  );
}

/** Exact durations merged: sums always, the values while the cap holds. */
export function mergeDurations(parts: readonly Durations[]): Durations {
  let count = 0;
  let sumMs = 0;
  let values: number[] | null = [];
  for (const part of parts) {
    count += part.count;
    sumMs += part.sumMs;
    values = values && part.values ? values.concat(part.values) : null;
  }
  if (values && values.length > REPORT_MAX_DURATIONS) values = null;
  return { count, sumMs, values: values && values.sort((a, b) => a - b) };
}

function sumTrend(points: readonly TrendPoint[]): TrendPoint[] {
  const byAt = new Map<number, TrendPoint>();
  for (const point of points) {
    const into = byAt.get(point.at);
    if (!into) byAt.set(point.at, { ...point });
    else {
      into.observedMs += point.observedMs;
      into.downMs += point.downMs;
    }
  }
  return [...byAt.values()].sort((a, b) => a.at - b.at);
}

/**
 * The figures of several nodes as one: every figure a sum or a merged distribution, never an
 * average of averages. Device lists and noisiest devices are exact because each device belongs to
 * one node, and each node sent its own first ones in the same order. `coverage` is the merged one,
 * naming every node that did not answer (its figures are absent, not zero).
 */
export function mergeReportFigures(
  parts: readonly ReportFigures[],
  frame: { from: number; to: number; stepMs: number; deviceLimit: number },
  coverage: Coverage,
): ReportFigures {
  const merged = emptyReportFigures(frame.from, frame.to, frame.stepMs, coverage);
  for (const part of parts) {
    addAvailability(merged.total, part.total);
    addAvailability(merged.previous, part.previous);
    merged.completeness.expectedSamples += part.completeness.expectedSamples;
    merged.completeness.receivedSamples += part.completeness.receivedSamples;
    merged.alerts.total += part.alerts.total;
    for (const severity of Severity.options)
      merged.alerts.bySeverity[severity] += part.alerts.bySeverity[severity] ?? 0;
  }
  const all = <T>(of: (part: ReportFigures) => readonly T[]): T[] => parts.flatMap(of);
  merged.groups = {
    node: sumGroups(all((p) => p.groups.node)),
    site: sumGroups(all((p) => p.groups.site)),
    kind: sumGroups(all((p) => p.groups.kind)),
  };
  merged.devices = all((p) => p.devices)
    .sort(byDownTime)
    .slice(0, frame.deviceLimit);
  merged.trend = sumTrend(all((p) => p.trend));

  const rules = new Map<string, { ruleId: string; ruleName: string; count: number }>();
  for (const rule of all((p) => p.alerts.byRule)) {
    const into = rules.get(rule.ruleId);
    if (into) into.count += rule.count;
    else rules.set(rule.ruleId, { ...rule });
  }
  merged.alerts.byRule = [...rules.values()]
    .sort((a, b) => b.count - a.count || (a.ruleId < b.ruleId ? -1 : 1))
    .slice(0, REPORT_MAX_GROUPS);
  merged.alerts.noisiestDevices = all((p) => p.alerts.noisiestDevices)
    .sort(
      (a, b) =>
        b.count - a.count ||
        (a.nodePath < b.nodePath ? -1 : a.nodePath > b.nodePath ? 1 : 0) ||
        (a.deviceId < b.deviceId ? -1 : 1),
    )
    .slice(0, REPORT_NOISIEST_LIMIT);
  merged.alerts.acknowledge = mergeDurations(all((p) => [p.alerts.acknowledge]));
  merged.alerts.resolve = mergeDurations(all((p) => [p.alerts.resolve]));

  // Every node computed the same objectives, in the input's order.
  merged.objectives = (parts[0]?.objectives ?? []).map((objective, i) => {
    const current = emptyAvailability();
    const previous = emptyAvailability();
    for (const part of parts) {
      const same = part.objectives[i];
      if (!same) continue;
      addAvailability(current, same.current);
      addAvailability(previous, same.previous);
    }
    return { ...objective, current, previous };
  });
  return merged;
}

// ---------------------------------------------------------------------------------------------
// What a reader sees, derived from the mergeable figures

/** Available share of observed time, or null when nothing was observed. */
export function availabilityOf(figures: Pick<Availability, 'observedMs' | 'downMs'>): number | null {
  return figures.observedMs > 0 ? 1 - figures.downMs / figures.observedMs : null;
}

/** The nearest-rank percentile of ascending `values` (p in 0..1), or null when empty or not carried. */
export function percentile(values: readonly number[] | null, p: number): number | null {
  if (!values || values.length === 0) return null;
  const rank = Math.max(1, Math.ceil(p * values.length));
  return values[rank - 1]!;
}

export interface DurationSummary {
  count: number;
  meanMs: number | null;
  /** Null when there is nothing to rank or more durations than a report carries exactly. */
  p90Ms: number | null;
}

export function summarizeDurations(durations: Durations): DurationSummary {
  return {
    count: durations.count,
    meanMs: durations.count > 0 ? durations.sumMs / durations.count : null,
    p90Ms: percentile(durations.values, 0.9),
  };
}

export interface ObjectiveSummary {
  name: string;
  target: number;
  availability: number | null;
  previousAvailability: number | null;
  /** Null when the objective's devices were not observed at all. */
  met: boolean | null;
  /**
   * The share of the allowed down time (1 − target of observed) not used: 1 untouched, 0 used up,
   * negative when overspent.
   */
  errorBudgetLeft: number | null;
  /** Availability now minus over the previous period, when both are known. */
  trend: number | null;
}

export function summarizeObjective(objective: ReportFigures['objectives'][number]): ObjectiveSummary {
  const availability = availabilityOf(objective.current);
  const previousAvailability = availabilityOf(objective.previous);
  const allowedMs = (1 - objective.availability) * objective.current.observedMs;
  return {
    name: objective.name,
    target: objective.availability,
    availability,
    previousAvailability,
    met: availability === null ? null : availability >= objective.availability,
    errorBudgetLeft: allowedMs > 0 ? 1 - objective.current.downMs / allowedMs : null,
    trend:
      availability !== null && previousAvailability !== null ? availability - previousAvailability : null,
  };
}

export interface ReportSummary {
  availability: number | null;
  previousAvailability: number | null;
  completeness: number | null;
  acknowledge: DurationSummary;
  resolve: DurationSummary;
  objectives: ObjectiveSummary[];
  /** Nodes asked that did not answer: the report names them first. */
  missingNodes: string[];
}

/** The headline figures a report page, its CSV and its PDF show. */
export function summarizeReport(figures: ReportFigures): ReportSummary {
  const { expectedSamples, receivedSamples } = figures.completeness;
  return {
    availability: availabilityOf(figures.total),
    previousAvailability: availabilityOf(figures.previous),
    completeness: expectedSamples > 0 ? receivedSamples / expectedSamples : null,
    acknowledge: summarizeDurations(figures.alerts.acknowledge),
    resolve: summarizeDurations(figures.alerts.resolve),
    objectives: figures.objectives.map(summarizeObjective),
    missingNodes: figures.coverage.nodes.filter((n) => n.state !== 'ok').map((n) => n.path),
  };
}

import { z } from 'zod';
import { Coverage } from '../domain/coverage.ts';
import { DeviceId, NodePath } from '../domain/ids.ts';
import { Severity } from '../domain/severity.ts';
import { MAX_RANGE_MS, Timestamp } from '../domain/time.ts';
import { LabelFilter } from './devices.schemas.ts';

/**
 * Report figures are mergeable parts: sums of milliseconds and counts, exact duration lists,
 * disjoint top lists. Each node computes them over its own store and every tier merges them
 * exactly (mergeReportFigures); ratios, means and p90 are derived at the end (summarizeReport).
 * See docs/decisions/0027.
 */

/** Per figure, at most this many exact durations travel; past it the p90 is not given. */
export const REPORT_MAX_DURATIONS = 50_000;
/** Distinct sites, kinds or rules a report carries per grouping. */
export const REPORT_MAX_GROUPS = 1000;
export const REPORT_MAX_DEVICES = 500;
export const REPORT_NOISIEST_LIMIT = 10;
export const REPORT_MAX_TREND_POINTS = 400;

const Count = z.number().int().min(0);
const Ms = z.number().min(0);

/** What a device's record is matched on; every field given must match. */
export const DeviceFilters = z.object({
  kind: z.string().max(64).optional(),
  site: z.string().max(200).optional(),
  label: LabelFilter.optional(),
});

/** Devices an objective covers; every field given must match (all devices when empty). */
export const DeviceSelector = DeviceFilters.prefault({});
export type DeviceSelector = z.infer<typeof DeviceSelector>;

/** A service-level objective: the devices it covers are to be available at least `availability`. */
export const ServiceObjective = z.object({
  name: z.string().trim().min(1).max(200),
  selector: DeviceSelector,
  /** A fraction: 0.995 is 99.5 %. */
  availability: z.number().gt(0).lt(1),
});
export type ServiceObjective = z.infer<typeof ServiceObjective>;

/** The figures of [from, to); `objectives` are also computed over the period just before it. */
export const ReportFiguresInput = z
  .object({
    from: Timestamp,
    to: Timestamp,
    /** Only this node and its subtree. */
    nodePath: NodePath.optional(),
    /** Only devices with this id: with `nodePath` naming its node, one device (a drill-down). */
    deviceId: DeviceId.optional(),
    objectives: z.array(ServiceObjective).max(20).default([]),
    /** How many devices to list, least available first. */
    deviceLimit: z.number().int().min(0).max(REPORT_MAX_DEVICES).default(20),
  })
  .refine((r) => r.from < r.to, { message: '"from" must be before "to"', path: ['from'] })
  .refine((r) => r.to - r.from <= MAX_RANGE_MS, { message: 'a report spans at most 400 days', path: ['to'] });
export type ReportFiguresInput = z.infer<typeof ReportFiguresInput>;

/** Time observed and time down, summed over devices (ms); available = 1 − down / observed. */
export const Availability = z.object({
  devices: Count,
  observedMs: Ms,
  downMs: Ms,
});
export type Availability = z.infer<typeof Availability>;

/** One group of devices (a node, a site or a kind): availability and data completeness. */
export const GroupFigures = Availability.extend({
  /** The node path, site or kind; '' for devices with no site or kind set. */
  key: z.string().max(1000),
  expectedSamples: Ms,
  receivedSamples: Count,
});
export type GroupFigures = z.infer<typeof GroupFigures>;

export const DeviceFigures = GroupFigures.omit({ key: true }).extend({
  nodePath: NodePath,
  deviceId: DeviceId,
  name: z.string().max(200),
  kind: z.string().max(64),
  site: z.string().max(200),
});
export type DeviceFigures = z.infer<typeof DeviceFigures>;

export const TrendPoint = Availability.omit({ devices: true }).extend({ at: Timestamp });
export type TrendPoint = z.infer<typeof TrendPoint>;

/**
 * Durations of the alerts that fired in the period (ms): `count` and `sumMs` always, `values`
 * exact and ascending while there are at most REPORT_MAX_DURATIONS of them, else null.
 */
export const Durations = z.object({
  count: Count,
  sumMs: Ms,
  values: z.array(Ms).max(REPORT_MAX_DURATIONS).nullable(),
});
export type Durations = z.infer<typeof Durations>;

export const RuleAlertCount = z.object({
  ruleId: z.string().max(200),
  ruleName: z.string().max(200),
  count: Count,
});
export type RuleAlertCount = z.infer<typeof RuleAlertCount>;

export const DeviceAlertCount = z.object({ nodePath: NodePath, deviceId: DeviceId, count: Count });
export type DeviceAlertCount = z.infer<typeof DeviceAlertCount>;

export const AlertFigures = z.object({
  /** Alerts that fired in the period. */
  total: Count,
  bySeverity: z.record(Severity, Count),
  /** Every rule that fired, most first (a rule runs on many nodes: its counts are summed). */
  byRule: z.array(RuleAlertCount).max(REPORT_MAX_GROUPS),
  /** The devices whose alerts fired most; exact, since every device belongs to one node. */
  noisiestDevices: z.array(DeviceAlertCount).max(REPORT_NOISIEST_LIMIT),
  /** From firing to the acknowledgement, for those acknowledged. */
  acknowledge: Durations,
  /** From firing to the resolution, for those resolved. */
  resolve: Durations,
});
export type AlertFigures = z.infer<typeof AlertFigures>;

export const ObjectiveFigures = z.object({
  name: z.string().max(200),
  selector: DeviceSelector,
  availability: z.number(),
  current: Availability,
  previous: Availability,
});
export type ObjectiveFigures = z.infer<typeof ObjectiveFigures>;

export const ReportFigures = z.object({
  from: Timestamp,
  to: Timestamp,
  /** The width of a trend point; the same at every node for the same period (trendStepMs). */
  stepMs: z.number().int().min(1),
  total: Availability,
  /** The same figure over the period just before, as long as this one. */
  previous: Availability,
  completeness: z.object({ expectedSamples: Ms, receivedSamples: Count }),
  groups: z.object({
    node: z.array(GroupFigures).max(REPORT_MAX_GROUPS),
    site: z.array(GroupFigures).max(REPORT_MAX_GROUPS),
    kind: z.array(GroupFigures).max(REPORT_MAX_GROUPS),
  }),
  /** Least available first (most down time), at most the input's `deviceLimit`. */
  devices: z.array(DeviceFigures).max(REPORT_MAX_DEVICES),
  trend: z.array(TrendPoint).max(REPORT_MAX_TREND_POINTS),
  alerts: AlertFigures,
  objectives: z.array(ObjectiveFigures).max(20),
  /** Which nodes answered: a node that did not is named here and is in none of the figures. */
  coverage: Coverage,
});
export type ReportFigures = z.infer<typeof ReportFigures>;

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** The trend's step for a period: hours up to two days, days up to 120, weeks beyond. */
export function trendStepMs(from: number, to: number): number {
  const span = to - from;
  if (span <= 2 * DAY_MS) return HOUR_MS;
  if (span <= 120 * DAY_MS) return DAY_MS;
  return 7 * DAY_MS;
}

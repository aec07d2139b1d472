import type {
  FleetMetricAnswer,
  FleetMetricInput,
  FleetSeries,
  Panel,
  PanelQuery,
  Threshold,
  ThresholdLevel,
} from '@tierscope/shared/schemas';
import { FLEET_MAX_BUCKETS, FLEET_RAW_MAX_RANGE_MS, isQuantile } from '@tierscope/shared/schemas';

/** The dashboard's variables: each one set replaces that selector in every panel's query. */
export interface DashboardVariables {
  site?: string | undefined;
  kind?: string | undefined;
  /** A subtree: the node path. */
  node?: string | undefined;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
/** About this many points per series when a panel names no step. */
const TARGET_POINTS = 120;

/**
 * The step a panel's query uses over a range: its own, else one for about 120 points, in whole
 * minutes (rollups answer it) and never more buckets than the contract allows. A quantile panel
 * naming no step takes whole hours over a range longer than 6 h: the nodes then read their hour
 * sketches instead of every raw sample of the range (docs/decisions/0028).
 */
export function stepFor(
  range: { from: number; to: number },
  stepMs: number | undefined,
  options: { quantile?: boolean } = {},
): number {
  const span = range.to - range.from;
  const wanted = stepMs ?? span / TARGET_POINTS;
  // One bucket more than the span holds: the frame widens to whole steps.
  const least = span / (FLEET_MAX_BUCKETS - 1);
  const step = Math.max(wanted, least);
  const unit =
    options.quantile && stepMs === undefined && span > FLEET_RAW_MAX_RANGE_MS ? HOUR_MS : MINUTE_MS;
  return Math.max(unit, Math.ceil(step / unit) * unit);
}

/**
 * The `metrics.fleet` input a panel asks over a range. A single stat shows one figure for the
 * whole selection, so it is never grouped.
 */
export function fleetInputOf(
  panel: { kind: Panel['kind']; query: PanelQuery },
  variables: DashboardVariables,
  range: { from: number; to: number },
): FleetMetricInput {
  const { query } = panel;
  const nodePath = variables.node ?? query.nodePath;
  const kind = variables.kind ?? query.kind;
  const site = variables.site ?? query.site;
  return {
    ...(nodePath && { nodePath }),
    ...(kind && { kind }),
    ...(site && { site }),
    ...(query.devicePattern && { devicePattern: query.devicePattern }),
    labels: query.labels,
    metric: query.metric,
    aggregation: query.aggregation,
    groupBy: panel.kind === 'stat' ? { by: 'none' } : query.groupBy,
    from: range.from,
    to: range.to,
    stepMs: stepFor(range, query.stepMs, { quantile: isQuantile(query.aggregation) }),
  };
}

/** How a series is named on a chart: the device for top devices, "all" for the whole selection. */
export function seriesName(series: FleetSeries): string {
  if (series.device) return series.device.deviceId;
  return series.key === '' ? 'all' : series.key;
}

/** The level a single stat shows: the highest threshold at or below the value; `ok` below them all. */
export function thresholdLevel(thresholds: readonly Threshold[], value: number): ThresholdLevel {
  let level: ThresholdLevel = 'ok';
  for (const threshold of thresholds) if (value >= threshold.value) level = threshold.level;
  return level;
}

/** The figure a single stat shows: the aggregation over the whole range and selection. */
export function statValue(answer: FleetMetricAnswer): number | undefined {
  return answer.series[0]?.total;
}

/** Table rows: each series' whole-range figure and its latest bucket's. */
export function tableRows(
  answer: FleetMetricAnswer,
): { name: string; total: number; latest: number | undefined; at: number | undefined }[] {
  return answer.series.map((series) => {
    const last = series.points.at(-1);
    return { name: seriesName(series), total: series.total, latest: last?.value, at: last?.at };
  });
}

// The dashboards that ship with the product: the fleet overview and one per device kind the demo's
// simulator runs (apps/simulator/src/device-kinds.ts names their metrics), made at start when missing.
import { DashboardDocument, type DashboardDocumentInput, type PanelInput } from '@tierscope/shared';
import type { Logger } from 'pino';
import type { DashboardStore } from './dashboard-store.ts';

interface KindDashboard {
  kind: string;
  title: string;
  /** The headline metric: a time series by site and a single stat with its thresholds. */
  headline: { metric: string; unit: string; warning: number; critical: number };
  /** Ranked top 10 devices, a table by site and a heatmap by site. */
  ranked: { metric: string; unit: string };
  tabled: { metric: string; unit: string };
  mapped: { metric: string; unit: string };
}

const KIND_DASHBOARDS: readonly KindDashboard[] = [
  {
    kind: 'thermostat',
    title: 'Thermostats',
    headline: { metric: 'temperature_c', unit: '°C', warning: 26, critical: 28 },
    ranked: { metric: 'heating_pct', unit: '%' },
    tabled: { metric: 'humidity_pct', unit: '%' },
    mapped: { metric: 'setpoint_c', unit: '°C' },
  },
  {
    kind: 'power-meter',
    title: 'Power meters',
    headline: { metric: 'power_kw', unit: 'kW', warning: 20, critical: 24 },
    ranked: { metric: 'power_kw', unit: 'kW' },
    tabled: { metric: 'voltage_v', unit: 'V' },
    mapped: { metric: 'power_factor', unit: '' },
  },
  {
    kind: 'air-quality',
    title: 'Air quality',
    headline: { metric: 'co2_ppm', unit: 'ppm', warning: 1000, critical: 1400 },
    ranked: { metric: 'pm25_ugm3', unit: 'µg/m³' },
    tabled: { metric: 'voc_ppb', unit: 'ppb' },
    mapped: { metric: 'co2_ppm', unit: 'ppm' },
  },
  {
    kind: 'pump',
    title: 'Pumps',
    headline: { metric: 'vibration_mm_s', unit: 'mm/s', warning: 4.5, critical: 7.1 },
    ranked: { metric: 'motor_temp_c', unit: '°C' },
    tabled: { metric: 'pressure_bar', unit: 'bar' },
    mapped: { metric: 'flow_m3h', unit: 'm³/h' },
  },
];

const everyone = { visibility: 'shared', minRole: 'viewer' } as const;

function kindDashboard(spec: KindDashboard): DashboardDocumentInput {
  const { kind, headline, ranked, tabled, mapped } = spec;
  const panels: PanelInput[] = [
    {
      id: 'headline-by-site',
      title: `${headline.metric}: mean by site`,
      kind: 'timeseries',
      query: { kind, metric: headline.metric, aggregation: 'avg', groupBy: { by: 'site' } },
      grid: { x: 0, y: 0, w: 8, h: 8 },
      unit: headline.unit,
    },
    {
      id: 'headline-max',
      title: `${headline.metric}: highest`,
      kind: 'stat',
      query: { kind, metric: headline.metric, aggregation: 'max' },
      grid: { x: 8, y: 0, w: 4, h: 8 },
      unit: headline.unit,
      thresholds: [
        { value: headline.warning, level: 'warning' },
        { value: headline.critical, level: 'critical' },
      ],
    },
    {
      id: 'ranked-top',
      title: `${ranked.metric}: top 10 devices`,
      kind: 'bar',
      query: { kind, metric: ranked.metric, aggregation: 'max', groupBy: { by: 'top', limit: 10 } },
      grid: { x: 0, y: 8, w: 6, h: 8 },
      unit: ranked.unit,
    },
    {
      id: 'tabled-by-site',
      title: `${tabled.metric}: p90 by site`,
      kind: 'table',
      query: { kind, metric: tabled.metric, aggregation: 'p90', groupBy: { by: 'site' } },
      grid: { x: 6, y: 8, w: 6, h: 8 },
      unit: tabled.unit,
    },
    {
      id: 'mapped-heatmap',
      title: `${mapped.metric}: mean by site over time`,
      kind: 'heatmap',
      query: { kind, metric: mapped.metric, aggregation: 'avg', groupBy: { by: 'site' } },
      grid: { x: 0, y: 16, w: 12, h: 8 },
      unit: mapped.unit,
    },
  ];
  return {
    title: spec.title,
    description: `Every ${kind} the fleet has, by site; the highest ${headline.metric} against its thresholds.`,
    sharing: everyone,
    range: '1h',
    panels,
  };
}

const FLEET_OVERVIEW: DashboardDocumentInput = {
  title: 'Fleet overview',
  description: 'Temperatures, power and air across every site and kind.',
  sharing: everyone,
  range: '1h',
  panels: [
    {
      id: 'temperature-by-site',
      title: 'Temperature: mean by site',
      kind: 'timeseries',
      query: { metric: 'temperature_c', aggregation: 'avg', groupBy: { by: 'site' } },
      grid: { x: 0, y: 0, w: 8, h: 8 },
      unit: '°C',
    },
    {
      id: 'co2-max',
      title: 'CO2: highest',
      kind: 'stat',
      query: { metric: 'co2_ppm', aggregation: 'max' },
      grid: { x: 8, y: 0, w: 4, h: 8 },
      unit: 'ppm',
      thresholds: [
        { value: 1000, level: 'warning' },
        { value: 1400, level: 'critical' },
      ],
    },
    {
      id: 'power-by-node',
      title: 'Power: total by node',
      kind: 'timeseries',
      query: { metric: 'power_kw', aggregation: 'sum', groupBy: { by: 'node' } },
      grid: { x: 0, y: 8, w: 6, h: 8 },
      unit: 'kW',
    },
    {
      id: 'co2-top',
      title: 'CO2: top 10 devices',
      kind: 'bar',
      query: { metric: 'co2_ppm', aggregation: 'max', groupBy: { by: 'top', limit: 10 } },
      grid: { x: 6, y: 8, w: 6, h: 8 },
      unit: 'ppm',
    },
    {
      id: 'temperature-by-kind',
      title: 'Temperature: p90 by kind',
      kind: 'table',
      query: { metric: 'temperature_c', aggregation: 'p90', groupBy: { by: 'kind' } },
      grid: { x: 0, y: 16, w: 6, h: 7 },
      unit: '°C',
    },
    {
      id: 'samples-heatmap',
      title: 'Temperature samples by site',
      kind: 'heatmap',
      query: { metric: 'temperature_c', aggregation: 'count', groupBy: { by: 'site' } },
      grid: { x: 6, y: 16, w: 6, h: 7 },
    },
  ],
};

/** Seed name → document: `fleet-overview` and `kind-<kind>` for each demo kind. */
export const SEEDED_DASHBOARDS: ReadonlyMap<string, DashboardDocument> = new Map([
  ['fleet-overview', DashboardDocument.parse(FLEET_OVERVIEW)],
  ...KIND_DASHBOARDS.map(
    (spec) => [`kind-${spec.kind}`, DashboardDocument.parse(kindDashboard(spec))] as const,
  ),
]);

/**
 * Makes each shipped dashboard that is missing (a fresh database, or one an admin deleted), owned
 * by the product and shown to every viewer; one already there is left as it is, edits included.
 * Safe with several replicas starting at once (the seed name is unique).
 */
export async function seedDashboards(
  store: DashboardStore,
  now: () => number,
  logger: Logger,
): Promise<string[]> {
  const present = await store.seeds();
  const made: string[] = [];
  for (const [seed, document] of SEEDED_DASHBOARDS) {
    if (present.has(seed)) continue;
    if ((await store.insert(null, document, new Date(now()), seed)) !== undefined) made.push(seed);
  }
  if (made.length > 0) logger.info({ made }, 'shipped dashboards made');
  return made;
}

// Dashboards operators build: saved in the BFF's database, each panel bound to one `metrics.fleet`
// query (docs/decisions/0035-dashboards.md).
import { z } from 'zod';
import { NodePath, MetricName } from '../domain/ids.ts';
import { Role } from '../domain/roles.ts';
import { Timestamp } from '../domain/time.ts';
import { LabelFilter } from './devices.schemas.ts';
import { FleetAggregation, FleetGrouping } from './fleet-metrics.schemas.ts';

export const DashboardId = z.number().int().positive();
export type DashboardId = z.infer<typeof DashboardId>;

export const PANEL_KINDS = ['timeseries', 'stat', 'bar', 'table', 'heatmap'] as const;
export const PanelKind = z.enum(PANEL_KINDS);
export type PanelKind = z.infer<typeof PanelKind>;

/** Columns of the dashboard grid; a panel's x + w stays within them. */
export const DASHBOARD_COLUMNS = 12;
export const DASHBOARD_MAX_PANELS = 30;
/** The time ranges a dashboard opens with (the URL's `range` may name another). */
export const DashboardRange = z.enum(['1h', '24h', '7d', '30d']);
export type DashboardRange = z.infer<typeof DashboardRange>;

/**
 * The fleet query a panel is bound to: `metrics.fleet`'s input without the time range, which
 * comes from the dashboard. No `stepMs` means one that gives about 120 points over the range.
 */
export const PanelQuery = z.object({
  nodePath: NodePath.optional(),
  kind: z.string().min(1).max(64).optional(),
  site: z.string().min(1).max(200).optional(),
  labels: z.array(LabelFilter).max(10).default([]),
  devicePattern: z.string().min(1).max(128).optional(),
  metric: MetricName,
  aggregation: FleetAggregation,
  groupBy: FleetGrouping.default({ by: 'none' }),
  stepMs: z.number().int().min(60_000).max(86_400_000).optional(),
});
export type PanelQuery = z.infer<typeof PanelQuery>;

/** Where a panel sits on the grid, in columns and rows. */
export const PanelGrid = z
  .object({
    x: z
      .number()
      .int()
      .min(0)
      .max(DASHBOARD_COLUMNS - 1),
    y: z.number().int().min(0).max(1000),
    w: z.number().int().min(1).max(DASHBOARD_COLUMNS),
    h: z.number().int().min(2).max(24),
  })
  .refine((g) => g.x + g.w <= DASHBOARD_COLUMNS, {
    message: `a panel ends within the ${DASHBOARD_COLUMNS} columns (x + w ≤ ${DASHBOARD_COLUMNS})`,
    path: ['w'],
  });
export type PanelGrid = z.infer<typeof PanelGrid>;

export const ThresholdLevel = z.enum(['ok', 'warning', 'critical']);
export type ThresholdLevel = z.infer<typeof ThresholdLevel>;

/** From `value` up, the stat shows `level` (the highest threshold not above the value wins). */
export const Threshold = z.object({ value: z.number(), level: ThresholdLevel });
export type Threshold = z.infer<typeof Threshold>;

export const Panel = z.object({
  /** Unique within the dashboard; the grid tracks panels by it. */
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'panel id: 1–40 of a-z, 0-9, "-"'),
  title: z.string().trim().min(1).max(120),
  kind: PanelKind,
  query: PanelQuery,
  grid: PanelGrid,
  unit: z.string().max(20).optional(),
  /** Single stats colour by these, in ascending order of value. */
  thresholds: z
    .array(Threshold)
    .max(10)
    .default([])
    .refine((list) => list.every((t, i) => i === 0 || list[i - 1]!.value < t.value), {
      message: 'thresholds: in ascending order of value, each value once',
    }),
});
export type Panel = z.infer<typeof Panel>;
export type PanelInput = z.input<typeof Panel>;

/** Private to its owner, or shared with everyone holding at least `minRole` (within their scope). */
export const DashboardSharing = z.discriminatedUnion('visibility', [
  z.object({ visibility: z.literal('private') }),
  z.object({ visibility: z.literal('shared'), minRole: Role }),
]);
export type DashboardSharing = z.infer<typeof DashboardSharing>;

/** What a dashboard is, without who owns it: what is saved, exported and imported. */
export const DashboardDocument = z
  .object({
    title: z.string().trim().min(1).max(200),
    description: z.string().max(1000).default(''),
    sharing: DashboardSharing.default({ visibility: 'private' }),
    range: DashboardRange.default('1h'),
    /** How often the wall mode asks again. */
    refreshSeconds: z.number().int().min(5).max(3600).default(30),
    panels: z.array(Panel).max(DASHBOARD_MAX_PANELS),
  })
  .refine((d) => new Set(d.panels.map((p) => p.id)).size === d.panels.length, {
    message: 'panel ids: each one once',
    path: ['panels'],
  });
export type DashboardDocument = z.infer<typeof DashboardDocument>;
export type DashboardDocumentInput = z.input<typeof DashboardDocument>;

export const DashboardOwner = z.object({
  /** Null for the dashboards that ship with the product. */
  userId: z.number().int().positive().nullable(),
  name: z.string(),
});

export const Dashboard = z.object({
  id: DashboardId,
  owner: DashboardOwner,
  /** Counts saves from 1; a save names the version it changes, so two editors never overwrite each other. */
  version: z.number().int().min(1),
  updatedAt: Timestamp,
  /** Set for the dashboards the product ships: `fleet-overview`, `kind-<kind>`. */
  seed: z.string().nullable(),
  /** Whether the caller may save or delete it: its owner, or an admin. */
  editable: z.boolean(),
  document: DashboardDocument,
});
export type Dashboard = z.infer<typeof Dashboard>;

export const DashboardSummary = Dashboard.omit({ document: true }).extend({
  title: z.string(),
  sharing: DashboardSharing,
  panels: z.number().int().min(0),
});
export type DashboardSummary = z.infer<typeof DashboardSummary>;

export const SaveDashboardInput = z.object({
  /** Unset: a new dashboard, owned by the caller. */
  id: DashboardId.optional(),
  /** With `id`: the version the caller changed; a newer one saved meanwhile is a conflict. */
  version: z.number().int().min(1).optional(),
  document: DashboardDocument,
});
export type SaveDashboardInput = z.input<typeof SaveDashboardInput>;

/** An exported dashboard (a `Dashboard` as `get` returns it) or a bare document, as JSON text. */
export const ImportDashboardInput = z.object({
  json: z
    .string()
    .min(2)
    .max(512 * 1024),
});
export type ImportDashboardInput = z.infer<typeof ImportDashboardInput>;

export const DashboardIdInput = z.object({ id: DashboardId });

import { FleetAggregation, Panel, type PanelKind } from '@tierscope/shared/schemas';

/** The panel editor's fields, as typed. */
export interface PanelDraft {
  id: string;
  title: string;
  kind: PanelKind;
  metric: string;
  aggregation: FleetAggregation;
  groupBy: 'none' | 'node' | 'site' | 'kind' | 'label' | 'top';
  label: string;
  topLimit: string;
  kindFilter: string;
  site: string;
  nodePath: string;
  devicePattern: string;
  labels: string;
  unit: string;
  warning: string;
  critical: string;
  grid: Panel['grid'];
}

export const PANEL_KIND_LABELS: Record<PanelKind, string> = {
  timeseries: 'Time series',
  stat: 'Single stat',
  bar: 'Top-N bar',
  table: 'Table',
  heatmap: 'Heatmap',
};

export const GROUPING_LABELS: Record<PanelDraft['groupBy'], string> = {
  none: 'Whole selection',
  node: 'By node',
  site: 'By site',
  kind: 'By kind',
  label: 'By label',
  top: 'Top devices',
};

export const AGGREGATIONS = FleetAggregation.options;

export function draftOf(panel: Panel): PanelDraft {
  const { query } = panel;
  const warning = panel.thresholds.find((t) => t.level === 'warning');
  const critical = panel.thresholds.find((t) => t.level === 'critical');
  return {
    id: panel.id,
    title: panel.title,
    kind: panel.kind,
    metric: query.metric,
    aggregation: query.aggregation,
    groupBy: query.groupBy.by,
    label: query.groupBy.by === 'label' ? query.groupBy.label : '',
    topLimit: query.groupBy.by === 'top' ? String(query.groupBy.limit) : '10',
    kindFilter: query.kind ?? '',
    site: query.site ?? '',
    nodePath: query.nodePath ?? '',
    devicePattern: query.devicePattern ?? '',
    labels: query.labels.join(', '),
    unit: panel.unit ?? '',
    warning: warning ? String(warning.value) : '',
    critical: critical ? String(critical.value) : '',
    grid: panel.grid,
  };
}

/** A new panel's draft, placed below every panel there is. */
export function newPanelDraft(existing: readonly Panel[]): PanelDraft {
  const taken = new Set(existing.map((p) => p.id));
  let n = existing.length + 1;
  while (taken.has(`panel-${n}`)) n += 1;
  const bottom = Math.max(0, ...existing.map((p) => p.grid.y + p.grid.h));
  return {
    id: `panel-${n}`,
    title: '',
    kind: 'timeseries',
    metric: '',
    aggregation: 'avg',
    groupBy: 'none',
    label: '',
    topLimit: '10',
    kindFilter: '',
    site: '',
    nodePath: '',
    devicePattern: '',
    labels: '',
    unit: '',
    warning: '',
    critical: '',
    grid: { x: 0, y: bottom, w: 6, h: 8 },
  };
}

const optional = (text: string) => (text.trim() === '' ? undefined : text.trim());

function groupingOf(draft: PanelDraft): unknown {
  if (draft.groupBy === 'label') return { by: 'label', label: draft.label.trim() };
  if (draft.groupBy === 'top') return { by: 'top', limit: Number(draft.topLimit) };
  return { by: draft.groupBy };
}

function thresholdsOf(draft: PanelDraft): unknown[] {
  const levels = [
    { value: optional(draft.warning), level: 'warning' },
    { value: optional(draft.critical), level: 'critical' },
  ];
  return levels.filter((t) => t.value !== undefined).map((t) => ({ value: Number(t.value), level: t.level }));
}

/** The draft as a panel, or every problem, each with the field it is in. */
export function panelOfDraft(draft: PanelDraft): { panel: Panel } | { problems: string[] } {
  const parsed = Panel.safeParse({
    id: draft.id,
    title: draft.title,
    kind: draft.kind,
    query: {
      metric: draft.metric.trim(),
      aggregation: draft.aggregation,
      groupBy: groupingOf(draft),
      kind: optional(draft.kindFilter),
      site: optional(draft.site),
      nodePath: optional(draft.nodePath),
      devicePattern: optional(draft.devicePattern),
      labels: draft.labels
        .split(',')
        .map((l) => l.trim())
        .filter((l) => l !== ''),
    },
    grid: draft.grid,
    unit: optional(draft.unit),
    thresholds: draft.kind === 'stat' ? thresholdsOf(draft) : [],
  });
  if (parsed.success) return { panel: parsed.data };
  return {
    problems: parsed.error.issues.map(
      (issue) => `${FIELD_NAMES[issue.path.join('.')] ?? issue.path.join('.')}: ${issue.message}`,
    ),
  };
}

const FIELD_NAMES: Record<string, string> = {
  title: 'Title',
  'query.metric': 'Metric',
  'query.groupBy.label': 'Label key',
  'query.groupBy.limit': 'Top devices',
  'query.nodePath': 'Subtree',
  'query.devicePattern': 'Device pattern',
  thresholds: 'Thresholds',
  'thresholds.0.value': 'Warning from',
  'thresholds.1.value': 'Critical from',
};

import type { Severity } from '@tierscope/shared/domain';
import type { Alert, AlertState } from '@tierscope/shared/schemas';

/** The state filter as the alerts page offers it: `firing` takes flapping alerts too (they fire once). */
export const STATE_FILTERS = ['open', 'firing', 'flapping', 'pending', 'resolved'] as const;
export type StateFilter = (typeof STATE_FILTERS)[number];

export const STATE_FILTER_LABELS: Record<StateFilter, string> = {
  open: 'Open',
  firing: 'Firing or flapping',
  flapping: 'Flapping',
  pending: 'Pending',
  resolved: 'Resolved',
};

const STATES: Record<StateFilter, AlertState[]> = {
  open: ['pending', 'firing', 'flapping'],
  firing: ['firing', 'flapping'],
  flapping: ['flapping'],
  pending: ['pending'],
  resolved: ['resolved'],
};

/** What the alerts page filters on; every field is optional in the URL. */
export interface AlertFilters {
  state?: StateFilter | undefined;
  severity?: Severity | undefined;
  /** Owned by this node or beneath it. */
  node?: string | undefined;
  device?: string | undefined;
  /** Words in the summary, rule name or device id. */
  q?: string | undefined;
}

export function statesOf(state: StateFilter | undefined): AlertState[] {
  return STATES[state ?? 'open'];
}

/** The filters as `alerts.list` takes them. */
export function listInputOf(filters: AlertFilters) {
  return {
    states: statesOf(filters.state),
    ...(filters.severity && { severity: filters.severity }),
    ...(filters.node && { nodePath: filters.node }),
    ...(filters.device && { deviceId: filters.device }),
    ...(filters.q && { search: filters.q }),
  };
}

/**
 * The same filters in the browser, over the live store, with the server's meaning: the node is a
 * subtree, the text a case-insensitive substring of the summary, rule name or device id.
 */
export function matchesFilters(alert: Alert, filters: AlertFilters): boolean {
  if (!statesOf(filters.state).includes(alert.state)) return false;
  if (filters.severity && alert.severity !== filters.severity) return false;
  if (filters.device && alert.deviceId !== filters.device) return false;
  if (filters.node && alert.nodePath !== filters.node && !alert.nodePath.startsWith(`${filters.node}/`))
    return false;
  if (filters.q) {
    const needle = filters.q.toLowerCase();
    if (![alert.summary, alert.ruleName, alert.deviceId ?? ''].some((s) => s.toLowerCase().includes(needle)))
      return false;
  }
  return true;
}

/** The URL of the alerts page with these filters (links from the overview and the device page). */
export function alertsSearchOf(filters: AlertFilters): Record<string, string> {
  const search: Record<string, string> = {};
  for (const [key, value] of Object.entries(filters))
    if (typeof value === 'string' && value !== '' && !(key === 'state' && value === 'open'))
      search[key] = value;
  return search;
}

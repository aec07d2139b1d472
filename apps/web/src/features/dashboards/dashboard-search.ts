import type { DashboardRange } from '@tierscope/shared/schemas';
import { parseRangeSearch, type RangeSearch, type RangeSelection } from '../../lib/time-range.ts';
import type { DashboardVariables } from './panel-query.ts';

/** A dashboard's URL: its time range (`range`, or `from`/`to`) and variables (`site`, `kind`, `node`). */
export interface DashboardSearch extends RangeSearch {
  site?: string | undefined;
  kind?: string | undefined;
  node?: string | undefined;
}

export const DASHBOARD_SEARCH_KEYS = ['range', 'from', 'to', 'site', 'kind', 'node'] as const;

const text = (value: unknown) =>
  typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;

export function variablesOf(search: DashboardSearch): DashboardVariables {
  return { site: text(search.site), kind: text(search.kind), node: text(search.node) };
}

/** The URL's range, else the one the dashboard opens with. */
export function rangeOf(search: DashboardSearch, fallback: DashboardRange): RangeSelection {
  return parseRangeSearch(search, fallback);
}

/** Wall mode: `?rotate=3,7&every=30` shows dashboards 3 and 7 in turn, 30 s each (at least 10 s). */
export interface WallRotation {
  ids: number[];
  everyMs: number;
}

const DEFAULT_EVERY_S = 30;
const LEAST_EVERY_S = 10;

export function rotationOf(search: { rotate?: unknown; every?: unknown }, current: number): WallRotation {
  const ids =
    typeof search.rotate === 'string'
      ? search.rotate
          .split(',')
          .map((part) => Number(part.trim()))
          .filter((id) => Number.isInteger(id) && id > 0)
      : [];
  const every = Number(search.every);
  const seconds = Number.isFinite(every) && every >= LEAST_EVERY_S ? every : DEFAULT_EVERY_S;
  return { ids: ids.length > 0 ? [...new Set(ids)] : [current], everyMs: seconds * 1000 };
}

/** The dashboard after `current` in the rotation (the first when `current` is not in it). */
export function nextInRotation(rotation: WallRotation, current: number): number {
  const at = rotation.ids.indexOf(current);
  return rotation.ids[(at + 1) % rotation.ids.length] ?? current;
}

/** A dashboard's number from its address (`/dashboards/7`); undefined for anything else. */
export function dashboardIdOf(param: string): number | undefined {
  const id = Number(param);
  return Number.isInteger(id) && id > 0 ? id : undefined;
}

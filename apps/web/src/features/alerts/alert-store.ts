import { compareAlerts } from '@tierscope/shared/order';
import type { Alert, AlertChange } from '@tierscope/shared/schemas';

/** One alert as the console last heard of it. */
export interface LiveAlert {
  alert: Alert;
  /** When a parent marked it stale (the owner went silent); null while it is fresh. */
  staleSince: number | null;
}

/**
 * Every alert the console knows, by owner and id, kept current by `alerts.watch`. Resolved
 * alerts stay for a while (MAX_RESOLVED_KEPT): they make an older copy from a list lose against
 * the resolution the stream already delivered.
 */
export interface LiveAlerts {
  byKey: ReadonlyMap<string, LiveAlert>;
  /** The stream's last event id: where a resumed stream continues. */
  lastEventId: string | null;
}

/** One item of the stream: a change and, when the stream tracks it, the id to resume after it. */
export interface StreamItem {
  id?: string | undefined;
  change: AlertChange;
}

export const EMPTY_LIVE_ALERTS: LiveAlerts = { byKey: new Map(), lastEventId: null };

/** Resolved alerts kept beside the open ones, newest first. */
export const MAX_RESOLVED_KEPT = 500;

/** An alert's identity across tiers: ids are minted per owner, so the owner's path is part of it. */
export function alertKey(alert: Pick<Alert, 'nodePath' | 'id'>): string {
  return `${alert.nodePath}\u0000${alert.id}`;
}

export function isOpen(alert: Pick<Alert, 'state'>): boolean {
  return alert.state !== 'resolved';
}

/** Firing and flapping: what the overview counts and the title badge announces. */
export function isFiring(alert: Pick<Alert, 'state'>): boolean {
  return alert.state === 'firing' || alert.state === 'flapping';
}

/**
 * The store after a batch of stream items. The stream sends each alert's changes in order, so a
 * change replaces what is known unless what is known is strictly newer (a list answer that
 * overtook the stream's opening snapshot). `stale` and `fresh` keep `updatedAt` and flip the mark.
 */
export function applyStreamItems(state: LiveAlerts, items: readonly StreamItem[]): LiveAlerts {
  if (items.length === 0) return state;
  const byKey = new Map(state.byKey);
  let lastEventId = state.lastEventId;
  for (const { id, change } of items) {
    if (id !== undefined) lastEventId = id;
    const key = alertKey(change.alert);
    const known = byKey.get(key);
    if (known && known.alert.updatedAt > change.alert.updatedAt) continue;
    const staleSince =
      change.kind === 'stale'
        ? (known?.staleSince ?? change.at)
        : change.alert.stale
          ? (known?.staleSince ?? null)
          : null;
    byKey.set(key, { alert: change.alert, staleSince });
  }
  return { byKey: pruneResolved(byKey), lastEventId };
}

/**
 * The store with alerts from a list answer (`alerts.list`) or a mutation's answer merged in.
 * A list may have been answered before a change the stream already delivered: it replaces only
 * what is strictly older. A mutation's answer is the newest word on that alert (`confirmed`).
 */
export function mergeAlerts(
  state: LiveAlerts,
  alerts: readonly Alert[],
  source: 'list' | 'confirmed' = 'list',
): LiveAlerts {
  if (alerts.length === 0) return state;
  const byKey = new Map(state.byKey);
  for (const alert of alerts) {
    const key = alertKey(alert);
    const known = byKey.get(key);
    if (known) {
      const newer =
        alert.updatedAt > known.alert.updatedAt ||
        (source === 'confirmed' && alert.updatedAt === known.alert.updatedAt);
      if (!newer) continue;
    }
    byKey.set(key, {
      alert: source === 'confirmed' && known ? { ...alert, stale: known.alert.stale } : alert,
      staleSince: known?.staleSince ?? null,
    });
  }
  return { ...state, byKey: pruneResolved(byKey) };
}

/** Keeps every open alert and the newest MAX_RESOLVED_KEPT resolved ones. */
function pruneResolved(byKey: Map<string, LiveAlert>): Map<string, LiveAlert> {
  let resolved = 0;
  for (const entry of byKey.values()) if (!isOpen(entry.alert)) resolved++;
  if (resolved <= MAX_RESOLVED_KEPT) return byKey;
  const oldest = [...byKey]
    .filter(([, entry]) => !isOpen(entry.alert))
    .sort(([, a], [, b]) => a.alert.updatedAt - b.alert.updatedAt)
    .slice(0, resolved - MAX_RESOLVED_KEPT);
  for (const [key] of oldest) byKey.delete(key);
  return byKey;
}

/** The known alerts that `keep` selects, in the contract's order. */
export function selectAlerts(state: LiveAlerts, keep: (alert: Alert) => boolean): LiveAlert[] {
  return [...state.byKey.values()]
    .filter((entry) => keep(entry.alert))
    .sort((a, b) => compareAlerts(a.alert, b.alert));
}

/** A change counts as news only when it happened this recently (the opening snapshot is old news). */
export const NEWS_WINDOW_MS = 60_000;

/**
 * Critical alerts that started firing in this batch: not firing in `before`, firing now, and
 * changed within NEWS_WINDOW_MS of `now` — not the open alerts a fresh stream starts with.
 */
export function newCriticalAlerts(before: LiveAlerts, items: readonly StreamItem[], now: number): Alert[] {
  const news = new Map<string, Alert>();
  for (const { change } of items) {
    const { alert } = change;
    if (alert.severity !== 'critical' || (change.kind !== 'fired' && change.kind !== 'flapping')) continue;
    if (now - change.at > NEWS_WINDOW_MS) continue;
    const known = before.byKey.get(alertKey(alert));
    if (known && isFiring(known.alert)) continue;
    news.set(alertKey(alert), alert);
  }
  return [...news.values()];
}

export interface SeverityCounts {
  critical: number;
  warning: number;
  info: number;
}

/** Firing (and flapping) alerts by severity, and how many of them nobody has acked. */
export function firingCounts(state: LiveAlerts): { all: SeverityCounts; unacked: SeverityCounts } {
  const all: SeverityCounts = { critical: 0, warning: 0, info: 0 };
  const unacked: SeverityCounts = { critical: 0, warning: 0, info: 0 };
  for (const { alert } of state.byKey.values()) {
    if (!isFiring(alert)) continue;
    all[alert.severity]++;
    if (!alert.ack) unacked[alert.severity]++;
  }
  return { all, unacked };
}

/** The title badge: how many critical alerts are firing. */
export function criticalFiringCount(state: LiveAlerts): number {
  return firingCounts(state).all.critical;
}

/**
 * A list answer (one device's alerts, a page of history) kept current by the store: each listed
 * alert as the store has it when that is as new, and the store's own alerts that `keep` selects
 * and that belong within what is loaded (all of them once `complete`, else those sorting before
 * the last listed one: the next page brings the rest). In the contract's order.
 */
export function overlayLive(
  listed: readonly Alert[],
  store: LiveAlerts,
  keep: (alert: Alert) => boolean,
  complete: boolean,
): LiveAlert[] {
  const entries = new Map<string, LiveAlert>();
  for (const alert of listed) {
    const live = store.byKey.get(alertKey(alert));
    entries.set(
      alertKey(alert),
      live && live.alert.updatedAt >= alert.updatedAt ? live : { alert, staleSince: null },
    );
  }
  const last = listed.at(-1);
  for (const [key, entry] of store.byKey)
    if (!entries.has(key) && keep(entry.alert) && (complete || !last || compareAlerts(entry.alert, last) < 0))
      entries.set(key, entry);
  return [...entries.values()]
    .filter((entry) => keep(entry.alert))
    .sort((a, b) => compareAlerts(a.alert, b.alert));
}

// How long a device was down, from its status changes and when it was last heard (decision 27).

export type StatusChangeKind = 'online' | 'offline' | 'silent';

export interface StatusChange {
  /** epoch ms */
  at: number;
  status: StatusChangeKind;
}

export interface DeviceHistory {
  /** epoch ms: the device counts from here. */
  firstSeen: number;
  /** epoch ms of the last receipt, or null when never heard. */
  lastSeen: number | null;
  expectedIntervalMs: number;
  /** In time order; the last one before any window of interest included. */
  changes: readonly StatusChange[];
}

/** Nothing heard for this many expected intervals makes a device silent. */
export const SILENT_AFTER_INTERVALS = 3;

/** [from, to) in epoch ms. */
export type Interval = readonly [number, number];

/** The part of [from, to) the device existed in and that has passed by `now`; null when none. */
export function observedWindow(
  history: DeviceHistory,
  from: number,
  to: number,
  now: number,
): Interval | null {
  const start = Math.max(from, history.firstSeen);
  const end = Math.min(to, now);
  return end > start ? [start, end] : null;
}

/**
 * The device's down time inside `window`, as disjoint intervals in order. Down is from an
 * `offline` or `silent` change until the next `online` one; and, since a silence is only written
 * once the device is heard again, from the moment it became overdue (last heard, or registered,
 * plus three expected intervals) to the window's end when it has not been heard since.
 */
export function downIntervals(history: DeviceHistory, window: Interval): Interval[] {
  const [start, end] = window;
  const down: Array<[number, number]> = [];
  let downSince: number | null = null;
  for (const change of history.changes) {
    if (change.at >= end) break;
    const isDown = change.status !== 'online';
    if (isDown && downSince === null) downSince = Math.max(change.at, start);
    else if (!isDown && downSince !== null) {
      if (change.at > start) down.push([downSince, Math.min(change.at, end)]);
      downSince = null;
    }
  }
  if (downSince !== null) down.push([downSince, end]);

  const overdueAt =
    (history.lastSeen ?? history.firstSeen) + SILENT_AFTER_INTERVALS * history.expectedIntervalMs;
  if (overdueAt < end) down.push([Math.max(overdueAt, start), end]);
  return union(down.filter(([a, b]) => b > a));
}

/** Overlapping intervals joined; in order. */
function union(intervals: Array<[number, number]>): Interval[] {
  intervals.sort((a, b) => a[0] - b[0]);
  const joined: Array<[number, number]> = [];
  for (const [a, b] of intervals) {
    const last = joined.at(-1);
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else joined.push([a, b]);
  }
  return joined;
}

/** How much of `intervals` lies inside [from, to). */
export function overlapMs(intervals: readonly Interval[], from: number, to: number): number {
  let total = 0;
  for (const [a, b] of intervals) total += Math.max(0, Math.min(b, to) - Math.max(a, from));
  return total;
}

// The orders every tier sorts by, as pure functions: the browser-safe `./order` entry (no zod, no
// tRPC at run time), so the console sorts exactly as the server pages. Cursors live in order-keys.ts.
import type { Severity } from './severity.ts';

/** Higher is more severe; used to sort and to filter by a minimum severity. */
export const severityRank: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };

/** Compares by Unicode code point (not UTF-16 code unit), as COLLATE "C" does. */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      // Surrogates (astral code points) sort above U+E000..U+FFFF in code-point order.
      if (x >= 0xd800 && y >= 0xd800) return codePointRank(x) - codePointRank(y);
      return x - y;
    }
  }
  return a.length - b.length;
}

function codePointRank(unit: number): number {
  return unit <= 0xdfff ? unit + 0x2000 : unit - 0x800;
}

/** Compares node paths segment by segment, so each subtree is one contiguous run. */
export function comparePaths(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return (x === 0x2f ? -1 : x) - (y === 0x2f ? -1 : y);
  }
  return a.length - b.length;
}

/** Start times up to 2527; beyond that they clamp (an alert dated so far is a bad clock anyway). */
const ALERT_TIME_SPAN = 2 ** 44;

/** One number that puts severity above start time: alerts.list pages by it, highest first. */
export function alertSortValue(alert: { severity: Severity; startedAt: number }): number {
  return severityRank[alert.severity] * ALERT_TIME_SPAN + Math.min(alert.startedAt, ALERT_TIME_SPAN - 1);
}

/** What an alert's place in the order depends on. */
export interface AlertOrderFields {
  severity: Severity;
  startedAt: number;
  nodePath: string;
  id: string;
}

/** alerts.list's order: most severe first, then newest start, then node path, then id. */
export function compareAlerts(a: AlertOrderFields, b: AlertOrderFields): number {
  return (
    alertSortValue(b) - alertSortValue(a) ||
    comparePaths(a.nodePath, b.nodePath) ||
    compareCodePoints(a.id, b.id)
  );
}

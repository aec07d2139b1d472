import { format, formatDistanceStrict } from 'date-fns';

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });
const rate = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

/**
 * A count for display. When it was summed over a partial answer it is only a lower bound and
 * reads as one: "≥ 1,234".
 */
export function formatCount(value: number, lowerBound = false): string {
  return `${lowerBound ? '≥ ' : ''}${integer.format(value)}`;
}

export function formatValue(value: number): string {
  return decimal.format(value);
}

/** Per second; a rate summed over a partial answer reads as a lower bound too. */
export function formatRate(perSecond: number, lowerBound = false): string {
  return `${lowerBound ? '≥ ' : ''}${rate.format(perSecond)}/s`;
}

/** "3 seconds", "5 minutes": how old something is. */
export function formatAge(ageMs: number): string {
  return formatDistanceStrict(0, Math.max(0, ageMs));
}

/** "5 minutes ago" relative to `now`; "never" for a missing time. */
export function formatAgo(at: number | null | undefined, now: number): string {
  if (at === null || at === undefined) return 'never';
  if (now - at < 1000) return 'just now';
  return `${formatDistanceStrict(at, now)} ago`;
}

/** Local wall-clock time, the way operators read logs: "Nov 22, 14:03:07". */
export function formatTimestamp(at: number): string {
  return format(at, 'MMM d, HH:mm:ss');
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${integer.format(bytes)} B`;
  if (bytes < 1024 * 1024) return `${decimal.format(bytes / 1024)} KiB`;
  return `${decimal.format(bytes / 1024 / 1024)} MiB`;
}

/** The last segment of a node path, the name operators use: `district-1/probe-a` → `probe-a`. */
export function nodeName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

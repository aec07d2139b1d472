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

/** The largest unit a duration is told in first (as date-fns's formatDistanceStrict chose them). */
const AGE_UNITS = [
  { unit: 'year', ms: 365 * 86_400_000 },
  { unit: 'month', ms: 30 * 86_400_000 },
  { unit: 'day', ms: 86_400_000 },
  { unit: 'hour', ms: 3_600_000 },
  { unit: 'minute', ms: 60_000 },
  { unit: 'second', ms: 1000 },
].map(({ unit, ms }) => ({
  ms,
  // The browser's Intl, not date-fns: the shell shows ages on every page, so they weigh on the
  // first route (issue 19).
  format: new Intl.NumberFormat('en-US', { style: 'unit', unit, unitDisplay: 'long' }),
}));

/** "3 seconds", "5 minutes": how old something is. */
export function formatAge(ageMs: number): string {
  const age = Math.max(0, ageMs);
  const { ms, format } = AGE_UNITS.find((unit) => age >= unit.ms) ?? AGE_UNITS.at(-1)!;
  return format.format(Math.round(age / ms));
}

/** "5 minutes ago" relative to `now`; "never" for a missing time. */
export function formatAgo(at: number | null | undefined, now: number): string {
  if (at === null || at === undefined) return 'never';
  if (now - at < 1000) return 'just now';
  return `${formatAge(now - at)} ago`;
}

// The browser's own Intl, not date-fns's `format`: every page shows times, and its formatter and
// locale tables would weigh on the first route (issue 19).
const wallClock = new Intl.DateTimeFormat('en-US', {
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

/** Local wall-clock time, the way operators read logs: "Nov 22, 14:03:07". */
export function formatTimestamp(at: number): string {
  const part = Object.fromEntries(wallClock.formatToParts(at).map(({ type, value }) => [type, value]));
  return `${part.month} ${part.day}, ${part.hour}:${part.minute}:${part.second}`;
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

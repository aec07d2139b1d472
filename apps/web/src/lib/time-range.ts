import { differenceInMilliseconds, format, isValid, parse, parseISO, subDays, subHours } from 'date-fns';
import { MAX_RANGE_MS } from '@tierscope/shared/domain';

export const RANGE_PRESETS = ['1h', '24h', '7d', '30d'] as const;
export type RangePreset = (typeof RANGE_PRESETS)[number];

export const PRESET_LABELS: Record<RangePreset, string> = {
  '1h': 'Last hour',
  '24h': 'Last 24 hours',
  '7d': 'Last 7 days',
  '30d': 'Last 30 days',
};

/** What the operator picked: a window ending now (it moves), or fixed instants (it does not). */
export type RangeSelection =
  { kind: 'preset'; preset: RangePreset } | { kind: 'absolute'; from: number; to: number };

/** Epoch milliseconds, closed-open [from, to), as the contract's time ranges. */
export interface ResolvedRange {
  from: number;
  to: number;
}

/** The query-string fields a range is kept in: `range=24h`, or `from` and `to` as ISO 8601. */
export interface RangeSearch {
  range?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

const PRESET_START: Record<RangePreset, (now: Date) => Date> = {
  '1h': (now) => subHours(now, 1),
  '24h': (now) => subHours(now, 24),
  '7d': (now) => subDays(now, 7),
  '30d': (now) => subDays(now, 30),
};

export function isRangePreset(value: unknown): value is RangePreset {
  return typeof value === 'string' && (RANGE_PRESETS as readonly string[]).includes(value);
}

/** The instants a selection stands for at `now`. */
export function resolveRange(selection: RangeSelection, now: Date): ResolvedRange {
  if (selection.kind === 'absolute') return { from: selection.from, to: selection.to };
  return { from: PRESET_START[selection.preset](now).getTime(), to: now.getTime() };
}

/**
 * Reads a range from the URL. An absolute range needs a valid `from` before a valid `to`, at most
 * the contract's 400 days apart; anything else falls back to `range`, then to `fallback`.
 */
export function parseRangeSearch(search: RangeSearch, fallback: RangePreset): RangeSelection {
  const from = parseInstant(search.from);
  const to = parseInstant(search.to);
  if (from !== undefined && to !== undefined && from < to && to - from <= MAX_RANGE_MS)
    return { kind: 'absolute', from, to };
  return { kind: 'preset', preset: isRangePreset(search.range) ? search.range : fallback };
}

/** The inverse of parseRangeSearch: the fields to put in the URL (the others cleared). */
export function rangeToSearch(selection: RangeSelection): RangeSearch {
  if (selection.kind === 'preset') return { range: selection.preset, from: undefined, to: undefined };
  return {
    range: undefined,
    from: new Date(selection.from).toISOString(),
    to: new Date(selection.to).toISOString(),
  };
}

/** An absolute selection from two instants in either order; undefined when they are equal or too far apart. */
export function absoluteRange(a: number, b: number): RangeSelection | undefined {
  const from = Math.min(a, b);
  const to = Math.max(a, b);
  if (from === to || differenceInMilliseconds(to, from) > MAX_RANGE_MS) return undefined;
  return { kind: 'absolute', from: Math.floor(from), to: Math.ceil(to) };
}

/** "Last 24 hours", or "Nov 22, 14:00 – Nov 22, 15:30" for a fixed range. */
export function describeRange(selection: RangeSelection): string {
  if (selection.kind === 'preset') return PRESET_LABELS[selection.preset];
  return `${format(selection.from, 'MMM d, HH:mm')} – ${format(selection.to, 'MMM d, HH:mm')}`;
}

const LOCAL_INPUT_FORMAT = "yyyy-MM-dd'T'HH:mm";

/** The value an `<input type="datetime-local">` shows for an instant, in local time. */
export function toLocalInputValue(at: number): string {
  return format(at, LOCAL_INPUT_FORMAT);
}

/** The instant an `<input type="datetime-local">` value names in local time; undefined when invalid. */
export function fromLocalInputValue(text: string): number | undefined {
  const parsed = parse(text, LOCAL_INPUT_FORMAT, new Date());
  return isValid(parsed) ? parsed.getTime() : undefined;
}

function parseInstant(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const parsed = parseISO(text);
  return isValid(parsed) ? parsed.getTime() : undefined;
}

import { availabilityOf } from '@tierscope/shared/schemas';
import type { Availability } from '@tierscope/shared/schemas';

const percent = new Intl.NumberFormat('en-US', {
  style: 'percent',
  minimumFractionDigits: 2,
  maximumFractionDigits: 2,
});
const points = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2, signDisplay: 'exceptZero' });

/** "99.52 %" — a fraction as executives read it; "—" when nothing was observed. */
export function formatShare(value: number | null): string {
  return value === null ? '—' : percent.format(value);
}

export function formatAvailability(figures: Availability): string {
  return formatShare(availabilityOf(figures));
}

/** "+0.4 pts" against the previous period; "" when either side is unknown. */
export function formatTrend(current: number | null, previous: number | null): string {
  if (current === null || previous === null) return '';
  return `${points.format((current - previous) * 100)} pts`;
}

const UNITS = [
  { ms: 86_400_000, suffix: 'd' },
  { ms: 3_600_000, suffix: 'h' },
  { ms: 60_000, suffix: 'min' },
  { ms: 1000, suffix: 's' },
];

/** "2 h 14 min", "45 s": the two largest units of a duration; "—" when unknown. */
export function formatDuration(ms: number | null): string {
  if (ms === null) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const parts: string[] = [];
  let rest = Math.round(ms / 1000) * 1000;
  for (const unit of UNITS) {
    if (parts.length === 2) break;
    const whole = Math.floor(rest / unit.ms);
    if (whole > 0 || parts.length > 0) {
      if (whole > 0) parts.push(`${whole} ${unit.suffix}`);
      rest -= whole * unit.ms;
    }
  }
  return parts.join(' ');
}

/** A group's key as people read it: kinds and sites not set on any device read "not set". */
export function groupLabel(key: string): string {
  return key === '' ? 'not set' : key;
}

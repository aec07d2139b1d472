import { z } from 'zod';

/** Every time in the contract is epoch milliseconds UTC: sortable, compact, chart-ready. */
export const Timestamp = z.number().int().min(0).max(8_640_000_000_000);
export type Timestamp = z.infer<typeof Timestamp>;

export const MAX_RANGE_MS = 400 * 24 * 3600 * 1000;

/** A closed-open range [from, to), at most 400 days so no query can ask for everything. */
export const TimeRange = z
  .object({ from: Timestamp, to: Timestamp })
  .refine((r) => r.from < r.to, { message: '"from" must be before "to"', path: ['from'] })
  .refine((r) => r.to - r.from <= MAX_RANGE_MS, { message: 'range is at most 400 days', path: ['to'] });
export type TimeRange = z.infer<typeof TimeRange>;

import type { EventPosition } from '@tierscope/shared';

/*
 * The global orders of order-keys.ts as raw SQL over one node's own rows (one node path, so paths
 * never appear here). Strings compare as COLLATE "C" (code points), exactly as the parents' merge
 * does. The list hot paths are raw prepared statements (NodeStore.execPrepared): building them through
 * drizzle cost more CPU than running them (docs/decisions/0012).
 */

/** The `$n` parameters of one statement: `add` keeps a value and returns its placeholder. */
export class SqlParams {
  readonly values: unknown[] = [];

  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** A column compared and sorted by code point; a numeric id is compared as its decimal text. */
export function byCodePoint(column: string, asText = false): string {
  return asText ? `${column}::text collate "C"` : `${column} collate "C"`;
}

/**
 * A timestamptz as epoch milliseconds (float8, whole ms, truncated as a JS Date of it would be);
 * null stays null. The contract's times are numbers, so no Date is built per row.
 */
export function epochMs(column: string): string {
  return `floor(extract(epoch from ${column}) * 1000)::float8`;
}

/**
 * Rows newest-first ordered by (`ts` desc, `id` as text asc) that come after `position`:
 * `after` → ts < key.ts, or ts = key.ts and id > key.id; `bound` → ts < (or <=) the bound.
 */
export function afterEventPosition(
  ts: string,
  id: string,
  position: EventPosition,
  params: SqlParams,
): string {
  const at = `${params.add(new Date(position.ts).toISOString())}::timestamptz`;
  if (position.kind === 'after')
    return `(${ts} < ${at} or (${ts} = ${at} and ${byCodePoint(id, true)} > ${params.add(position.id)}))`;
  return position.inclusive ? `${ts} <= ${at}` : `${ts} < ${at}`;
}

/** `where a and b …`, or nothing when there are no conditions. */
export function whereAll(conditions: readonly string[]): string {
  return conditions.length === 0 ? '' : `where ${conditions.join(' and ')}`;
}

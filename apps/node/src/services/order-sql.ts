import { sql, type AnyColumn, type SQL } from 'drizzle-orm';
import type { EventPosition } from '@tierscope/shared';

/*
 * The global orders of order-keys.ts as SQL over one node's own rows (one node path, so paths never
 * appear here). Strings compare as COLLATE "C" (code points), exactly as the parents' merge does.
 */

/** A column compared and sorted by code point; a numeric id is compared as its decimal text. */
export function byCodePoint(column: AnyColumn, asText = false): SQL {
  return asText ? sql`${column}::text collate "C"` : sql`${column} collate "C"`;
}

/**
 * Rows newest-first ordered by (`ts` desc, `id` as text asc) that come after `position`:
 * `after` → ts < key.ts, or ts = key.ts and id > key.id; `bound` → ts < (or <=) the bound.
 */
export function afterEventPosition(ts: AnyColumn, id: AnyColumn, position: EventPosition): SQL {
  const at = new Date(position.ts).toISOString();
  if (position.kind === 'after')
    return sql`(${ts} < ${at}::timestamptz or (${ts} = ${at}::timestamptz and ${byCodePoint(id, true)} > ${position.id}))`;
  return position.inclusive ? sql`${ts} <= ${at}::timestamptz` : sql`${ts} < ${at}::timestamptz`;
}

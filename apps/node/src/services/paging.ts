import { encodeCursor } from '@tierscope/shared';

/**
 * Cuts a keyset page: the query asks for `limit + 1` rows, and the extra row (if any) only proves
 * there is a next page. The cursor points at the last row returned, never at the extra one.
 */
export function cutPage<Row, Item>(
  rows: readonly Row[],
  limit: number,
  toItem: (row: Row) => Item,
  positionOf: (row: Row) => unknown,
): { items: Item[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  const nextCursor = rows.length > limit && last !== undefined ? encodeCursor(positionOf(last)) : null;
  return { items: page.map(toItem), nextCursor };
}

/** `%` and `_` in a user's search text are literal characters, not LIKE wildcards. */
export function likePattern(search: string): string {
  return `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Milliseconds since `startedAt`, for the coverage block's latency. */
export function elapsedSince(startedAt: number): number {
  return Math.max(0, performance.now() - startedAt);
}

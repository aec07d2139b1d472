import type { Cursor } from '@tierscope/shared';

/**
 * Cuts a keyset page: the query asks for `limit + 1` rows, and the extra row (if any) only proves
 * there is a next page. The cursor points at the last item returned, never at the extra one.
 */
export function cutPage<Row, Item>(
  rows: readonly Row[],
  limit: number,
  toItem: (row: Row) => Item,
  cursorOf: (item: Item) => Cursor,
): { items: Item[]; nextCursor: Cursor | null } {
  const items = rows.slice(0, limit).map(toItem);
  const last = items.at(-1);
  const nextCursor = rows.length > limit && last !== undefined ? cursorOf(last) : null;
  return { items, nextCursor };
}

/** `%` and `_` in a user's search text are literal characters, not LIKE wildcards. */
export function likePattern(search: string): string {
  return `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Milliseconds since `startedAt`, for the coverage block's latency. */
export function elapsedSince(startedAt: number): number {
  return Math.max(0, performance.now() - startedAt);
}

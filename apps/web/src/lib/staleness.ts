/** Data is stale once it has missed a few refreshes; while refreshing is paused, after a minute. */
export function staleAfterMs(refreshMs: number): number {
  return refreshMs === 0 ? 60_000 : Math.max(3 * refreshMs, 15_000);
}

export function isStale(ageMs: number, refreshMs: number): boolean {
  return ageMs > staleAfterMs(refreshMs);
}

/**
 * The two versions compared, as they sit in the URL (`/policy?compare=2,5`), so a diff can be
 * shared. A value that does not parse is dropped: a mistyped link still opens the page.
 */
export function parseCompared(text: string | undefined): number[] {
  if (!text) return [];
  const versions = text
    .split(',')
    .map((part) => Number(part.trim()))
    .filter((v) => Number.isInteger(v) && v >= 1);
  return [...new Set(versions)].slice(-2);
}

/** Ticks or unticks `version`; a third tick replaces the earlier of the two picks. */
export function toggleCompared(compared: readonly number[], version: number): number[] {
  if (compared.includes(version)) return compared.filter((v) => v !== version);
  return [...compared, version].slice(-2);
}

export const formatCompared = (compared: readonly number[]) => compared.join(',') || undefined;

import { diffLines } from 'diff';

/**
 * `value` as JSON with every object's keys sorted, two spaces deep: two versions' contents read the
 * same wherever they are equal, whatever order their keys were stored in.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value), null, 2);
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const record = value as Record<string, unknown>;
  return Object.fromEntries(
    Object.keys(record)
      .sort()
      .map((key) => [key, sortKeys(record[key])]),
  );
}

export interface DiffLine {
  kind: 'added' | 'removed' | 'same';
  text: string;
  /** Its line number in the older text, for removed and same lines. */
  oldNumber: number | null;
  /** Its line number in the newer text, for added and same lines. */
  newNumber: number | null;
}

/** The line diff from `older` to `newer`, both canonical JSON, one entry a line. */
export function versionDiffLines(older: unknown, newer: unknown): DiffLine[] {
  const lines: DiffLine[] = [];
  let oldNumber = 0;
  let newNumber = 0;
  for (const change of diffLines(canonicalJson(older), canonicalJson(newer))) {
    const kind = change.added ? 'added' : change.removed ? 'removed' : 'same';
    for (const text of change.value.replace(/\n$/, '').split('\n')) {
      if (kind !== 'added') oldNumber += 1;
      if (kind !== 'removed') newNumber += 1;
      lines.push({
        kind,
        text,
        oldNumber: kind === 'added' ? null : oldNumber,
        newNumber: kind === 'removed' ? null : newNumber,
      });
    }
  }
  return lines;
}

/** How many lines each side changed: "+3 −1". */
export function diffStat(lines: readonly DiffLine[]): { added: number; removed: number } {
  return {
    added: lines.filter((l) => l.kind === 'added').length,
    removed: lines.filter((l) => l.kind === 'removed').length,
  };
}

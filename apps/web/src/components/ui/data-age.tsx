import { formatAge } from '../../lib/format.ts';

/** How old the shown data is, highlighted once it is older than expected. */
export function DataAge({
  ageMs,
  stale,
  prefix = 'data',
}: {
  ageMs: number;
  stale: boolean;
  prefix?: string;
}) {
  return (
    <span className="age" data-stale={stale} data-testid="data-age">
      {prefix} {formatAge(ageMs)} old
    </span>
  );
}

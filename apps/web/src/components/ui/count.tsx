import { formatCount } from '../../lib/format.ts';

/** A count that says when it is only a lower bound: "≥ 1,234", with the reason for screen readers. */
export function Count({ value, lowerBound = false }: { value: number; lowerBound?: boolean | undefined }) {
  return (
    <span className="num" title={lowerBound ? 'At least this many: some nodes did not answer' : undefined}>
      {formatCount(value, lowerBound)}
      {lowerBound && <span className="visually-hidden"> (at least; some nodes did not answer)</span>}
    </span>
  );
}

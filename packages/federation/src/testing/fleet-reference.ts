import { QUANTILE_OF, type FleetAggregation } from '@tierscope/shared';

/**
 * The reference a fleet metric answer is checked against: the aggregation over every value at once.
 * A quantile is the value at rank ⌊q·(n − 1)⌋ (0-based, ascending), the rank the sketch bounds.
 */
export function exactFleetValue(aggregation: FleetAggregation, values: readonly number[]): number {
  const sum = values.reduce((a, b) => a + b, 0);
  switch (aggregation) {
    case 'avg':
      return sum / values.length;
    case 'min':
      return Math.min(...values);
    case 'max':
      return Math.max(...values);
    case 'sum':
      return sum;
    case 'count':
      return values.length;
    default:
      return [...values].sort((a, b) => a - b)[Math.floor(QUANTILE_OF[aggregation]! * (values.length - 1))]!;
  }
}

import { FLEET_SKETCH_BINNING, mergeBins } from '@tierscope/federation';
import type { SketchBins } from '@tierscope/shared';

/**
 * A value's DDSketch bin in SQL, as the sketch's logarithmic mapping bins it (FLEET_SKETCH_BINNING):
 * `side` is 0 for |v| below the mapping's smallest value (counted as zero), else the sign; `bin` is
 * ⌈ln|v| / ln γ⌉ (0 for zeros). The one formula both raw quantile queries and the hour sketcher
 * use. The constants are inlined: a JS number prints as the shortest text PostgreSQL reads back to
 * the same float8.
 */
export function sketchBinSql(value: string): { side: string; bin: string } {
  const zero = `abs(${value}) < ${FLEET_SKETCH_BINNING.minMagnitude}::float8`;
  return {
    side: `case when ${zero} then 0 when ${value} > 0 then 1 else -1 end`,
    bin: `case when ${zero} then 0 else ceil(ln(abs(${value})) / ${FLEET_SKETCH_BINNING.lnGamma}::float8)::int end`,
  };
}

/** One (side, bin, count) row of a point, as the SQL above groups them (a type: rows take an index signature). */
export type BinRow = {
  side: number;
  bin: number;
  count: number;
};

/**
 * Bins gathered per point (an id the caller chooses) from rows that may name one bin more than once,
 * as a point read partly from hour sketches and partly from raw samples does.
 */
export class PointBins {
  private readonly parts = new Map<string, SketchBins[]>();

  add(pointId: string, row: BinRow): void {
    const part: SketchBins =
      row.side === 0
        ? { zero: row.count, positive: [], negative: [] }
        : row.side > 0
          ? { zero: 0, positive: [[row.bin, row.count]], negative: [] }
          : { zero: 0, positive: [], negative: [[row.bin, row.count]] };
    const parts = this.parts.get(pointId);
    if (parts) parts.push(part);
    else this.parts.set(pointId, [part]);
  }

  /** The point's merged bins; undefined when no row named it. */
  get(pointId: string): SketchBins | undefined {
    const parts = this.parts.get(pointId);
    return parts && mergeBins(parts);
  }
}

import { FleetMetricAnswer, FleetMetricInput } from './fleet-metrics.schemas.ts';
import { LatestInput, LatestValues, Series, SeriesInput } from './metrics.schemas.ts';
import { router, viewerProcedure } from './trpc.ts';

export const metricsRouter = router({
  latest: viewerProcedure
    .input(LatestInput)
    .output(LatestValues)
    .query(({ ctx, input }) => ctx.node.metrics.latest(input)),
  series: viewerProcedure
    .input(SeriesInput)
    .output(Series)
    .query(({ ctx, input }) => ctx.node.metrics.series(input)),
  /**
   * One metric over the devices a selector picks, bucketed and grouped: each node computes partials
   * over its rollups (raw samples for quantiles and sub-minute steps), every tier merges them
   * exactly; the coverage names a node that did not answer, whose series are absent
   * (docs/decisions/0028). Past a cap (devices, series, points) the top tier refuses the query.
   */
  fleet: viewerProcedure
    .meta({ deadlineMs: 10_000 })
    .input(FleetMetricInput)
    .output(FleetMetricAnswer)
    .query(({ ctx, input }) => ctx.node.metrics.fleet(input)),
});

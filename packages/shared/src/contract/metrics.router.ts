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
});

import { ReportFigures, ReportFiguresInput } from './reports.schemas.ts';
import { router, viewerProcedure } from './trpc.ts';

export const reportsRouter = router({
  /**
   * Availability, data completeness, alert and objective figures over a period, computed by each
   * node from its own status changes, rollups and alerts and merged exactly at every tier; the
   * coverage names a node that did not answer, whose figures are absent (docs/decisions/0027).
   */
  figures: viewerProcedure
    .meta({ deadlineMs: 10_000 })
    .input(ReportFiguresInput)
    .output(ReportFigures)
    .query(({ ctx, input }) => ctx.node.reports.figures(input)),
});

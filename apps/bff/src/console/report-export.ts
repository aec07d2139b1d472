import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ReportFiguresInput, type Actor, type NodeService } from '@tierscope/shared';
import { ReportGrouping, reportCsv } from './report-csv.ts';

/** `GET /export/report.csv?from=…&to=…&grouping=site[&nodePath=…]`: the query string, checked. */
const ReportCsvQuery = z.object({
  from: z.coerce.number(),
  to: z.coerce.number(),
  grouping: ReportGrouping.default('node'),
  nodePath: z.string().optional(),
});

/**
 * The report's CSV export, as the session's user: the same `reports.figures` the page reads, so a
 * scoped user's file holds only their subtree. The coverage goes in a header, so a file that misses
 * a node says which (`x-tierscope-missing-nodes`).
 */
export function registerReportExport(
  app: FastifyInstance,
  serviceFor: (actor: Actor) => NodeService,
  actorOf: (request: FastifyRequest) => Actor,
): void {
  app.get('/export/report.csv', async (request, reply) => {
    const query = ReportCsvQuery.safeParse(request.query);
    const input = query.success ? ReportFiguresInput.safeParse(query.data) : query;
    if (!query.success || !input.success)
      return reply
        .code(400)
        .send({ error: (input.error ?? query.error)?.issues.map((i) => i.message).join('; ') });
    const figures = await serviceFor(actorOf(request)).reports.figures(input.data);
    const missing = figures.coverage.nodes.filter((n) => n.state !== 'ok').map((n) => n.path);
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="report-${query.data.grouping}.csv"`)
      .header('cache-control', 'no-store')
      .header('x-tierscope-missing-nodes', missing.join(','))
      .send(reportCsv(figures, query.data.grouping));
  });
}

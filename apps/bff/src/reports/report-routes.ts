import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { NodePath, PaperFormat, ReportGroupingName, ReportPeriod, TimeZone } from '@tierscope/shared';
import type { ConsoleCaller } from '../console/console-auth.ts';
import type { ReportMaker } from './report-maker.ts';
import { NoChromiumError } from './report-printer.ts';
import { archiveInScope, type ReportStore } from './report-store.ts';

const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a day: YYYY-MM-DD');

/**
 * `GET /export/report.pdf?period=30d&group=site&node=district-1&paper=Letter&tz=Europe/Berlin`:
 * the report page's own query (or `from=…&to=…` whole days), the paper and the zone it is read in.
 */
const ReportPdfQuery = z.object({
  period: ReportPeriod.optional(),
  from: Day.optional(),
  to: Day.optional(),
  group: ReportGroupingName.default('node'),
  node: NodePath.optional(),
  paper: PaperFormat.default('A4'),
  tz: TimeZone.default('UTC'),
});

const ArchiveParams = z.object({ id: z.coerce.number().int().positive() });

export interface ReportRoutesDeps {
  maker: ReportMaker;
  store: ReportStore;
  callerOf: (request: FastifyRequest) => ConsoleCaller;
  now: () => number;
}

/**
 * The report as a PDF, made as the session's user (docs/decisions/0031), and the archive's files,
 * each opened by a user whose scope covers it.
 */
export function registerReportRoutes(app: FastifyInstance, deps: ReportRoutesDeps): void {
  app.get('/export/report.pdf', async (request, reply) => {
    const query = ReportPdfQuery.safeParse(request.query);
    if (!query.success)
      return reply
        .code(400)
        .send({ error: query.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
    const { paper, tz, ...page } = query.data;
    try {
      const made = await deps.maker.make({
        userId: deps.callerOf(request).userId,
        format: 'pdf',
        paper,
        page,
        timeZone: tz,
        at: deps.now(),
      });
      return reply
        .header('content-type', made.contentType)
        .header('content-disposition', `attachment; filename="${made.fileName}"`)
        .header('cache-control', 'no-store')
        .send(made.content);
    } catch (error) {
      if (error instanceof NoChromiumError) return reply.code(503).send({ error: error.message });
      throw error;
    }
  });

  app.get('/export/archive/:id', async (request, reply) => {
    const params = ArchiveParams.safeParse(request.params);
    if (!params.success) return reply.code(400).send({ error: 'an archived report id' });
    const row = await deps.store.archived(params.data.id);
    // Out of scope looks like missing: the caller learns nothing of reports they may not see.
    if (!row || row.fileName === '' || !archiveInScope(row.nodePath, deps.callerOf(request).actor.scope))
      return reply.code(404).send({ error: `no archived report ${params.data.id}` });
    return reply
      .header('content-type', row.format === 'pdf' ? 'application/pdf' : 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${row.fileName}"`)
      .header('cache-control', 'no-store')
      .send(row.content);
  });
}

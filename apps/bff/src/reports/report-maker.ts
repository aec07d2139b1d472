// A report made as one user: the PDF is their report page printed, the CSV their figures.
import { buffer } from 'node:stream/consumers';
import {
  actorScopeOf,
  type Actor,
  PERIOD_LABELS,
  type NodeService,
  type ReportFormat,
  type ReportPeriod,
} from '@tierscope/shared';
import type { ConsoleAccess } from '../console/console-access.ts';
import { sessionCookieOf } from '../console/console-access.ts';
import { reportCsv, type ReportGrouping } from '../console/report-csv.ts';
import { periodRange } from './report-period.ts';
import type { PaperFormat, ReportPrinter } from './report-printer.ts';

export interface ReportRequest {
  /** The user the report is made as: their role and scope, never more. */
  userId: number;
  format: ReportFormat;
  paper: PaperFormat;
  /** The report page's query (`period=30d&group=site&node=…`, or `from=…&to=…` days). */
  page: { period?: ReportPeriod; from?: string; to?: string; group: ReportGrouping; node?: string };
  timeZone: string;
  /** When it is made (a schedule's clock). */
  at: number;
}

export interface MadeReport {
  content: Buffer;
  fileName: string;
  contentType: string;
  period: string;
  from: number;
  to: number;
  coverage: string;
}

export interface ReportMaker {
  make(request: ReportRequest): Promise<MadeReport>;
}

export interface ReportMakerDeps {
  access: ConsoleAccess;
  printer: ReportPrinter;
  /** Where the BFF itself serves the console (`http://127.0.0.1:4000`). */
  consoleUrl: () => string;
  serviceFor: (actor: Actor) => NodeService;
}

/** The printer's session: the user's own, for this one report, ended once it is printed. */
const PRINTER_CLIENT = { address: '127.0.0.1', userAgent: 'Tierscope report printer' };

export function createReportMaker(deps: ReportMakerDeps): ReportMaker {
  const cookieName = sessionCookieOf(deps.access.settings.publicUrl);
  const stamp = (at: number) => new Date(at).toISOString().slice(0, 10);

  const makePdf = async (request: ReportRequest): Promise<MadeReport> => {
    const session = await deps.access.sessions.start(request.userId, PRINTER_CLIENT);
    try {
      const search = new URLSearchParams(
        Object.entries(request.page).filter((entry): entry is [string, string] => entry[1] !== undefined),
      );
      const printed = await deps.printer.print({
        url: `${deps.consoleUrl()}/reports?${search.toString()}`,
        cookie: { name: cookieName.name, value: session.token, secure: cookieName.secure },
        paper: request.paper,
        timeZone: request.timeZone,
        at: request.at,
      });
      return {
        content: printed.pdf,
        fileName: `tierscope-report-${stamp(request.at)}.pdf`,
        contentType: 'application/pdf',
        period: printed.period,
        from: printed.from,
        to: printed.to,
        coverage: printed.coverage,
      };
    } finally {
      await deps.access.sessions.end(session.token);
    }
  };

  const makeCsv = async (request: ReportRequest): Promise<MadeReport> => {
    const user = await deps.access.users.get(request.userId);
    const scope = actorScopeOf(user.scope);
    const actor: Actor = { kind: 'user', name: user.name, role: user.role, ...(scope && { scope }) };
    const period = request.page.period ?? '30d';
    const range = periodRange(period, request.at, request.timeZone);
    const figures = await deps.serviceFor(actor).reports.figures({
      ...range,
      ...(request.page.node && { nodePath: request.page.node }),
      objectives: [],
      deviceLimit: 0,
    });
    return {
      content: await buffer(reportCsv(figures, request.page.group)),
      fileName: `tierscope-report-${stamp(request.at)}-${request.page.group}.csv`,
      contentType: 'text/csv; charset=utf-8',
      period: PERIOD_LABELS[period],
      ...range,
      coverage: `${figures.coverage.answered} of ${figures.coverage.asked} nodes answered`,
    };
  };

  return { make: (request) => (request.format === 'pdf' ? makePdf(request) : makeCsv(request)) };
}

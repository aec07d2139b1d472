import { PERIOD_LABELS, type ArchivedReport, type ReportSchedule } from '@tierscope/shared/schemas';
import { ScrollTable } from '../../components/ui/scroll-table.tsx';
import { formatBytes, formatTimestamp } from '../../lib/format.ts';

const SCHEDULE_COLUMNS = [
  { header: 'Name' },
  { header: 'When' },
  { header: 'Next run' },
  { header: 'Report' },
  { header: 'Recipients' },
  { header: 'Last delivery' },
  { header: 'Made as' },
  { header: 'Actions' },
] as const;

/** What an admin may do to one schedule from its row. */
export interface ScheduleActions {
  onEdit: (schedule: ReportSchedule) => void;
  onSetPaused: (schedule: ReportSchedule, paused: boolean) => void;
  onDelete: (schedule: ReportSchedule) => void;
  /** The schedule a change is being saved for: its buttons wait. */
  busyId: number | undefined;
}

/** Each schedule's newest archived report (the archive is newest first). */
export function lastReportBySchedule(reports: readonly ArchivedReport[]): Map<number, ArchivedReport> {
  const last = new Map<number, ArchivedReport>();
  for (const report of reports)
    if (report.scheduleId !== null && !last.has(report.scheduleId)) last.set(report.scheduleId, report);
  return last;
}

/** The schedules: when each fires (cron in its zone), what it makes, whom it emails and how the last email went. */
export function ReportScheduleTable({
  schedules,
  reports,
  actions,
}: {
  schedules: readonly ReportSchedule[];
  reports: readonly ArchivedReport[];
  actions: ScheduleActions;
}) {
  const lastReports = lastReportBySchedule(reports);
  return (
    <ScrollTable label="Report schedules" columns={SCHEDULE_COLUMNS}>
      {schedules.map((s) => {
        const last = lastReports.get(s.id);
        return (
          <tr key={s.id} data-testid="report-schedule" data-paused={s.paused || undefined}>
            <td>{s.name}</td>
            <td>
              <code className="mono">{s.cron}</code> {s.timeZone}
            </td>
            <td>
              {s.paused ? (
                <span className="pill" data-tone="neutral">
                  Paused
                </span>
              ) : (
                formatTimestamp(s.nextRunAt)
              )}
            </td>
            <td>
              {s.format.toUpperCase()} · {PERIOD_LABELS[s.period]} · by {s.grouping}
              {s.nodePath ? ` · ${s.nodePath}` : ''}
            </td>
            <td>{s.recipients.join(', ')}</td>
            <td data-testid="last-delivery">
              {last ? <DeliveryStatus report={last} /> : 'No recent report'}
            </td>
            <td>{s.createdBy}</td>
            <td>
              <div className="row-gap wrap">
                <button type="button" className="button" onClick={() => actions.onEdit(s)}>
                  Edit
                </button>
                <button
                  type="button"
                  className="button"
                  disabled={actions.busyId === s.id}
                  onClick={() => actions.onSetPaused(s, !s.paused)}
                >
                  {s.paused ? 'Resume' : 'Pause'}
                </button>
                <button
                  type="button"
                  className="button"
                  data-variant="danger"
                  disabled={actions.busyId === s.id}
                  onClick={() => actions.onDelete(s)}
                >
                  Delete
                </button>
              </div>
            </td>
          </tr>
        );
      })}
    </ScrollTable>
  );
}

const ARCHIVE_COLUMNS = [
  { header: 'Made' },
  { header: 'Report' },
  { header: 'Coverage' },
  { header: 'Email' },
  { header: 'File' },
] as const;

const DELIVERY: Record<ArchivedReport['delivery'], { text: string; tone: string }> = {
  sending: { text: 'Sending', tone: 'neutral' },
  delivered: { text: 'Delivered', tone: 'ok' },
  retrying: { text: 'Retrying', tone: 'warn' },
  failed: { text: 'Failed', tone: 'bad' },
};

/** What the schedules made, newest first, with how each email went (never silently lost). */
export function ReportArchiveTable({ reports }: { reports: readonly ArchivedReport[] }) {
  return (
    <ScrollTable label="Report archive" columns={ARCHIVE_COLUMNS}>
      {reports.map((r) => (
        <tr key={r.id} data-testid="archived-report">
          <td>{formatTimestamp(r.madeAt)}</td>
          <td>
            {r.name} · {r.period}
          </td>
          <td>{r.coverage || '—'}</td>
          <td>
            <DeliveryStatus report={r} />
          </td>
          <td>
            {r.size > 0 ? (
              <a href={r.href} download={r.fileName}>
                {r.fileName} ({formatBytes(r.size)})
              </a>
            ) : (
              '—'
            )}
          </td>
        </tr>
      ))}
    </ScrollTable>
  );
}

/** How a report's email went: its state, attempts, the next try and the last error. */
function DeliveryStatus({ report: r }: { report: ArchivedReport }) {
  return (
    <>
      <span className="pill" data-tone={DELIVERY[r.delivery].tone}>
        {DELIVERY[r.delivery].text}
      </span>{' '}
      {r.attempts > 0 && `after ${r.attempts} attempt${r.attempts === 1 ? '' : 's'}`}
      {r.nextAttemptAt !== null && ` · next ${formatTimestamp(r.nextAttemptAt)}`}
      {r.lastError && <div className="kpi-note">{r.lastError}</div>}
    </>
  );
}

import { PERIOD_LABELS, type ArchivedReport, type ReportSchedule } from '@tierscope/shared/schemas';
import { ScrollTable } from '../../components/ui/scroll-table.tsx';
import { formatBytes, formatTimestamp } from '../../lib/format.ts';

const SCHEDULE_COLUMNS = [
  { header: 'Name' },
  { header: 'When' },
  { header: 'Next run' },
  { header: 'Report' },
  { header: 'Recipients' },
  { header: 'Made as' },
] as const;

/** The schedules: when each fires (cron in its zone), what it makes and whom it emails. */
export function ReportScheduleTable({ schedules }: { schedules: readonly ReportSchedule[] }) {
  return (
    <ScrollTable label="Report schedules" columns={SCHEDULE_COLUMNS}>
      {schedules.map((s) => (
        <tr key={s.id}>
          <td>{s.name}</td>
          <td>
            <code className="mono">{s.cron}</code> {s.timeZone}
          </td>
          <td>{formatTimestamp(s.nextRunAt)}</td>
          <td>
            {s.format.toUpperCase()} · {PERIOD_LABELS[s.period]} · by {s.grouping}
            {s.nodePath ? ` · ${s.nodePath}` : ''}
          </td>
          <td>{s.recipients.join(', ')}</td>
          <td>{s.createdBy}</td>
        </tr>
      ))}
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
            <span className="pill" data-tone={DELIVERY[r.delivery].tone}>
              {DELIVERY[r.delivery].text}
            </span>{' '}
            {r.attempts > 0 && `after ${r.attempts} attempt${r.attempts === 1 ? '' : 's'}`}
            {r.nextAttemptAt !== null && ` · next ${formatTimestamp(r.nextAttemptAt)}`}
            {r.lastError && <div className="kpi-note">{r.lastError}</div>}
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

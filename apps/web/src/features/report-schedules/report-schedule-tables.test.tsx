import { fireEvent, render, screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { ArchivedReport, ReportSchedule } from '@tierscope/shared/schemas';
import { ReportArchiveTable, ReportScheduleTable } from './report-schedule-tables.tsx';

const archived = (overrides: Partial<ArchivedReport>): ArchivedReport => ({
  id: 1,
  scheduleId: 1,
  name: 'Weekly fleet',
  madeAt: Date.UTC(2026, 11, 14, 6),
  nodePath: '',
  period: 'Last 7 days',
  from: 0,
  to: 1,
  coverage: '3 of 3 nodes answered',
  format: 'pdf',
  fileName: 'tierscope-report-2026-12-14.pdf',
  size: 65_000,
  recipients: ['ceo@example.com'],
  delivery: 'delivered',
  attempts: 1,
  nextAttemptAt: null,
  lastError: null,
  deliveredAt: Date.UTC(2026, 11, 14, 6),
  href: '/export/archive/1',
  ...overrides,
});

describe('ReportArchiveTable', () => {
  it('shows a failed email with its error, and still links the file', () => {
    render(
      <ReportArchiveTable
        reports={[archived({ delivery: 'failed', attempts: 6, lastError: 'SMTP 451: mailbox busy' })]}
      />,
    );
    const row = screen.getByTestId('archived-report');
    expect(within(row).getByText('Failed')).toBeTruthy();
    expect(within(row).getByText('SMTP 451: mailbox busy')).toBeTruthy();
    expect(within(row).getByRole('link').getAttribute('href')).toBe('/export/archive/1');
  });

  it('offers no file for a report that was not made', () => {
    render(<ReportArchiveTable reports={[archived({ size: 0, fileName: '', delivery: 'failed' })]} />);
    expect(within(screen.getByTestId('archived-report')).queryByRole('link')).toBeNull();
  });
});

const schedule = (overrides: Partial<ReportSchedule>): ReportSchedule => ({
  id: 1,
  name: 'Weekly fleet',
  cron: '0 7 * * 1',
  timeZone: 'UTC',
  recipients: ['ceo@example.com'],
  format: 'pdf',
  paper: 'A4',
  period: '7d',
  grouping: 'node',
  nodePath: null,
  paused: false,
  createdBy: 'ada',
  nextRunAt: Date.UTC(2026, 11, 14, 7),
  createdAt: 0,
  updatedAt: 0,
  ...overrides,
});

describe('ReportScheduleTable', () => {
  it("shows each schedule's newest delivery, a failed one with its error", () => {
    render(
      <ReportScheduleTable
        schedules={[schedule({ id: 1 }), schedule({ id: 2, name: 'Daily CSV' })]}
        reports={[
          archived({ id: 3, scheduleId: 1, delivery: 'failed', attempts: 6, lastError: 'SMTP 451: busy' }),
          archived({ id: 2, scheduleId: 1, delivery: 'delivered' }),
        ]}
        actions={{ onEdit: vi.fn(), onSetPaused: vi.fn(), onDelete: vi.fn(), busyId: undefined }}
      />,
    );
    const [weekly, daily] = screen.getAllByTestId('last-delivery');
    expect(within(weekly!).getByText('Failed')).toBeTruthy();
    expect(within(weekly!).getByText('SMTP 451: busy')).toBeTruthy();
    expect(daily!.textContent).toBe('No recent report');
  });

  it('offers resume for a paused schedule instead of its next run', () => {
    const onSetPaused = vi.fn();
    const paused = schedule({ paused: true });
    render(
      <ReportScheduleTable
        schedules={[paused]}
        reports={[]}
        actions={{ onEdit: vi.fn(), onSetPaused, onDelete: vi.fn(), busyId: undefined }}
      />,
    );
    const row = screen.getByTestId('report-schedule');
    expect(within(row).getByText('Paused')).toBeTruthy();
    fireEvent.click(within(row).getByRole('button', { name: 'Resume' }));
    expect(onSetPaused).toHaveBeenCalledWith(paused, false);
  });
});

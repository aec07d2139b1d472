import { render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { ArchivedReport } from '@tierscope/shared/schemas';
import { ReportArchiveTable } from './report-schedule-tables.tsx';

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

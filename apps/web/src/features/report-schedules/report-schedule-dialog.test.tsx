import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { TRPCClientError } from '@trpc/client';
import type { ReportSchedule } from '@tierscope/shared/schemas';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ReportScheduleDialog } from './report-schedule-dialog.tsx';

const api = vi.hoisted(() => ({ create: vi.fn(), update: vi.fn() }));

vi.mock('../../lib/trpc.ts', () => ({
  api: {
    console: {
      reportSchedules: {
        list: { query: async () => [] },
        create: { mutate: api.create },
        update: { mutate: api.update },
      },
    },
  },
}));

const SCHEDULE: ReportSchedule = {
  id: 7,
  name: 'Monthly north',
  cron: '0 7 1 * *',
  timeZone: 'UTC',
  recipients: ['ceo@example.com', 'cfo@example.com'],
  format: 'csv',
  paper: 'A4',
  period: 'last-month',
  grouping: 'site',
  nodePath: 'north',
  paused: false,
  createdBy: 'ada',
  nextRunAt: 0,
  createdAt: 0,
  updatedAt: 0,
};

function renderDialog(schedule?: ReportSchedule) {
  const onClose = vi.fn();
  render(
    <QueryClientProvider client={new QueryClient()}>
      <ReportScheduleDialog open schedule={schedule} nodePaths={['north', 'south']} onClose={onClose} />
    </QueryClientProvider>,
  );
  return { onClose, form: screen.getByTestId('report-schedule-form') };
}

const type = (label: string, value: string) =>
  fireEvent.change(screen.getByLabelText(label), { target: { value } });

beforeEach(() => {
  api.create.mockReset();
  api.update.mockReset();
});

describe('ReportScheduleDialog', () => {
  it('shows the next runs as the expression is typed, and croner’s reason when it cannot read it', () => {
    renderDialog();
    type('Time zone', 'UTC');
    type('Cron expression', '0 6 * * *');
    const nextRuns = screen.getByTestId('next-runs');
    expect(within(nextRuns).getAllByRole('listitem')).toHaveLength(3);

    type('Cron expression', '0 6 * * 8');
    expect(within(nextRuns).queryAllByRole('listitem')).toHaveLength(0);
    expect(screen.getByLabelText('Cron expression').getAttribute('aria-invalid')).toBe('true');
  });

  it('creates what the form says, with the recipients split', async () => {
    api.create.mockResolvedValue(SCHEDULE);
    const { onClose } = renderDialog();
    type('Name', 'Weekly fleet');
    type('Time zone', 'Europe/Berlin');
    type('Recipients', 'ceo@example.com, cfo@example.com');
    fireEvent.change(screen.getByLabelText('Format'), { target: { value: 'csv' } });
    fireEvent.change(screen.getByLabelText('Scope'), { target: { value: 'south' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create schedule' }));
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(api.create).toHaveBeenCalledWith(
      expect.objectContaining({
        name: 'Weekly fleet',
        cron: '0 7 * * 1',
        timeZone: 'Europe/Berlin',
        recipients: ['ceo@example.com', 'cfo@example.com'],
        format: 'csv',
        nodePath: 'south',
      }),
    );
  });

  it('puts the server’s cron refusal beside the field and keeps everything typed', async () => {
    api.update.mockRejectedValue(new TRPCClientError('cron: CronPattern: invalid configuration'));
    const { onClose } = renderDialog(SCHEDULE);
    type('Name', 'Monthly north, renamed');
    fireEvent.change(screen.getByLabelText('Scope'), { target: { value: '' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save schedule' }));
    await screen.findByText('CronPattern: invalid configuration');
    expect(api.update).toHaveBeenCalledWith(
      expect.objectContaining({ id: 7, name: 'Monthly north, renamed', nodePath: null }),
    );
    expect(onClose).not.toHaveBeenCalled();
    expect(screen.getByLabelText<HTMLInputElement>('Name').value).toBe('Monthly north, renamed');
    expect(screen.getByLabelText<HTMLTextAreaElement>('Recipients').value).toBe(
      'ceo@example.com, cfo@example.com',
    );
  });
});

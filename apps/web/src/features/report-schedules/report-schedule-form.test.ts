import { TRPCClientError } from '@trpc/client';
import { describe, expect, it } from 'vitest';
import {
  emptyScheduleForm,
  formatRunTime,
  readScheduleForm,
  serverFieldErrors,
  upcomingRuns,
} from './report-schedule-form.ts';

const form = { ...emptyScheduleForm('Europe/Berlin'), name: 'Weekly fleet', recipients: 'ceo@example.com' };

describe('upcomingRuns', () => {
  it('reads the expression in its zone, as the scheduler does', () => {
    // Mondays at 07:00 Berlin (UTC+1 in January) from Saturday 3 January 2026.
    const runs = upcomingRuns('0 7 * * 1', 'Europe/Berlin', Date.UTC(2026, 0, 3), 2);
    expect('runs' in runs && runs.runs.map((at) => at.toISOString())).toEqual([
      '2026-01-05T06:00:00.000Z',
      '2026-01-12T06:00:00.000Z',
    ]);
  });

  it('shows a run in the zone the expression is written in', () => {
    expect(formatRunTime(new Date('2026-01-05T06:00:00.000Z'), 'Europe/Berlin')).toBe(
      'Mon, 5 Jan 2026, 07:00',
    );
  });

  it("gives croner's reason for an expression it cannot read", () => {
    expect(upcomingRuns('0 25 * * *', 'UTC', 0, 3)).toEqual({
      error: expect.stringMatching(/hour/i) as unknown,
    });
  });
});

describe('readScheduleForm', () => {
  it('splits the recipients and leaves an empty scope unset', () => {
    const reading = readScheduleForm({
      ...form,
      recipients: 'ceo@example.com, cfo@example.com;\nops@example.com',
    });
    expect(reading).toMatchObject({
      ok: true,
      input: {
        recipients: ['ceo@example.com', 'cfo@example.com', 'ops@example.com'],
        timeZone: 'Europe/Berlin',
        nodePath: undefined,
      },
    });
  });

  it('names the address that is not one, and a cron croner refuses, beside their fields', () => {
    const reading = readScheduleForm({
      ...form,
      name: ' ',
      cron: '0 7 * * 9',
      recipients: 'ceo@example.com, ceo',
    });
    expect(reading.ok).toBe(false);
    if (reading.ok) return;
    expect(reading.errors.recipients).toBe('"ceo" is not an email address');
    expect(reading.errors.cron).toBeTruthy();
    expect(reading.errors.name).toBeTruthy();
  });

  it('refuses a zone the browser does not know', () => {
    const reading = readScheduleForm({ ...form, timeZone: 'Mars/Olympus' });
    expect(!reading.ok && reading.errors.timeZone).toMatch(/IANA/);
  });
});

describe('serverFieldErrors', () => {
  it("puts the BFF's cron refusal beside the expression", () => {
    expect(serverFieldErrors(new TRPCClientError('cron: CronPattern: invalid hour'))).toEqual({
      cron: 'CronPattern: invalid hour',
    });
  });

  it("maps the contract's issues by their path and leaves other errors unplaced", () => {
    const issues = JSON.stringify([{ path: ['recipients', 0], message: 'Invalid email address' }]);
    expect(serverFieldErrors(new TRPCClientError(issues))).toEqual({ recipients: 'Invalid email address' });
    expect(serverFieldErrors(new TRPCClientError('this needs the admin role'))).toBeUndefined();
    // The scope select shows no error of its own: its refusal stays unplaced, shown above the buttons.
    const scope = JSON.stringify([{ path: ['nodePath'], message: 'Invalid node path' }]);
    expect(serverFieldErrors(new TRPCClientError(scope))).toBeUndefined();
  });
});

import { TRPCClientError } from '@trpc/client';
import { Cron } from 'croner';
import {
  CreateReportScheduleInput,
  type ReportFormat,
  type ReportPeriod,
  type ReportSchedule,
} from '@tierscope/shared/schemas';
import { inputIssues } from '../../lib/errors.ts';

/** The schedule editor as typed; recipients as one text, split at commas, semicolons or line breaks. */
export interface ScheduleForm {
  name: string;
  cron: string;
  timeZone: string;
  recipients: string;
  format: ReportFormat;
  paper: 'A4' | 'Letter';
  period: ReportPeriod;
  grouping: ReportSchedule['grouping'];
  /** '' for everything the author sees. */
  nodePath: string;
}

/** The fields that show an error beside them; any other refusal is shown above the buttons. */
type CheckedField = 'name' | 'cron' | 'timeZone' | 'recipients';
export type ScheduleFormErrors = Partial<Record<CheckedField, string>>;

/** A new schedule: Mondays at 07:00 in the browser's zone, last month's report by node. */
export function emptyScheduleForm(timeZone: string): ScheduleForm {
  return {
    name: '',
    cron: '0 7 * * 1',
    timeZone,
    recipients: '',
    format: 'pdf',
    paper: 'A4',
    period: 'last-month',
    grouping: 'node',
    nodePath: '',
  };
}

export function formOfSchedule(schedule: ReportSchedule): ScheduleForm {
  return {
    name: schedule.name,
    cron: schedule.cron,
    timeZone: schedule.timeZone,
    recipients: schedule.recipients.join(', '),
    format: schedule.format,
    paper: schedule.paper,
    period: schedule.period,
    grouping: schedule.grouping,
    nodePath: schedule.nodePath ?? '',
  };
}

export function splitRecipients(text: string): string[] {
  return text
    .split(/[,;\n]/)
    .map((address) => address.trim())
    .filter((address) => address !== '');
}

/** The schedule the form describes (the contract's own check), or an error per field. */
export function readScheduleForm(
  form: ScheduleForm,
): { ok: true; input: CreateReportScheduleInput } | { ok: false; errors: ScheduleFormErrors } {
  const recipients = splitRecipients(form.recipients);
  const checked = CreateReportScheduleInput.safeParse({
    ...form,
    recipients,
    nodePath: form.nodePath === '' ? undefined : form.nodePath,
  });
  const errors: ScheduleFormErrors = {};
  const runs = upcomingRuns(form.cron, form.timeZone, Date.now(), 1);
  if ('error' in runs) errors.cron = runs.error;
  if (!checked.success)
    for (const issue of checked.error.issues) {
      const field = issue.path[0];
      if (field === 'recipients' && typeof issue.path[1] === 'number')
        errors.recipients ??= `"${recipients[issue.path[1]]}" is not an email address`;
      else if (field === 'recipients') errors.recipients ??= 'At least one email address, at most 50';
      else if (typeof field === 'string' && isCheckedField(field)) errors[field] ??= issue.message;
    }
  if (checked.success && Object.keys(errors).length === 0) return { ok: true, input: checked.data };
  return { ok: false, errors: Object.keys(errors).length > 0 ? errors : { name: 'Check the schedule' } };
}

const CHECKED_FIELDS: readonly string[] = ['name', 'cron', 'timeZone', 'recipients'] satisfies CheckedField[];

function isCheckedField(name: string): name is CheckedField {
  return CHECKED_FIELDS.includes(name);
}

/**
 * The next `count` times the expression fires in its zone after `from`, as croner (the BFF's
 * scheduler) reads it, or croner's reason it cannot.
 */
export function upcomingRuns(
  cron: string,
  timeZone: string,
  from: number,
  count: number,
): { runs: Date[] } | { error: string } {
  try {
    const runs = new Cron(cron.trim(), { timezone: timeZone, paused: true }).nextRuns(count, new Date(from));
    return runs.length > 0 ? { runs } : { error: 'This expression never fires again' };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * A refused save as errors beside the fields it names: the contract's issues by their path, a cron
 * croner refused (`cron: …`) beside the expression; undefined when the error names no field.
 */
export function serverFieldErrors(error: unknown): ScheduleFormErrors | undefined {
  if (!(error instanceof TRPCClientError)) return undefined;
  if (error.message.startsWith('cron:')) return { cron: error.message.slice('cron:'.length).trim() };
  if (inputIssues(error.message) === undefined) return undefined;
  const errors: ScheduleFormErrors = {};
  for (const issue of JSON.parse(error.message) as { path: (string | number)[]; message: string }[]) {
    const field = String(issue.path[0]);
    if (isCheckedField(field)) errors[field] ??= issue.message;
  }
  return Object.keys(errors).length > 0 ? errors : undefined;
}

/** A run time as the schedule's zone reads it ("Mon, 8 Dec 2026, 06:30"): the zone the cron is written in. */
export function formatRunTime(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  }).format(at);
}

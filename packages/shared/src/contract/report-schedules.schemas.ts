// Scheduled reports and their archive: the console's, served by the BFF alone (docs/decisions/0031).
import { z } from 'zod';
import { NodePath } from '../domain/ids.ts';
import { Timestamp } from '../domain/time.ts';

export const REPORT_PERIODS = ['7d', '30d', '90d', 'month', 'last-month'] as const;
export const ReportPeriod = z.enum(REPORT_PERIODS);
export type ReportPeriod = z.infer<typeof ReportPeriod>;

/** How the console names each period (the report page, the PDF's header, the email). */
export const PERIOD_LABELS: Record<ReportPeriod, string> = {
  '7d': 'Last 7 days',
  '30d': 'Last 30 days',
  '90d': 'Last 90 days',
  month: 'This month',
  'last-month': 'Last month',
};

export const ReportGroupingName = z.enum(['node', 'site', 'kind']);
export const ReportFormat = z.enum(['pdf', 'csv']);
export type ReportFormat = z.infer<typeof ReportFormat>;
export const PaperFormat = z.enum(['A4', 'Letter']);

/** An IANA time zone the runtime knows (`Europe/Berlin`, `UTC`). */
export const TimeZone = z
  .string()
  .min(1)
  .max(64)
  .refine(
    (zone) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: zone });
        return true;
      } catch {
        return false;
      }
    },
    { message: 'time zone: an IANA name such as Europe/Berlin or UTC' },
  );

/** A cron expression as croner reads it (5 or 6 fields); the BFF checks it parses. */
export const CronExpression = z
  .string()
  .trim()
  .min(9)
  .max(120)
  .regex(/^\S+(\s+\S+){4,5}$/, 'cron: five or six fields, e.g. "0 7 * * 1" (Mondays at 07:00)');

export const ScheduleId = z.number().int().positive();

/** A schedule's fields as stored, none defaulted: an update changes only what it names. */
const ScheduleFieldValues = z.object({
  name: z.string().trim().min(1).max(200),
  cron: CronExpression,
  timeZone: TimeZone,
  recipients: z.array(z.email().max(254)).min(1).max(50),
  format: ReportFormat,
  paper: PaperFormat,
  period: ReportPeriod,
  grouping: ReportGroupingName,
  /** Only this node and its subtree; unset: everything the author sees. */
  nodePath: NodePath.optional(),
  /** A paused schedule keeps its definition and archive but does not fire; resuming plans its next run from then. */
  paused: z.boolean(),
});

export const ReportScheduleFields = ScheduleFieldValues.extend({
  timeZone: TimeZone.default('UTC'),
  format: ReportFormat.default('pdf'),
  paper: PaperFormat.default('A4'),
  period: ReportPeriod.default('last-month'),
  grouping: ReportGroupingName.default('node'),
  paused: z.boolean().default(false),
});

export const CreateReportScheduleInput = ReportScheduleFields;
export type CreateReportScheduleInput = z.input<typeof CreateReportScheduleInput>;

// Not `ReportScheduleFields.partial()`: zod fills a partial's defaults, so pausing would reset the format.
export const UpdateReportScheduleInput = ScheduleFieldValues.partial()
  .extend({ id: ScheduleId, nodePath: NodePath.nullable().optional() })
  .refine((input) => Object.keys(input).length > 1, 'nothing to change');
export type UpdateReportScheduleInput = z.infer<typeof UpdateReportScheduleInput>;

export const ReportSchedule = ScheduleFieldValues.extend({
  id: ScheduleId,
  nodePath: NodePath.nullable(),
  createdBy: z.string(),
  nextRunAt: Timestamp,
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type ReportSchedule = z.infer<typeof ReportSchedule>;

/**
 * How a made report's email went: `sending` (first attempt under way), `delivered`, `retrying`
 * (the last attempt failed; another is due at `nextAttemptAt`) or `failed` (no attempt left).
 */
export const ReportDelivery = z.enum(['sending', 'delivered', 'retrying', 'failed']);
export type ReportDelivery = z.infer<typeof ReportDelivery>;

export const ArchivedReport = z.object({
  id: z.number().int().positive(),
  scheduleId: ScheduleId.nullable(),
  name: z.string(),
  madeAt: Timestamp,
  nodePath: z.string(),
  period: z.string(),
  from: Timestamp,
  to: Timestamp,
  coverage: z.string(),
  format: ReportFormat,
  fileName: z.string(),
  size: z.number().int().min(0),
  recipients: z.array(z.string()),
  delivery: ReportDelivery,
  attempts: z.number().int().min(0),
  nextAttemptAt: Timestamp.nullable(),
  lastError: z.string().nullable(),
  deliveredAt: Timestamp.nullable(),
  /** Where the file is opened: `GET` with the console session. */
  href: z.string(),
});
export type ArchivedReport = z.infer<typeof ArchivedReport>;

export const ReportArchiveFilter = z.object({
  scheduleId: ScheduleId.optional(),
  limit: z.number().int().min(1).max(200).default(50),
});
export type ReportArchiveFilter = z.infer<typeof ReportArchiveFilter>;

import {
  bigint,
  bigserial,
  boolean,
  customType,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
} from 'drizzle-orm/pg-core';
import type { ReportPeriod } from '@tierscope/shared';
import { users } from './users.ts';

const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => 'bytea',
  fromDriver: (value) => Buffer.from(value),
});

/** Reports an admin scheduled: made as their creator (role and scope), emailed as a file. */
export const reportSchedules = pgTable('report_schedules', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  name: text('name').notNull(),
  /** Five or six fields (croner), read in `time_zone`. */
  cron: text('cron').notNull(),
  timeZone: text('time_zone').notNull(),
  recipients: jsonb('recipients').$type<string[]>().notNull(),
  format: text('format', { enum: ['pdf', 'csv'] }).notNull(),
  paper: text('paper', { enum: ['A4', 'Letter'] }).notNull(),
  period: text('period').$type<ReportPeriod>().notNull(),
  grouping: text('grouping', { enum: ['node', 'site', 'kind'] }).notNull(),
  nodePath: text('node_path'),
  /** Paused schedules are never due; the scheduler skips them. */
  paused: boolean('paused').notNull().default(false),
  /** The report is made as this user: a schedule never sees more than its author. */
  createdBy: bigint('created_by', { mode: 'number' })
    .notNull()
    .references(() => users.id),
  /** When it fires next; the scheduler takes due rows and moves this forward first. */
  nextRunAt: timestamp('next_run_at', { withTimezone: true }).notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
});

/** Every report a schedule made, kept for its retention, with how its email went. */
export const reportArchive = pgTable(
  'report_archive',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    scheduleId: bigint('schedule_id', { mode: 'number' }).references(() => reportSchedules.id, {
      onDelete: 'set null',
    }),
    name: text('name').notNull(),
    madeAt: timestamp('made_at', { withTimezone: true }).notNull(),
    /** The subtree the report covers ('' for the author's whole scope): viewers see rows in their scope. */
    nodePath: text('node_path').notNull(),
    period: text('period').notNull(),
    fromMs: bigint('from_ms', { mode: 'number' }).notNull(),
    toMs: bigint('to_ms', { mode: 'number' }).notNull(),
    coverage: text('coverage').notNull(),
    format: text('format', { enum: ['pdf', 'csv'] }).notNull(),
    fileName: text('file_name').notNull(),
    content: bytea('content').notNull(),
    recipients: jsonb('recipients').$type<string[]>().notNull(),
    delivery: text('delivery', { enum: ['sending', 'delivered', 'retrying', 'failed'] }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }),
    lastError: text('last_error'),
    deliveredAt: timestamp('delivered_at', { withTimezone: true }),
  },
  (t) => [index('report_archive_made_at').on(t.madeAt), index('report_archive_due').on(t.nextAttemptAt)],
);

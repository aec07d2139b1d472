// Scheduled reports and the archive of what they made, in the BFF's database.
import { and, desc, eq, getTableColumns, inArray, lt, lte, sql } from 'drizzle-orm';
import {
  isInSubtree,
  type ArchivedReport,
  type ReportArchiveFilter,
  type ReportDelivery,
  type ReportSchedule,
  type Scope,
} from '@tierscope/shared';
import type { BffDatabase } from '../store/client.ts';
import { reportArchive, reportSchedules, users } from '../store/schema.ts';

export type ScheduleRow = typeof reportSchedules.$inferSelect;
export type NewScheduleRow = Omit<typeof reportSchedules.$inferInsert, 'id'>;
export type ArchiveRow = typeof reportArchive.$inferSelect;
export type NewArchiveRow = Omit<typeof reportArchive.$inferInsert, 'id'>;

/** What one delivery attempt changed on an archive row. */
export interface DeliveryUpdate {
  delivery: ReportDelivery;
  attempts: number;
  nextAttemptAt: Date | null;
  lastError: string | null;
  deliveredAt: Date | null;
}

export interface ReportStore {
  schedules(): Promise<ReportSchedule[]>;
  schedule(id: number): Promise<ScheduleRow | undefined>;
  insertSchedule(row: NewScheduleRow): Promise<number>;
  updateSchedule(id: number, change: Partial<NewScheduleRow>): Promise<boolean>;
  deleteSchedule(id: number): Promise<boolean>;
  /** Running (not paused) schedules whose next run is at or before `now`. */
  dueSchedules(now: number): Promise<ScheduleRow[]>;
  /**
   * Moves a due schedule's next run from `was` to `next`; false when another replica moved it
   * first (the run is theirs).
   */
  claimRun(id: number, was: Date, next: Date): Promise<boolean>;
  archive(row: NewArchiveRow): Promise<ArchiveRow>;
  /** Rows waiting for another attempt whose time has come. */
  dueDeliveries(now: number): Promise<ArchiveRow[]>;
  updateDelivery(id: number, update: DeliveryUpdate): Promise<void>;
  /** Newest first; only rows whose subtree lies in `scope` (all of them without a scope). */
  listArchive(filter: ReportArchiveFilter, scope: Scope | undefined): Promise<ArchivedReport[]>;
  archived(id: number): Promise<ArchiveRow | undefined>;
  /** Deletes rows made before `before`; returns how many. */
  purgeArchive(before: number): Promise<number>;
}

/** A row's subtree is in scope when its path lies under one of the scope's roots ('' is the whole tree). */
export function archiveInScope(nodePath: string, scope: Scope | undefined): boolean {
  return scope === undefined || (nodePath !== '' && scope.some((root) => isInSubtree(nodePath, root)));
}

/** An archive row as listed: everything but the file, and the file's size. */
type ListedArchiveRow = Omit<ArchiveRow, 'content'> & { size: number };

const { content, ...listedColumns } = getTableColumns(reportArchive);
const LISTED = { ...listedColumns, size: sql<number>`octet_length(${content})`.mapWith(Number) };

export function archivedReportOf(row: ListedArchiveRow): ArchivedReport {
  return {
    id: row.id,
    scheduleId: row.scheduleId,
    name: row.name,
    madeAt: row.madeAt.getTime(),
    nodePath: row.nodePath,
    period: row.period,
    from: row.fromMs,
    to: row.toMs,
    coverage: row.coverage,
    format: row.format,
    fileName: row.fileName,
    size: row.size,
    recipients: row.recipients,
    delivery: row.delivery,
    attempts: row.attempts,
    nextAttemptAt: row.nextAttemptAt?.getTime() ?? null,
    lastError: row.lastError,
    deliveredAt: row.deliveredAt?.getTime() ?? null,
    href: `/export/archive/${row.id}`,
  };
}

export function createReportStore(db: BffDatabase): ReportStore {
  return {
    async schedules() {
      const rows = await db
        .select({ schedule: reportSchedules, author: users.name })
        .from(reportSchedules)
        .innerJoin(users, eq(users.id, reportSchedules.createdBy))
        .orderBy(reportSchedules.name, reportSchedules.id);
      return rows.map(({ schedule: s, author }) => ({
        id: s.id,
        name: s.name,
        cron: s.cron,
        timeZone: s.timeZone,
        recipients: s.recipients,
        format: s.format,
        paper: s.paper,
        period: s.period,
        grouping: s.grouping,
        nodePath: s.nodePath,
        paused: s.paused,
        createdBy: author,
        nextRunAt: s.nextRunAt.getTime(),
        createdAt: s.createdAt.getTime(),
        updatedAt: s.updatedAt.getTime(),
      }));
    },
    async schedule(id) {
      const [row] = await db.select().from(reportSchedules).where(eq(reportSchedules.id, id));
      return row;
    },
    async insertSchedule(row) {
      const [inserted] = await db.insert(reportSchedules).values(row).returning({ id: reportSchedules.id });
      return inserted!.id;
    },
    async updateSchedule(id, change) {
      const updated = await db
        .update(reportSchedules)
        .set(change)
        .where(eq(reportSchedules.id, id))
        .returning({ id: reportSchedules.id });
      return updated.length > 0;
    },
    async deleteSchedule(id) {
      const deleted = await db
        .delete(reportSchedules)
        .where(eq(reportSchedules.id, id))
        .returning({ id: reportSchedules.id });
      return deleted.length > 0;
    },
    dueSchedules: (now) =>
      db
        .select()
        .from(reportSchedules)
        .where(and(eq(reportSchedules.paused, false), lte(reportSchedules.nextRunAt, new Date(now)))),
    async claimRun(id, was, next) {
      const claimed = await db
        .update(reportSchedules)
        .set({ nextRunAt: next })
        .where(and(eq(reportSchedules.id, id), eq(reportSchedules.nextRunAt, was)))
        .returning({ id: reportSchedules.id });
      return claimed.length > 0;
    },
    async archive(row) {
      const [inserted] = await db.insert(reportArchive).values(row).returning();
      return inserted!;
    },
    dueDeliveries: (now) =>
      db
        .select()
        .from(reportArchive)
        .where(
          and(
            inArray(reportArchive.delivery, ['sending', 'retrying']),
            lte(reportArchive.nextAttemptAt, new Date(now)),
          ),
        ),
    async updateDelivery(id, update) {
      await db.update(reportArchive).set(update).where(eq(reportArchive.id, id));
    },
    async listArchive(filter, scope) {
      const rows = await db
        .select(LISTED)
        .from(reportArchive)
        .where(filter.scheduleId === undefined ? undefined : eq(reportArchive.scheduleId, filter.scheduleId))
        .orderBy(desc(reportArchive.madeAt), desc(reportArchive.id))
        .limit(scope === undefined ? filter.limit : 1000);
      return rows
        .filter((row) => archiveInScope(row.nodePath, scope))
        .slice(0, filter.limit)
        .map(archivedReportOf);
    },
    async archived(id) {
      const [row] = await db.select().from(reportArchive).where(eq(reportArchive.id, id));
      return row;
    },
    async purgeArchive(before) {
      const deleted = await db
        .delete(reportArchive)
        .where(lt(reportArchive.madeAt, new Date(before)))
        .returning({ id: reportArchive.id });
      return deleted.length;
    },
  };
}

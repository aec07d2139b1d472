import { TRPCError } from '@trpc/server';
import type { ConsoleService, ReportSchedule } from '@tierscope/shared';
import type { AuditLog, AuditOrigin } from '../console/audit.ts';
import type { ConsoleCaller } from '../console/console-auth.ts';
import type { ReportStore } from './report-store.ts';
import { nextRunOf } from './report-scheduler.ts';

export type ReportConsole = Pick<ConsoleService, 'reportSchedules' | 'reportArchive'>;

export interface ReportConsoleDeps {
  store: ReportStore;
  audit: AuditLog;
  now: () => number;
}

/** A cron expression croner cannot read is the caller's mistake: 400 with croner's reason. */
function checkedNextRun(cron: string, timeZone: string, now: number): Date {
  try {
    return nextRunOf(cron, timeZone, now);
  } catch (error) {
    throw new TRPCError({
      code: 'BAD_REQUEST',
      message: `cron: ${error instanceof Error ? error.message : String(error)}`,
    });
  }
}

/**
 * The schedules and the archive for one caller: a schedule they create is made as them (their role
 * and scope); the archive lists what lies in their scope. Changes are audited.
 */
export function reportConsoleFor(
  deps: ReportConsoleDeps,
  caller: ConsoleCaller,
  origin: AuditOrigin,
): ReportConsole {
  const { store, audit, now } = deps;
  const found = async (id: number): Promise<ReportSchedule> => {
    const schedule = (await store.schedules()).find((s) => s.id === id);
    if (!schedule) throw new TRPCError({ code: 'NOT_FOUND', message: `no report schedule ${id}` });
    return schedule;
  };
  return {
    reportSchedules: {
      list: () => store.schedules(),
      create: async (input) => {
        const at = now();
        const id = await store.insertSchedule({
          name: input.name,
          cron: input.cron,
          timeZone: input.timeZone ?? 'UTC',
          recipients: input.recipients,
          format: input.format ?? 'pdf',
          paper: input.paper ?? 'A4',
          period: input.period ?? 'last-month',
          grouping: input.grouping ?? 'node',
          nodePath: input.nodePath ?? null,
          paused: input.paused ?? false,
          createdBy: caller.userId,
          nextRunAt: checkedNextRun(input.cron, input.timeZone ?? 'UTC', at),
          createdAt: new Date(at),
          updatedAt: new Date(at),
        });
        await audit.append(origin, { action: 'report.schedule.create', target: input.name, details: { id } });
        return found(id);
      },
      update: async ({ id, ...change }) => {
        const current = await found(id);
        const at = now();
        const cron = change.cron ?? current.cron;
        const timeZone = change.timeZone ?? current.timeZone;
        await store.updateSchedule(id, {
          ...change,
          nextRunAt: checkedNextRun(cron, timeZone, at),
          updatedAt: new Date(at),
        });
        await audit.append(origin, {
          action: 'report.schedule.update',
          target: current.name,
          details: { id, ...change },
        });
        return found(id);
      },
      delete: async (id) => {
        const deleted = await store.deleteSchedule(id);
        if (deleted)
          await audit.append(origin, { action: 'report.schedule.delete', target: String(id), details: {} });
        return { deleted };
      },
    },
    reportArchive: {
      list: (filter) => store.listArchive(filter, caller.actor.scope),
    },
  };
}

import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import {
  AuditChainReport,
  AuditFilter,
  AuditPage,
  ConsoleUser,
  CreateUserInput,
  NotificationSettings,
  PushSubscriptionInput,
  ResetPasswordInput,
  SessionInfo,
  UpdateNotificationSettingsInput,
  UpdateUserInput,
  UserId,
} from './console.schemas.ts';
import {
  ArchivedReport,
  CreateReportScheduleInput,
  ReportArchiveFilter,
  ReportSchedule,
  ScheduleId,
  UpdateReportScheduleInput,
} from './report-schedules.schemas.ts';
import {
  Dashboard,
  DashboardIdInput,
  DashboardSummary,
  ImportDashboardInput,
  SaveDashboardInput,
} from './dashboards.schemas.ts';
import type { ConsoleService } from './console.service.ts';
import { adminProcedure, operatorProcedure, router, viewerProcedure, type NodeContext } from './trpc.ts';

/** The context of the console's procedures: the BFF adds the caller's console service. */
export type ConsoleContext = NodeContext & { console?: ConsoleService | undefined };

/** Only the BFF has a console; anywhere else (a node) these procedures do not exist. */
function consoleIn(ctx: NodeContext): ConsoleService {
  const service = (ctx as ConsoleContext).console;
  if (!service) throw new TRPCError({ code: 'NOT_FOUND', message: 'this tier has no console' });
  return service;
}

const admin = adminProcedure.use(({ ctx, next }) => next({ ctx: { console: consoleIn(ctx) } }));
const signedIn = viewerProcedure.use(({ ctx, next }) => next({ ctx: { console: consoleIn(ctx) } }));
const building = operatorProcedure.use(({ ctx, next }) => next({ ctx: { console: consoleIn(ctx) } }));
const IdInput = z.object({ id: UserId });

/**
 * Users, the audit log and report schedules (admin); the caller's own sessions and the report
 * archive (anyone signed in); dashboards (anyone reads those shared with them, operators build).
 */
export const consoleRouter = router({
  users: router({
    list: admin.output(z.array(ConsoleUser)).query(({ ctx }) => ctx.console.users.list()),
    create: admin
      .input(CreateUserInput)
      .output(ConsoleUser)
      .mutation(({ ctx, input }) => ctx.console.users.create(input)),
    update: admin
      .input(UpdateUserInput)
      .output(ConsoleUser)
      .mutation(({ ctx, input }) => ctx.console.users.update(input)),
    disable: admin
      .input(IdInput)
      .output(ConsoleUser)
      .mutation(({ ctx, input }) => ctx.console.users.setDisabled(input.id, true)),
    enable: admin
      .input(IdInput)
      .output(ConsoleUser)
      .mutation(({ ctx, input }) => ctx.console.users.setDisabled(input.id, false)),
    resetPassword: admin
      .input(ResetPasswordInput)
      .output(ConsoleUser)
      .mutation(({ ctx, input }) => ctx.console.users.resetPassword(input)),
    revokeSessions: admin
      .input(IdInput)
      .output(z.object({ ended: z.number().int() }))
      .mutation(({ ctx, input }) => ctx.console.users.revokeSessions(input.id)),
  }),
  audit: router({
    list: admin
      .input(AuditFilter)
      .output(AuditPage)
      .query(({ ctx, input }) => ctx.console.audit.list(input)),
    verify: admin.output(AuditChainReport).query(({ ctx }) => ctx.console.audit.verify()),
  }),
  notifications: router({
    get: signedIn.output(NotificationSettings).query(({ ctx }) => ctx.console.notifications.get()),
    update: signedIn
      .input(UpdateNotificationSettingsInput)
      .output(NotificationSettings)
      .mutation(({ ctx, input }) => ctx.console.notifications.update(input)),
    subscribePush: signedIn
      .input(PushSubscriptionInput)
      .output(NotificationSettings)
      .mutation(({ ctx, input }) => ctx.console.notifications.subscribePush(input)),
    unsubscribePush: signedIn
      .input(PushSubscriptionInput.pick({ endpoint: true }))
      .output(NotificationSettings)
      .mutation(({ ctx, input }) => ctx.console.notifications.unsubscribePush(input.endpoint)),
  }),
  sessions: router({
    list: signedIn.output(z.array(SessionInfo)).query(({ ctx }) => ctx.console.sessions.list()),
    revoke: signedIn
      .input(z.object({ id: z.number().int() }))
      .output(z.object({ revoked: z.boolean() }))
      .mutation(({ ctx, input }) => ctx.console.sessions.revoke(input.id)),
  }),
  reportSchedules: router({
    list: admin.output(z.array(ReportSchedule)).query(({ ctx }) => ctx.console.reportSchedules.list()),
    create: admin
      .input(CreateReportScheduleInput)
      .output(ReportSchedule)
      .mutation(({ ctx, input }) => ctx.console.reportSchedules.create(input)),
    update: admin
      .input(UpdateReportScheduleInput)
      .output(ReportSchedule)
      .mutation(({ ctx, input }) => ctx.console.reportSchedules.update(input)),
    delete: admin
      .input(z.object({ id: ScheduleId }))
      .output(z.object({ deleted: z.boolean() }))
      .mutation(({ ctx, input }) => ctx.console.reportSchedules.delete(input.id)),
  }),
  reportArchive: router({
    list: signedIn
      .input(ReportArchiveFilter)
      .output(z.array(ArchivedReport))
      .query(({ ctx, input }) => ctx.console.reportArchive.list(input)),
  }),
  dashboards: router({
    list: signedIn.output(z.array(DashboardSummary)).query(({ ctx }) => ctx.console.dashboards.list()),
    get: signedIn
      .input(DashboardIdInput)
      .output(Dashboard)
      .query(({ ctx, input }) => ctx.console.dashboards.get(input.id)),
    save: building
      .input(SaveDashboardInput)
      .output(Dashboard)
      .mutation(({ ctx, input }) => ctx.console.dashboards.save(input)),
    delete: building
      .input(DashboardIdInput)
      .output(z.object({ deleted: z.boolean() }))
      .mutation(({ ctx, input }) => ctx.console.dashboards.delete(input.id)),
    import: building
      .input(ImportDashboardInput)
      .output(Dashboard)
      .mutation(({ ctx, input }) => ctx.console.dashboards.import(input)),
  }),
});

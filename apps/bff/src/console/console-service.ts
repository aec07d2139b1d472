import type { ConsoleService } from '@tierscope/shared';
import type { AuditOrigin } from './audit.ts';
import type { ConsoleAccess } from './console-access.ts';
import type { ConsoleCaller } from './console-auth.ts';
import { reportConsoleFor, type ReportConsoleDeps } from '../reports/report-console.ts';
import { dashboardConsoleFor } from '../dashboards/dashboard-console.ts';
import type { DashboardStore } from '../dashboards/dashboard-store.ts';

/** The audit log's "who and from where" of a console caller's actions. */
export function auditOriginOf(caller: ConsoleCaller): AuditOrigin {
  return { actor: caller.actor.name, address: caller.address };
}

/**
 * The console's services for one signed-in caller: what `console.*` procedures call. The roles are
 * checked by the contract's procedures; this binds who acts, for the audit log and "my sessions".
 */
export function consoleServiceFor(
  access: ConsoleAccess,
  caller: ConsoleCaller,
  reports: Omit<ReportConsoleDeps, 'audit'>,
  dashboards: DashboardStore,
): ConsoleService {
  const { users, sessions, audit, notificationSettings } = access;
  const origin = auditOriginOf(caller);
  return {
    ...reportConsoleFor({ ...reports, audit }, caller, origin),
    ...dashboardConsoleFor({ store: dashboards, audit, now: reports.now }, caller, origin),
    users: {
      list: () => users.list(),
      create: (input) => users.create(input, origin),
      update: (input) => users.update(input, origin),
      setDisabled: (id, disabled) => users.setDisabled(id, disabled, origin),
      resetPassword: (input) => users.resetPassword(input, origin),
      revokeSessions: async (id) => {
        const user = await users.get(id);
        const ended = await sessions.revokeAllOfUser(id);
        await audit.append(origin, { action: 'session.revoke.all', target: user.name, details: { ended } });
        return { ended };
      },
    },
    notifications: {
      get: () => notificationSettings.get(caller.userId),
      update: (input) => notificationSettings.update(caller.userId, input, origin),
      subscribePush: (input) => notificationSettings.subscribePush(caller.userId, input, origin),
      unsubscribePush: (endpoint) => notificationSettings.unsubscribePush(caller.userId, endpoint, origin),
    },
    audit: {
      list: (filter) => audit.list(filter),
      verify: () => audit.verify(),
    },
    sessions: {
      list: async () =>
        (await sessions.listOfUser(caller.userId)).map((session) => ({
          ...session,
          current: session.id === caller.sessionId,
        })),
      revoke: async (id) => {
        const revoked = await sessions.revoke(caller.userId, id);
        if (revoked) {
          await audit.append(origin, {
            action: 'session.revoke',
            target: caller.actor.name,
            details: { sessionId: id },
          });
        }
        return { revoked };
      },
    },
  };
}

import type {
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
} from './console.schemas.ts';
import type {
  ArchivedReport,
  CreateReportScheduleInput,
  ReportArchiveFilter,
  ReportSchedule,
  UpdateReportScheduleInput,
} from './report-schedules.schemas.ts';
import type {
  Dashboard,
  DashboardSummary,
  ImportDashboardInput,
  SaveDashboardInput,
} from './dashboards.schemas.ts';

/**
 * What the console needs beside the node contract, bound to one signed-in caller: the BFF makes
 * one per request, so every change is audited as that caller, from that address.
 */
export interface ConsoleService {
  users: {
    list(): Promise<ConsoleUser[]>;
    create(input: CreateUserInput): Promise<ConsoleUser>;
    /** A new role or scope ends the user's sessions, so it applies at once. */
    update(input: UpdateUserInput): Promise<ConsoleUser>;
    setDisabled(id: number, disabled: boolean): Promise<ConsoleUser>;
    resetPassword(input: ResetPasswordInput): Promise<ConsoleUser>;
    /** Logs the user out everywhere at once. */
    revokeSessions(id: number): Promise<{ ended: number }>;
  };
  audit: {
    list(filter: AuditFilter): Promise<AuditPage>;
    verify(): Promise<AuditChainReport>;
  };
  /** How the caller is told about alerts: email, quiet hours and their browsers' push subscriptions. */
  notifications: {
    get(): Promise<NotificationSettings>;
    update(input: UpdateNotificationSettingsInput): Promise<NotificationSettings>;
    /** Subscribing the same browser again replaces its keys. */
    subscribePush(input: PushSubscriptionInput): Promise<NotificationSettings>;
    unsubscribePush(endpoint: string): Promise<NotificationSettings>;
  };
  /** The caller's own sessions. */
  sessions: {
    list(): Promise<SessionInfo[]>;
    revoke(id: number): Promise<{ revoked: boolean }>;
  };
  /** Scheduled reports (admins); each is made as its author and emailed (docs/decisions/0031). */
  reportSchedules: {
    list(): Promise<ReportSchedule[]>;
    create(input: CreateReportScheduleInput): Promise<ReportSchedule>;
    update(input: UpdateReportScheduleInput): Promise<ReportSchedule>;
    delete(id: number): Promise<{ deleted: boolean }>;
  };
  /** Reports the schedules made, newest first: those in the caller's scope. */
  reportArchive: {
    list(filter: ReportArchiveFilter): Promise<ArchivedReport[]>;
  };
  /**
   * Dashboards (docs/decisions/0035): the caller's own and those shared with their role. Saving
   * or deleting one is for its owner or an admin; every change is audited.
   */
  dashboards: {
    list(): Promise<DashboardSummary[]>;
    get(id: number): Promise<Dashboard>;
    save(input: SaveDashboardInput): Promise<Dashboard>;
    delete(id: number): Promise<{ deleted: boolean }>;
    /** Validates the JSON and says what is wrong in a BAD_REQUEST; a valid one is saved as the caller's. */
    import(input: ImportDashboardInput): Promise<Dashboard>;
  };
}

import type { BffConfig } from '../env.ts';
import type { BffDatabase } from '../store/client.ts';
import { createAuditLog, type AuditLog } from './audit.ts';
import {
  createLoginLimiter,
  DEFAULT_LOGIN_LIMITS,
  type LoginLimiter,
  type LoginLimits,
} from './login-limiter.ts';
import { createNotificationSettings, type NotificationSettingsStore } from './notification-settings.ts';
import { createSessions, type SessionSettings, type Sessions } from './sessions.ts';
import { createUsers, type Users } from './users.ts';

export interface ConsoleAccessSettings {
  /** BFF_PUBLIC_URL: when it is https the cookie is `__Host-` and Secure, and HSTS is sent. */
  publicUrl: string | undefined;
  session: SessionSettings;
  loginLimits: LoginLimits;
  /**
   * How often an open live stream (a tRPC subscription) checks that its session is still live; a
   * stream whose session ended is closed, and the browser's reconnect then gets 401.
   */
  liveStreamRecheckMs: number;
  /** The BFF's VAPID public key, which browsers subscribe with; unset: no push. */
  pushPublicKey: string | undefined;
}

/** Everything the console's access layer runs on; made once at start, shared by the routes and the router. */
export interface ConsoleAccess {
  settings: ConsoleAccessSettings;
  users: Users;
  sessions: Sessions;
  loginLimiter: LoginLimiter;
  audit: AuditLog;
  notificationSettings: NotificationSettingsStore;
}

export function consoleAccessSettingsOf(config: BffConfig): ConsoleAccessSettings {
  return {
    publicUrl: config.publicUrl,
    session: { idleMs: config.sessionIdleMinutes * 60_000, absoluteMs: config.sessionMaxHours * 3_600_000 },
    loginLimits: DEFAULT_LOGIN_LIMITS,
    liveStreamRecheckMs: 15_000,
    pushPublicKey: config.vapid?.publicKey,
  };
}

/** `now` is injectable so tests move time instead of waiting for timeouts. */
export function createConsoleAccess(
  db: BffDatabase,
  settings: ConsoleAccessSettings,
  now: () => number = () => Date.now(),
): ConsoleAccess {
  const audit = createAuditLog(db, now);
  const sessions = createSessions(db, settings.session, now);
  return {
    settings,
    audit,
    sessions,
    users: createUsers({ db, sessions, audit, now }),
    loginLimiter: createLoginLimiter(db, settings.loginLimits, now),
    notificationSettings: createNotificationSettings({
      db,
      audit,
      pushPublicKey: settings.pushPublicKey,
      now,
    }),
  };
}

export interface SessionCookie {
  name: string;
  secure: boolean;
}

/**
 * Behind https the cookie is `__Host-tierscope_session`: the browser then insists on Secure,
 * Path=/ and no Domain, so no other host or path can plant or read it. Over plain http (development)
 * it is `tierscope_session`, without Secure, which the browser would not send back there.
 */
export function sessionCookieOf(publicUrl: string | undefined): SessionCookie {
  return publicUrl?.startsWith('https://')
    ? { name: '__Host-tierscope_session', secure: true }
    : { name: 'tierscope_session', secure: false };
}

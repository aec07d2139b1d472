import { createHash, randomBytes } from 'node:crypto';
import { and, desc, eq, lt, or, sql } from 'drizzle-orm';
import type { Role } from '@tierscope/shared';
import type { BffDatabase } from '../store/client.ts';
import { sessions, users } from '../store/schema.ts';

export interface SessionSettings {
  /** A session unused this long is over (the console's requests keep it alive). */
  idleMs: number;
  /** A session is over this long after login, however busy. */
  absoluteMs: number;
}

/** Where a session was started from, shown to its user in the session list. */
export interface SessionClient {
  address: string;
  userAgent: string;
}

/** The user behind a live session, read fresh at each request (a role change applies at once). */
export interface SessionUser {
  id: number;
  name: string;
  role: Role;
  scope: string[];
  mustChangePassword: boolean;
}

export interface LiveSession {
  sessionId: number;
  user: SessionUser;
  /** When the absolute timeout ends it (epoch ms). */
  expiresAt: number;
}

export interface SessionRecord {
  id: number;
  createdAt: number;
  lastSeenAt: number;
  address: string;
  userAgent: string;
}

export interface Sessions {
  /** Starts a session and returns its token: it goes in the cookie and is stored nowhere. */
  start(
    userId: number,
    client: SessionClient,
  ): Promise<{ token: string; sessionId: number; expiresAt: number }>;
  /** The live session of a cookie's token, or undefined when unknown, expired or revoked. */
  resolve(token: string): Promise<LiveSession | undefined>;
  /** Whether a token's session is still live, without counting as use (the idle timer keeps running). */
  isLive(token: string): Promise<boolean>;
  /** Ends the session of a token (logout); unknown tokens are ignored. */
  end(token: string): Promise<void>;
  /** Ends one of a user's sessions; false when the user has no such session. */
  revoke(userId: number, sessionId: number): Promise<boolean>;
  /** Ends every session of a user (password, role or scope changed; user disabled). */
  revokeAllOfUser(userId: number): Promise<number>;
  listOfUser(userId: number): Promise<SessionRecord[]>;
  /** Deletes sessions past either timeout; they are refused anyway, this only frees the rows. */
  purgeExpired(): Promise<number>;
}

/** 256 random bits, base64url: what a cookie must look like before it is looked up. */
const TOKEN_BYTES = 32;
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;
/** last_seen_at is written at most this often per session: one write a minute, not one per request. */
const TOUCH_EVERY_MS = 60_000;
const USER_AGENT_MAX = 256;

export function createSessions(db: BffDatabase, settings: SessionSettings, now: () => number): Sessions {
  // Every console request runs this lookup: prepared once, it is neither rebuilt nor re-planned.
  const sessionByTokenHash = db
    .select({
      sessionId: sessions.id,
      createdAt: sessions.createdAt,
      lastSeenAt: sessions.lastSeenAt,
      userId: users.id,
      name: users.name,
      role: users.role,
      scope: users.scope,
      mustChangePassword: users.mustChangePassword,
      disabled: users.disabled,
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(eq(sessions.tokenHash, sql.placeholder('tokenHash')))
    .prepare('session_by_token_hash');

  return {
    start: async (userId, client) => {
      const token = randomBytes(TOKEN_BYTES).toString('base64url');
      const at = new Date(now());
      const [row] = await db
        .insert(sessions)
        .values({
          tokenHash: hashToken(token),
          userId,
          createdAt: at,
          lastSeenAt: at,
          address: client.address,
          userAgent: client.userAgent.slice(0, USER_AGENT_MAX),
        })
        .returning({ id: sessions.id });
      return { token, sessionId: row!.id, expiresAt: at.getTime() + settings.absoluteMs };
    },

    resolve: async (token) => {
      if (!TOKEN_PATTERN.test(token)) return undefined;
      const [row] = await sessionByTokenHash.execute({ tokenHash: hashToken(token) });
      if (!row) return undefined;
      const at = now();
      if (isExpired(row, at, settings) || row.disabled) {
        await db.delete(sessions).where(eq(sessions.id, row.sessionId));
        return undefined;
      }
      if (at - row.lastSeenAt.getTime() >= TOUCH_EVERY_MS) {
        await db
          .update(sessions)
          .set({ lastSeenAt: new Date(at) })
          .where(eq(sessions.id, row.sessionId));
      }
      return {
        sessionId: row.sessionId,
        expiresAt: row.createdAt.getTime() + settings.absoluteMs,
        user: {
          id: row.userId,
          name: row.name,
          role: row.role,
          scope: row.scope,
          mustChangePassword: row.mustChangePassword,
        },
      };
    },

    isLive: async (token) => {
      if (!TOKEN_PATTERN.test(token)) return false;
      const [row] = await sessionByTokenHash.execute({ tokenHash: hashToken(token) });
      return row !== undefined && !row.disabled && !isExpired(row, now(), settings);
    },

    end: async (token) => {
      if (!TOKEN_PATTERN.test(token)) return;
      await db.delete(sessions).where(eq(sessions.tokenHash, hashToken(token)));
    },

    revoke: async (userId, sessionId) => {
      const deleted = await db
        .delete(sessions)
        .where(and(eq(sessions.id, sessionId), eq(sessions.userId, userId)))
        .returning({ id: sessions.id });
      return deleted.length > 0;
    },

    revokeAllOfUser: async (userId) => {
      const deleted = await db
        .delete(sessions)
        .where(eq(sessions.userId, userId))
        .returning({ id: sessions.id });
      return deleted.length;
    },

    listOfUser: async (userId) => {
      const rows = await db
        .select()
        .from(sessions)
        .where(eq(sessions.userId, userId))
        .orderBy(desc(sessions.lastSeenAt));
      return rows.map((row) => ({
        id: row.id,
        createdAt: row.createdAt.getTime(),
        lastSeenAt: row.lastSeenAt.getTime(),
        address: row.address,
        userAgent: row.userAgent,
      }));
    },

    purgeExpired: async () => {
      const at = now();
      const deleted = await db
        .delete(sessions)
        .where(
          or(
            lt(sessions.createdAt, new Date(at - settings.absoluteMs)),
            lt(sessions.lastSeenAt, new Date(at - settings.idleMs)),
          ),
        )
        .returning({ id: sessions.id });
      return deleted.length;
    },
  };
}

function isExpired(
  session: { createdAt: Date; lastSeenAt: Date },
  at: number,
  settings: SessionSettings,
): boolean {
  return (
    at - session.createdAt.getTime() >= settings.absoluteMs ||
    at - session.lastSeenAt.getTime() >= settings.idleMs
  );
}

/** What the database keeps of a token: its SHA-256 (the token has 256 bits, so no salt is needed). */
function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

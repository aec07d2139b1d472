import ipaddr from 'ipaddr.js';
import { and, desc, eq, gt, inArray, lt, ne, type SQL, sql } from 'drizzle-orm';
import type { BffDatabase } from '../store/client.ts';
import { loginAttempts } from '../store/schema.ts';

export interface LoginLimits {
  /** Failed logins of one account within the window before it is refused (a success resets it). */
  perAccount: number;
  /** Failed logins from one address within the window, over every account, before it is refused. */
  perAddress: number;
  windowMs: number;
}

/** OWASP's usual numbers: 5 per account and 20 per address in 15 minutes. */
export const DEFAULT_LOGIN_LIMITS: LoginLimits = { perAccount: 5, perAddress: 20, windowMs: 15 * 60_000 };

export type LoginAdmission =
  | { allowed: true; attemptId: number }
  | { allowed: false; retryAfterMs: number; limitedBy: 'account' | 'address' };

export interface LoginLimiter {
  /**
   * Records an attempt as pending before its password is checked, then admits it only while the
   * account and the address are under their limits, counting the pending attempts of parallel
   * requests as failures, so a burst of guesses cannot slip past the count.
   */
  admit(username: string, address: string): Promise<LoginAdmission>;
  /** Records how an admitted attempt ended. */
  settle(attemptId: number, outcome: 'failed' | 'succeeded'): Promise<void>;
  /** Deletes attempts older than the window: they no longer count. */
  prune(): Promise<number>;
}

const COUNTED = ['pending', 'failed'] as const;

export function createLoginLimiter(db: BffDatabase, limits: LoginLimits, now: () => number): LoginLimiter {
  /** When the key may try again, or 0 when it is under its limit now. */
  const blockedUntil = async (
    key: SQL,
    /** For an account: only failures after its last successful login count. */
    resetBySuccessOf: string | undefined,
    limit: number,
    at: number,
    exceptId: number,
  ): Promise<number> => {
    const conditions = [
      key,
      inArray(loginAttempts.outcome, COUNTED),
      gt(loginAttempts.at, new Date(at - limits.windowMs)),
      ne(loginAttempts.id, exceptId),
    ];
    if (resetBySuccessOf !== undefined) {
      conditions.push(
        // By id, not time: a failure recorded after the success counts even within the same millisecond.
        sql`${loginAttempts.id} > coalesce((select max(s.id) from login_attempts s where s.username = ${resetBySuccessOf} and s.outcome = 'succeeded'), 0)`,
      );
    }
    // The limit-th newest failure: the key is free again once it leaves the window.
    const rows = await db
      .select({ at: loginAttempts.at })
      .from(loginAttempts)
      .where(and(...conditions))
      .orderBy(desc(loginAttempts.at))
      .limit(limit);
    return rows.length < limit ? 0 : rows[limit - 1]!.at.getTime() + limits.windowMs;
  };

  const refusal = async (
    username: string,
    address: string,
    at: number,
    exceptId: number,
  ): Promise<Extract<LoginAdmission, { allowed: false }> | undefined> => {
    const account = await blockedUntil(
      eq(loginAttempts.username, username),
      username,
      limits.perAccount,
      at,
      exceptId,
    );
    const fromAddress = await blockedUntil(
      eq(loginAttempts.address, address),
      undefined,
      limits.perAddress,
      at,
      exceptId,
    );
    const until = Math.max(account, fromAddress);
    if (until <= at) return undefined;
    return {
      allowed: false,
      retryAfterMs: until - at,
      limitedBy: account >= fromAddress ? 'account' : 'address',
    };
  };

  return {
    admit: async (username, address) => {
      const at = now();
      // A key already over its limit is refused without a write: a flood of refused tries costs reads only.
      const early = await refusal(username, address, at, 0);
      if (early) return early;
      const [row] = await db
        .insert(loginAttempts)
        .values({ at: new Date(at), username, address, outcome: 'pending' })
        .returning({ id: loginAttempts.id });
      const attemptId = row!.id;
      const raced = await refusal(username, address, at, attemptId);
      if (raced) {
        await db.update(loginAttempts).set({ outcome: 'refused' }).where(eq(loginAttempts.id, attemptId));
        return raced;
      }
      return { allowed: true, attemptId };
    },

    settle: async (attemptId, outcome) => {
      await db.update(loginAttempts).set({ outcome }).where(eq(loginAttempts.id, attemptId));
    },

    prune: async () => {
      // A success older than the window still resets older failures, but those are out of the window too.
      const deleted = await db
        .delete(loginAttempts)
        .where(lt(loginAttempts.at, new Date(now() - limits.windowMs)))
        .returning({ id: loginAttempts.id });
      return deleted.length;
    },
  };
}

/**
 * The key an address is limited under: an IPv4 address as it is (IPv4-mapped IPv6 included), an
 * IPv6 address by its /64, since one client commonly holds a whole /64.
 */
export function addressKey(ip: string): string {
  if (!ipaddr.isValid(ip)) return ip;
  const address = ipaddr.process(ip);
  if (address.kind() === 'ipv4') return address.toString();
  const parts = (address as ipaddr.IPv6).parts.slice(0, 4).map((part) => part.toString(16));
  return `${parts.join(':')}::/64`;
}

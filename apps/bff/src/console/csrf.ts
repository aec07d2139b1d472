import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header every mutation must carry (tRPC POSTs and /auth POSTs but login). */
export const CSRF_HEADER = 'x-csrf-token';

/**
 * The session's CSRF token: an HMAC keyed with the session's secret token, so it needs no storage,
 * changes with every login, and tells nothing about the cookie. The console reads it from
 * /auth/login or /auth/me; a page on another site can read neither, so it cannot send it.
 */
export function csrfTokenFor(sessionToken: string): string {
  return createHmac('sha256', sessionToken).update('tierscope console csrf v1').digest('base64url');
}

/** Constant-time check of the header a request sent against its session's token. */
export function csrfTokenMatches(sessionToken: string, sent: string | string[] | undefined): boolean {
  if (typeof sent !== 'string') return false;
  const expected = Buffer.from(csrfTokenFor(sessionToken));
  const actual = Buffer.from(sent);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

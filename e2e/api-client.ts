import { createTRPCClient, httpLink } from '@trpc/client';
import type { ConsoleApiRouter } from '@tierscope/shared';
import { loginToConsole } from '@tierscope/test-support/console-session';

/** A console session as an HTTP client holds it: the cookie to send back and the CSRF token. */
export interface ApiSession {
  /** `name=value` of the session cookie. */
  cookie: { name: string; value: string };
  csrfToken: string;
  user: { name: string; role: string; mustChangePassword: boolean };
}

/**
 * Logs in at the BFF as any client would (POST /auth/login, JSON); throws with the server's answer
 * when it refuses. `userAgent` names the session in the user's session list.
 */
export async function logIn(
  bffUrl: string,
  username: string,
  password: string,
  userAgent = 'tierscope-e2e',
): Promise<ApiSession> {
  const session = await loginToConsole(bffUrl, { username, password }, userAgent);
  const eq = session.cookie.indexOf('=');
  return {
    cookie: { name: session.cookie.slice(0, eq), value: session.cookie.slice(eq + 1) },
    csrfToken: session.csrfToken,
    user: session.user,
  };
}

/**
 * The BFF's tRPC API over plain HTTP, as any client would call it (no batching), in a console
 * session: the cookie on every call, the CSRF token on every mutation (all are POSTs). Without a
 * session every call is refused (401): log in first (`logIn`).
 */
export function createApiClient(bffUrl: string, session?: ApiSession) {
  return createTRPCClient<ConsoleApiRouter>({
    links: [
      httpLink({
        url: `${bffUrl}/trpc`,
        headers: (): Record<string, string> =>
          session
            ? { cookie: `${session.cookie.name}=${session.cookie.value}`, 'x-csrf-token': session.csrfToken }
            : {},
      }),
    ],
  });
}
export type ApiClient = ReturnType<typeof createApiClient>;

/** A browser context's storage state holding the session, for Playwright's `storageState`. */
export function storageStateOf(bffUrl: string, session: ApiSession) {
  return {
    cookies: [
      {
        name: session.cookie.name,
        value: session.cookie.value,
        domain: new URL(bffUrl).hostname,
        path: '/',
        expires: -1,
        httpOnly: true,
        secure: false,
        sameSite: 'Lax' as const,
      },
    ],
    origins: [],
  };
}

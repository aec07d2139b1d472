/**
 * Logging in to a BFF's console from a test, bench or script: every /trpc call to the BFF needs a
 * session. The first admin of a spawned BFF gets this password (BFF_ADMIN_PASSWORD).
 */
export const TEST_ADMIN = { username: 'admin', password: 'tierscope-test-admin-password' };

/** The env a spawned BFF needs for tests: its own database in memory and a known first admin. */
export const TEST_BFF_ENV: Record<string, string> = {
  DATABASE_URL: 'pglite:memory',
  BFF_ADMIN_USER: TEST_ADMIN.username,
  BFF_ADMIN_PASSWORD: TEST_ADMIN.password,
};

export interface ConsoleSession {
  /** The `cookie` header value (`name=value`). */
  cookie: string;
  /** Who logged in, as /auth/login answers. */
  user: { name: string; role: string; mustChangePassword: boolean };
  csrfToken: string;
  /** Headers for a /trpc call: the cookie, and the CSRF token mutations need. */
  headers: Record<string, string>;
}

/**
 * POST /auth/login; throws with the BFF's answer when the login is refused. `userAgent` names the
 * session in the user's session list.
 */
export async function loginToConsole(
  bffUrl: string,
  credentials: { username: string; password: string } = TEST_ADMIN,
  userAgent = 'tierscope-tests',
): Promise<ConsoleSession> {
  const response = await fetch(`${bffUrl}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': userAgent },
    body: JSON.stringify(credentials),
  });
  if (!response.ok) {
    throw new Error(`login as ${credentials.username} refused: ${response.status} ${await response.text()}`);
  }
  const { csrfToken, user } = (await response.json()) as { csrfToken: string; user: ConsoleSession['user'] };
  const cookie = response.headers
    .getSetCookie()
    .map((header) => header.split(';')[0] ?? '')
    .join('; ');
  if (cookie === '') throw new Error(`login as ${credentials.username}: no session cookie in the answer`);
  return { cookie, user, csrfToken, headers: { cookie, 'x-csrf-token': csrfToken } };
}

/** fetch that also sends `headers` on every request: for clients that take a fetch (tRPC links, EventSource). */
export function fetchWithHeaders(headers: Record<string, string>): typeof fetch {
  return (input, init) => {
    const merged = new Headers(init?.headers);
    for (const [name, value] of Object.entries(headers)) merged.set(name, value);
    return fetch(input, { ...init, headers: merged });
  };
}

/** fetch that also sends the session's cookie and CSRF token. */
export function fetchAs(session: ConsoleSession): typeof fetch {
  return fetchWithHeaders(session.headers);
}

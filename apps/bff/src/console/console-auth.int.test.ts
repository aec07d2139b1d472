import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '@tierscope/shared';
import { testDatabaseBackends, type TestDatabase } from '@tierscope/test-support/test-databases';
import { createConsoleAccess } from './console-access.ts';
import { buildTestApp, openTestAccess, TEST_SETTINGS, type TestAccess } from '../testing/test-app.ts';

const PASSWORD = 'correct horse battery staple';
const SYSTEM = { actor: 'system', address: '' };
const MINUTE = 60_000;

interface SessionCookie {
  name: string;
  value: string;
  attributes: string[];
  header: string;
  csrfToken: string;
}

describe.each(testDatabaseBackends())('console auth on $name', (backend) => {
  let database: TestDatabase;
  let t: TestAccess;
  let app: FastifyInstance;
  let ipCounter = 0;
  /** Each test logs in from its own address, so the per-address limit of one test never hits another. */
  const freshIp = () => `203.0.113.${++ipCounter}`;

  const addUser = (name: string, role: Role, mustChangePassword = false) =>
    t.access.users.create({ name, role, password: PASSWORD }, SYSTEM, { mustChangePassword });

  const login = (username: string, password = PASSWORD, options: { ip?: string; cookie?: string } = {}) =>
    app.inject({
      method: 'POST',
      url: '/auth/login',
      payload: { username, password },
      remoteAddress: options.ip ?? '198.51.100.1',
      headers: options.cookie ? { cookie: options.cookie } : {},
    });

  const loggedIn = async (username: string, ip = freshIp()): Promise<SessionCookie> => {
    const res = await login(username, PASSWORD, { ip });
    expect(res.statusCode).toBe(200);
    return sessionCookieOf(res);
  };

  const me = (session: SessionCookie | undefined) =>
    app.inject({ method: 'GET', url: '/auth/me', headers: session ? { cookie: session.header } : {} });

  /** `csrf`: the header to send; null sends none. */
  const trpcMutation = (
    path: string,
    input: unknown,
    session?: SessionCookie,
    csrf: string | null = session?.csrfToken ?? null,
  ) =>
    app.inject({
      method: 'POST',
      url: `/trpc/${path}`,
      payload: input as Record<string, unknown>,
      headers: {
        ...(session && { cookie: session.header }),
        ...(csrf !== null && { 'x-csrf-token': csrf }),
      },
    });

  const trpcQuery = (path: string, session?: SessionCookie) =>
    app.inject({ method: 'GET', url: `/trpc/${path}`, headers: session ? { cookie: session.header } : {} });

  beforeAll(async () => {
    database = await backend.create();
    t = await openTestAccess(database.url);
    app = await buildTestApp(t.access, t.reports, t.dashboards);
    await addUser('ada', 'admin');
    await addUser('otto', 'operator');
    await addUser('vic', 'viewer');
  });
  afterAll(async () => {
    await app?.close();
    await t?.store.close();
    await database?.drop();
  });

  describe('login and the session cookie', () => {
    it("sets an httpOnly, SameSite=Lax cookie on Path=/ and answers the user, a CSRF token and the session's end", async () => {
      const loggedInAt = t.clock.now();
      const res = await login('ada', PASSWORD, { ip: freshIp() });
      expect(res.statusCode).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      const cookie = sessionCookieOf(res);
      expect(cookie.name).toBe('tierscope_session');
      expect(cookie.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(cookie.attributes).toEqual(['HttpOnly', 'Path=/', 'SameSite=Lax']);
      expect(res.json()).toEqual({
        user: { name: 'ada', role: 'admin', scope: ['**'], mustChangePassword: false },
        csrfToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) as unknown,
        expiresAt: loggedInAt + 12 * 60 * MINUTE,
      });
    });

    it('behind https names the cookie __Host-tierscope_session and marks it Secure', async () => {
      const httpsAccess = createConsoleAccess(
        t.store.db,
        { ...TEST_SETTINGS, publicUrl: 'https://console.example.com' },
        () => t.clock.now(),
      );
      const httpsApp = await buildTestApp(httpsAccess, t.reports, t.dashboards);
      try {
        const res = await httpsApp.inject({
          method: 'POST',
          url: '/auth/login',
          payload: { username: 'ada', password: PASSWORD },
          remoteAddress: freshIp(),
        });
        const cookie = sessionCookieOf(res);
        expect(cookie.name).toBe('__Host-tierscope_session');
        expect(cookie.attributes).toEqual(['HttpOnly', 'Path=/', 'SameSite=Lax', 'Secure']);
        const page = await httpsApp.inject({ method: 'GET', url: '/' });
        expect(page.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
        expect(page.headers['content-security-policy']).toContain('upgrade-insecure-requests');
      } finally {
        await httpsApp.close();
      }
    });

    it('gives a new session id at each login and ends the one the browser came with', async () => {
      const first = await loggedIn('otto');
      const second = sessionCookieOf(await login('otto', PASSWORD, { ip: freshIp(), cookie: first.header }));
      expect(second.value).not.toBe(first.value);
      expect(second.csrfToken).not.toBe(first.csrfToken);
      expect((await me(first)).statusCode).toBe(204);
      expect((await me(second)).statusCode).toBe(200);
    });

    it("answers /auth/me with the user, the same CSRF token and the session's fixed end, and 204 without a session", async () => {
      const loggedInAt = t.clock.now();
      const session = await loggedIn('vic');
      // Use does not move the end: only the idle timer restarts.
      t.clock.advance(5 * MINUTE);
      const res = await me(session);
      expect(res.json()).toEqual({
        user: { name: 'vic', role: 'viewer', scope: ['**'], mustChangePassword: false },
        csrfToken: session.csrfToken,
        expiresAt: loggedInAt + 12 * 60 * MINUTE,
      });
      expect((await me(undefined)).statusCode).toBe(204);
      expect((await me({ ...session, header: 'tierscope_session=forged' })).statusCode).toBe(204);
    });

    it('refuses a wrong password and an unknown user alike', async () => {
      const wrong = await login('vic', 'not the password', { ip: freshIp() });
      const unknown = await login('nobody', PASSWORD, { ip: freshIp() });
      expect(wrong.statusCode).toBe(401);
      expect(unknown.statusCode).toBe(401);
      expect(unknown.json()).toEqual(wrong.json());
      expect(wrong.headers['set-cookie']).toBeUndefined();
    });

    it('takes JSON only, and a small body', async () => {
      const form = await app.inject({
        method: 'POST',
        url: '/auth/login',
        headers: { 'content-type': 'text/plain' },
        payload: JSON.stringify({ username: 'ada', password: PASSWORD }),
      });
      expect(form.statusCode).toBe(415);
      const huge = await login('ada', 'x'.repeat(20 * 1024), { ip: freshIp() });
      expect(huge.statusCode).toBe(413);
      const broken = await app.inject({
        method: 'POST',
        url: '/auth/login',
        headers: { 'content-type': 'application/json' },
        payload: '{"username":"ada","password":"hunter2-secret',
      });
      expect(broken.statusCode).toBe(400);
      expect(broken.body).not.toContain('hunter2');
    });
  });

  describe('session end', () => {
    it('ends the session at once on logout, and logout needs the CSRF token', async () => {
      const session = await loggedIn('otto');
      const withoutToken = await app.inject({
        method: 'POST',
        url: '/auth/logout',
        headers: { cookie: session.header },
      });
      expect(withoutToken.statusCode).toBe(403);
      expect((await me(session)).statusCode).toBe(200);

      const res = await app.inject({
        method: 'POST',
        url: '/auth/logout',
        headers: { cookie: session.header, 'x-csrf-token': session.csrfToken },
      });
      expect(res.statusCode).toBe(204);
      expect(String(res.headers['set-cookie'])).toMatch(
        /^tierscope_session=; Max-Age=0; Path=\/; Expires=.*; HttpOnly; SameSite=Lax$/,
      );
      expect((await me(session)).statusCode).toBe(204);
      expect((await trpcQuery('probe.whoami', session)).statusCode).toBe(401);
    });

    it('ends a session left idle past the idle timeout, and keeps a used one', async () => {
      const session = await loggedIn('vic');
      t.clock.advance(29 * MINUTE);
      expect((await me(session)).statusCode).toBe(200);
      t.clock.advance(29 * MINUTE);
      expect((await me(session)).statusCode).toBe(200);
      t.clock.advance(31 * MINUTE);
      expect((await me(session)).statusCode).toBe(204);
    });

    it('ends a busy session at the absolute timeout', async () => {
      const session = await loggedIn('vic');
      for (let elapsed = 0; elapsed < 12 * 60 * MINUTE - 20 * MINUTE; elapsed += 20 * MINUTE) {
        t.clock.advance(20 * MINUTE);
        expect((await me(session)).statusCode).toBe(200);
      }
      t.clock.advance(20 * MINUTE);
      expect((await me(session)).statusCode).toBe(204);
    });

    it('refuses sessions an admin revoked, and those of a user whose role changed or who was disabled', async () => {
      const admin = await loggedIn('ada');
      const revoked = await addUser('rita', 'operator');
      const rita = await loggedIn('rita');
      const revoke = await trpcMutation('console.users.revokeSessions', { id: revoked.id }, admin);
      expect(revoke.json()).toEqual({ result: { data: { ended: 1 } } });
      expect((await me(rita)).statusCode).toBe(204);
      expect((await trpcQuery('probe.whoami', rita)).statusCode).toBe(401);

      const demoted = await loggedIn('rita');
      await trpcMutation('console.users.update', { id: revoked.id, role: 'viewer' }, admin);
      expect((await me(demoted)).statusCode).toBe(204);
      expect((await me(await loggedIn('rita'))).json()).toMatchObject({ user: { role: 'viewer' } });

      const disabled = await loggedIn('rita');
      await trpcMutation('console.users.disable', { id: revoked.id }, admin);
      expect((await me(disabled)).statusCode).toBe(204);
      expect((await login('rita', PASSWORD, { ip: freshIp() })).statusCode).toBe(401);
    });

    it('lets users see and end their own sessions', async () => {
      const phone = await loggedIn('otto');
      const laptop = await loggedIn('otto');
      const listed = await trpcQuery('console.sessions.list', laptop);
      const sessions = listed.json<{ result: { data: Array<{ id: number; current: boolean }> } }>().result
        .data;
      const phoneSession = sessions.find((s) => !s.current)!;
      expect(sessions.filter((s) => s.current)).toHaveLength(1);
      await trpcMutation('console.sessions.revoke', { id: phoneSession.id }, laptop);
      // Earlier tests left other sessions of otto's; the phone's is gone, the laptop's stays.
      expect((await me(phone)).statusCode).toBe(204);
      expect((await me(laptop)).statusCode).toBe(200);
    });
    it('closes an open live stream when its session is revoked, and its reconnect gets 401', async () => {
      const user = await addUser('wally', 'viewer');
      const streamAccess = createConsoleAccess(
        t.store.db,
        { ...TEST_SETTINGS, liveStreamRecheckMs: 50 },
        () => t.clock.now(),
      );
      const streamApp = await buildTestApp(streamAccess, t.reports, t.dashboards);
      const address = await streamApp.listen({ host: '127.0.0.1', port: 0 });
      try {
        const session = await loggedIn('wally');
        const open = () =>
          fetch(`${address}/trpc/probe.ticks`, {
            headers: { cookie: session.header, accept: 'text/event-stream' },
          });
        const stream = await open();
        expect(stream.status).toBe(200);
        const reader: ReadableStreamDefaultReader<Uint8Array> = stream.body!.getReader();
        expect(new TextDecoder().decode((await reader.read()).value)).toContain('data:');

        await t.access.sessions.revokeAllOfUser(user.id);
        const ended = await readToEnd(reader, 5000);
        expect(ended).toBe(true);
        expect((await open()).status).toBe(401);
      } finally {
        await streamApp.close();
      }
    });
  });

  describe('login rate limits', () => {
    it('refuses the 6th login of an account after 5 failures, even with the right password, until the window passes', async () => {
      await addUser('lena', 'viewer');
      for (let attempt = 1; attempt <= 5; attempt += 1) {
        // From a different address each time: the account's limit does not care where guesses come from.
        expect((await login('lena', 'wrong password', { ip: freshIp() })).statusCode).toBe(401);
      }
      const locked = await login('lena', PASSWORD, { ip: freshIp() });
      expect(locked.statusCode).toBe(429);
      expect(locked.headers['retry-after']).toBe('900');
      expect(locked.headers['set-cookie']).toBeUndefined();

      t.clock.advance(10 * MINUTE);
      expect((await login('lena', PASSWORD, { ip: freshIp() })).headers['retry-after']).toBe('300');
      t.clock.advance(5 * MINUTE);
      expect((await login('lena', PASSWORD, { ip: freshIp() })).statusCode).toBe(200);
    });

    it('starts counting afresh after a successful login', async () => {
      await addUser('mia', 'viewer');
      for (let n = 0; n < 4; n += 1) await login('mia', 'wrong password', { ip: freshIp() });
      expect((await login('mia', PASSWORD, { ip: freshIp() })).statusCode).toBe(200);
      for (let n = 0; n < 4; n += 1) await login('mia', 'wrong password', { ip: freshIp() });
      expect((await login('mia', PASSWORD, { ip: freshIp() })).statusCode).toBe(200);
    });

    it('refuses an address after 20 failures over any accounts, and only that address', async () => {
      await addUser('noah', 'viewer');
      const ip = freshIp();
      for (let n = 0; n < 20; n += 1) {
        // Four guesses at each of five names (some of them not users): no account reaches its own limit.
        expect((await login(`guess-${n % 5}`, 'wrong password', { ip })).statusCode).toBe(401);
      }
      const locked = await login('noah', PASSWORD, { ip });
      expect(locked.statusCode).toBe(429);
      expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
      expect((await login('noah', PASSWORD, { ip: freshIp() })).statusCode).toBe(200);
    });

    it('counts a burst of parallel guesses: no more than 5 are checked', async () => {
      await addUser('olga', 'viewer');
      const results = await Promise.all(
        Array.from({ length: 12 }, () => login('olga', 'wrong password', { ip: freshIp() })),
      );
      const checked = results.filter((res) => res.statusCode === 401).length;
      expect(checked).toBeLessThanOrEqual(5);
      expect(results.filter((res) => res.statusCode === 429)).toHaveLength(12 - checked);
    });

    it('groups IPv6 clients by /64', async () => {
      for (let n = 0; n < 20; n += 1) {
        await login(`v6-${n % 5}`, 'wrong password', { ip: `2001:db8:1:2::${(n + 1).toString(16)}` });
      }
      expect((await login('vic', PASSWORD, { ip: '2001:db8:1:2:ffff::1' })).statusCode).toBe(429);
      expect((await login('vic', PASSWORD, { ip: '2001:db8:1:3::1' })).statusCode).toBe(200);
    });
  });

  describe('CSRF and access on /trpc', () => {
    it('refuses a mutation without the CSRF token, or with a wrong one, and runs it with the right one', async () => {
      const otto = await loggedIn('otto');
      const other = await loggedIn('vic');

      const missing = await trpcMutation('probe.touch', { note: 'x' }, otto, null);
      expect(missing.statusCode).toBe(403);
      expect(missing.json()).toMatchObject({
        error: { code: -32003, data: { code: 'FORBIDDEN', httpStatus: 403 } },
      });
      expect((await trpcMutation('probe.touch', { note: 'x' }, otto, 'wrong')).statusCode).toBe(403);
      expect((await trpcMutation('probe.touch', { note: 'x' }, otto, other.csrfToken)).statusCode).toBe(403);

      const done = await trpcMutation('probe.touch', { note: 'x' }, otto);
      expect(done.statusCode).toBe(200);
      expect(done.json()).toEqual({ result: { data: { by: 'otto', note: 'x' } } });
    });

    it('answers reads without the CSRF token', async () => {
      const vic = await loggedIn('vic');
      const res = await trpcQuery('probe.whoami', vic);
      expect(res.json()).toEqual({ result: { data: { kind: 'user', name: 'vic', role: 'viewer' } } });
    });

    it('answers 401 in tRPC shape to every /trpc call without a session, batches included', async () => {
      for (const res of [
        await trpcQuery('probe.whoami'),
        await trpcMutation('probe.touch', { note: 'x' }),
        await trpcQuery('probe.whoami,console.users.list?batch=1&input=%7B%7D'),
      ]) {
        expect(res.statusCode).toBe(401);
        expect(res.json()).toMatchObject({
          error: { code: -32001, data: { code: 'UNAUTHORIZED', httpStatus: 401 } },
        });
      }
    });

    it("applies the user's role to every procedure", async () => {
      const vic = await loggedIn('vic');
      expect((await trpcQuery('console.users.list', vic)).statusCode).toBe(403);
      expect((await trpcMutation('probe.touch', { note: 'x' }, vic)).statusCode).toBe(403);
      const ada = await loggedIn('ada');
      const list = await trpcQuery('console.users.list', ada);
      expect(list.statusCode).toBe(200);
    });

    it('lets a user with a one-time password do nothing but choose a new one', async () => {
      await addUser('pia', 'operator', true);
      const first = await login('pia', PASSWORD, { ip: freshIp() });
      expect(first.json()).toMatchObject({ user: { mustChangePassword: true } });
      const session = sessionCookieOf(first);
      const blocked = await trpcQuery('probe.whoami', session);
      expect(blocked.statusCode).toBe(403);
      expect(blocked.json()).toMatchObject({
        error: { message: expect.stringMatching(/new password/) as unknown },
      });

      const change = (currentPassword: string, csrf?: string) =>
        app.inject({
          method: 'POST',
          url: '/auth/password',
          payload: { currentPassword, newPassword: 'a brand new passphrase' },
          headers: { cookie: session.header, ...(csrf && { 'x-csrf-token': csrf }) },
        });
      expect((await change(PASSWORD)).statusCode).toBe(403);
      expect((await change('not it', session.csrfToken)).statusCode).toBe(403);
      const changed = await change(PASSWORD, session.csrfToken);
      expect(changed.statusCode).toBe(200);
      expect(changed.json()).toMatchObject({ user: { name: 'pia', mustChangePassword: false } });
      const renewed = sessionCookieOf(changed);
      expect(renewed.value).not.toBe(session.value);
      expect((await me(session)).statusCode).toBe(204);
      expect((await trpcQuery('probe.whoami', renewed)).statusCode).toBe(200);
      expect((await login('pia', 'a brand new passphrase', { ip: freshIp() })).statusCode).toBe(200);
    });
  });

  it('sends the strict CSP and the other security headers on the console page', async () => {
    const res = await app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(200);
    // The exact values are security-headers.test.ts's; here: registerConsoleAuth installs them.
    expect(res.headers['content-security-policy']).toMatch(
      /^default-src 'self';script-src 'self';style-src 'self';/,
    );
    expect(res.headers).toMatchObject({ 'x-frame-options': 'DENY', 'x-content-type-options': 'nosniff' });
  });

  it('writes logins, failed ones too, to the audit log with who, when and from where', async () => {
    const at = t.clock.now();
    await login('ada', 'wrong password', { ip: '192.0.2.44' });
    await login('ada', PASSWORD, { ip: '192.0.2.44' });
    const { items } = await t.access.audit.list({ action: 'auth.', from: at, limit: 10 });
    expect(items.slice(0, 2)).toEqual([
      expect.objectContaining({
        action: 'auth.login',
        actor: 'ada',
        target: 'ada',
        address: '192.0.2.44',
        at,
      }),
      expect.objectContaining({ action: 'auth.login.failed', actor: 'ada', address: '192.0.2.44', at }),
    ]);
    expect((await t.access.audit.verify()).ok).toBe(true);
  });
});

/** The one session cookie a response sets, split into name, value and attributes (sorted). */
function sessionCookieOf(res: LightMyRequestResponse): SessionCookie {
  const header = res.headers['set-cookie'];
  expect(typeof header).toBe('string');
  const [pair, ...attributes] = String(header).split('; ');
  const [name, value] = pair!.split('=') as [string, string];
  return {
    name,
    value,
    attributes: attributes.sort(),
    header: `${name}=${value}`,
    csrfToken: res.json<{ csrfToken: string }>().csrfToken,
  };
}

/** Reads a stream until it ends or breaks (true), or until `ms` pass (false). */
async function readToEnd(reader: ReadableStreamDefaultReader<Uint8Array>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  try {
    while (Date.now() < deadline) {
      const chunk = await Promise.race([
        reader.read(),
        new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), deadline - Date.now())),
      ]);
      if (!chunk) return false;
      if (chunk.done) return true;
    }
    return false;
  } catch {
    // The server closed the connection mid-stream.
    return true;
  }
}

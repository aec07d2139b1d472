import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  AuthFailure,
  changePassword,
  csrfHeaders,
  formatWait,
  getSession,
  logIn,
  logOut,
  onSessionEnded,
  retryAfterSeconds,
  safeRedirect,
  sessionEnded,
  sessionForPage,
  setSession,
} from './session.ts';

const STATE = {
  user: { name: 'ana', role: 'operator' as const, scope: ['**'], mustChangePassword: false },
  csrfToken: 'token-1',
  expiresAt: Date.now() + 3_600_000,
};

function answer(status: number, body?: unknown, headers: Record<string, string> = {}) {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

function stubFetch(response: Response | Error) {
  const fetch = vi.fn(() =>
    response instanceof Error ? Promise.reject(response) : Promise.resolve(response),
  );
  vi.stubGlobal('fetch', fetch);
  return fetch;
}

async function failureOf(promise: Promise<unknown>): Promise<AuthFailure> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof AuthFailure)) throw new Error(`expected an AuthFailure, got ${String(error)}`);
  return error;
}

afterEach(() => {
  vi.unstubAllGlobals();
  setSession(null);
});

describe('logIn', () => {
  it('keeps the AuthState in memory, so mutations can send its CSRF token', async () => {
    const fetch = stubFetch(answer(200, STATE));
    await logIn('ana', 'correct horse');
    expect(getSession()).toEqual(STATE);
    expect(csrfHeaders()).toEqual({ 'x-csrf-token': 'token-1' });
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('/auth/login');
    expect(init.headers).toEqual({ 'content-type': 'application/json' });
    expect(JSON.parse(init.body as string)).toEqual({ username: 'ana', password: 'correct horse' });
  });

  it('says a wrong name or password plainly', async () => {
    stubFetch(answer(401, { error: 'wrong user name or password' }));
    const failure = await failureOf(logIn('ana', 'nope'));
    expect(failure.kind).toBe('wrong-credentials');
    expect(failure.message).toBe('Wrong user name or password.');
    expect(getSession()).toBeNull();
  });

  it('says when to try again once rate-limited', async () => {
    stubFetch(answer(429, { error: 'too many failed logins' }, { 'retry-after': '840' }));
    const failure = await failureOf(logIn('ana', 'nope'));
    expect(failure.kind).toBe('rate-limited');
    expect(failure.retryAfterSeconds).toBe(840);
    expect(failure.message).toBe('Too many failed attempts. Try again in 14 minutes.');
  });

  it('tells an unreachable server from a refusal', async () => {
    stubFetch(new TypeError('Failed to fetch'));
    expect((await failureOf(logIn('ana', 'x'))).kind).toBe('unreachable');
    stubFetch(answer(502));
    expect((await failureOf(logIn('ana', 'x'))).kind).toBe('unreachable');
    stubFetch(answer(500, { error: 'internal error' }));
    expect((await failureOf(logIn('ana', 'x'))).kind).toBe('server');
  });
});

describe('changePassword', () => {
  it('sends the CSRF token and takes the new session’s token', async () => {
    setSession(STATE);
    const fetch = stubFetch(answer(200, { ...STATE, csrfToken: 'token-2' }));
    await changePassword('old password', 'a brand new passphrase');
    const init = (fetch.mock.calls[0] as unknown as [string, RequestInit])[1];
    expect(init.headers).toMatchObject({ 'x-csrf-token': 'token-1' });
    expect(csrfHeaders()).toEqual({ 'x-csrf-token': 'token-2' });
  });

  it('says a wrong current password, and passes on the server’s rule for a bad new one', async () => {
    setSession(STATE);
    stubFetch(answer(403, { error: 'the current password is wrong' }));
    expect((await failureOf(changePassword('x', 'a brand new passphrase'))).kind).toBe('wrong-password');
    stubFetch(answer(400, { error: 'password: at least 12 characters' }));
    const failure = await failureOf(changePassword('x', 'short'));
    expect(failure.kind).toBe('refused');
    expect(failure.message).toBe('Password: at least 12 characters');
  });
});

describe('the session’s end', () => {
  it('forgets the session on logout even when the server cannot be told', async () => {
    setSession(STATE);
    stubFetch(new TypeError('Failed to fetch'));
    await logOut().catch(() => undefined);
    expect(getSession()).toBeNull();
  });

  it('tells the listener once the server said the session ended', () => {
    setSession(STATE);
    const listener = vi.fn();
    const stop = onSessionEnded(listener);
    sessionEnded();
    stop();
    expect(listener).toHaveBeenCalledOnce();
    expect(getSession()).toBeNull();
  });

  it('opens the console offline rather than sending the user to a login that cannot work', async () => {
    stubFetch(new TypeError('Failed to fetch'));
    expect(await sessionForPage()).toBe('unreachable');
    stubFetch(answer(204));
    expect(await sessionForPage()).toBeNull();
  });
});

describe('retryAfterSeconds and formatWait', () => {
  it('reads seconds and HTTP dates, and rounds a wait up', () => {
    expect(retryAfterSeconds('30')).toBe(30);
    expect(retryAfterSeconds('Thu, 01 Jan 1970 00:01:00 GMT', 0)).toBe(60);
    expect(retryAfterSeconds(null)).toBeUndefined();
    expect(retryAfterSeconds('soon')).toBeUndefined();
    expect(formatWait(1)).toBe('1 second');
    expect(formatWait(59)).toBe('59 seconds');
    expect(formatWait(61)).toBe('2 minutes');
    expect(formatWait(900)).toBe('15 minutes');
  });
});

describe('safeRedirect', () => {
  it('goes back only to a path on this origin, never to the login page itself', () => {
    expect(safeRedirect('/alerts?severity=critical')).toBe('/alerts?severity=critical');
    expect(safeRedirect(undefined)).toBe('/');
    expect(safeRedirect('https://evil.example/')).toBe('/');
    expect(safeRedirect('//evil.example/')).toBe('/');
    expect(safeRedirect('/\\evil.example/')).toBe('/');
    expect(safeRedirect('/login?redirect=/')).toBe('/');
  });
});

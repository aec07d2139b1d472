// The console session as the browser knows it: the AuthState from /auth (see decision 0009) kept
// in memory, and the calls to /auth. The session cookie itself is httpOnly: only the server reads it.
import type { Role } from '@tierscope/shared/domain';
import type { AuthState } from '@tierscope/shared/schemas';
import { useSyncExternalStore } from 'react';

export type SessionUser = AuthState['user'];

/** Why an /auth call failed, in the terms the login and password forms explain to the user. */
export type AuthFailureKind =
  | 'wrong-credentials'
  | 'wrong-password'
  | 'rate-limited'
  | 'unreachable'
  | 'not-logged-in'
  | 'refused'
  | 'server';

export class AuthFailure extends Error {
  constructor(
    readonly kind: AuthFailureKind,
    message: string,
    /** For `rate-limited`: the server's Retry-After, in seconds. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'AuthFailure';
  }
}

let current: AuthState | null = null;
const listeners = new Set<() => void>();
const expiryListeners = new Set<() => void>();

function publish(next: AuthState | null): void {
  current = next;
  for (const listener of listeners) listener();
}

/** The session now: null before login, after logout, and once the server said it ended. */
export function getSession(): AuthState | null {
  return current;
}

/** Set after /auth/login, /auth/me and /auth/password, which each answer the whole AuthState. */
export function setSession(next: AuthState | null): void {
  publish(next);
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The signed-in user, or null; re-renders when the session changes. */
export function useSessionUser(): SessionUser | null {
  return useSyncExternalStore(subscribe, () => current?.user ?? null);
}

/** When the session ends however busy it is (epoch ms), or null when signed out. */
export function useSessionExpiry(): number | null {
  return useSyncExternalStore(subscribe, () => current?.expiresAt ?? null);
}

/**
 * Whether the signed-in user's role allows what needs `required`. The server checks every call; the
 * console uses this only not to offer what would be refused.
 */
export function useRoleAllows(required: Role): boolean {
  const user = useSessionUser();
  return user !== null && ROLE_RANK[user.role] >= ROLE_RANK[required];
}

/** The contract's role order (`roleRank` in the domain), kept here so zod stays out of the entry chunk. */
const ROLE_RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

/** The header every POST to /trpc and /auth (but login) must carry. */
export function csrfHeaders(): Record<string, string> {
  return current ? { 'x-csrf-token': current.csrfToken } : {};
}

/**
 * The server answered 401: the session is gone (logged out elsewhere, revoked, timed out). Clears
 * it and tells the listener that sends the user to the login page.
 */
export function sessionEnded(): void {
  if (current === null && expiryListeners.size === 0) return;
  publish(null);
  for (const listener of expiryListeners) listener();
}

export function onSessionEnded(listener: () => void): () => void {
  expiryListeners.add(listener);
  return () => expiryListeners.delete(listener);
}

/** The session of this browser from the cookie; null when there is none (the server answers 204). */
export async function fetchSession(): Promise<AuthState | null> {
  const response = await request('/auth/me', { method: 'GET' });
  if (response.status === 204) return null;
  if (!response.ok) throw await failureOf(response);
  return (await response.json()) as AuthState;
}

/** The session now, asking the server once when this tab does not know it yet (after a reload). */
export async function ensureSession(): Promise<AuthState | null> {
  if (current) return current;
  const state = await fetchSession();
  publish(state);
  return state;
}

/**
 * The session for a page change: `unreachable` when the server cannot be asked (offline), so the
 * installed console still opens its shell and says so; the first answer from the server decides.
 */
export async function sessionForPage(): Promise<AuthState | null | 'unreachable'> {
  try {
    return await ensureSession();
  } catch (error) {
    if (error instanceof AuthFailure && error.kind === 'unreachable') return 'unreachable';
    throw error;
  }
}

export async function logIn(username: string, password: string): Promise<AuthState> {
  const response = await request('/auth/login', jsonPost({ username, password }, false));
  if (response.status === 401) throw new AuthFailure('wrong-credentials', 'Wrong user name or password.');
  if (!response.ok) throw await failureOf(response);
  const state = (await response.json()) as AuthState;
  publish(state);
  return state;
}

/** Ends the session on the server; the browser forgets it even when the server cannot be reached. */
export async function logOut(): Promise<void> {
  try {
    await request('/auth/logout', { method: 'POST', headers: csrfHeaders() });
  } finally {
    publish(null);
  }
}

/** The server answers with a new session (cookie and CSRF token): every other session of the user ends. */
export async function changePassword(currentPassword: string, newPassword: string): Promise<AuthState> {
  const response = await request('/auth/password', jsonPost({ currentPassword, newPassword }, true));
  if (response.status === 403) throw new AuthFailure('wrong-password', 'The current password is wrong.');
  if (!response.ok) throw await failureOf(response);
  const state = (await response.json()) as AuthState;
  publish(state);
  return state;
}

function jsonPost(body: unknown, withCsrf: boolean): RequestInit {
  return {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(withCsrf ? csrfHeaders() : {}) },
    body: JSON.stringify(body),
  };
}

async function request(path: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(path, { ...init, credentials: 'same-origin', cache: 'no-store' });
  } catch {
    throw new AuthFailure(
      'unreachable',
      'The console cannot reach the server. Check the connection and try again.',
    );
  }
}

/** A refused /auth call in words; a gateway's 502–504 means the BFF itself is not there. */
export async function failureOf(response: Response): Promise<AuthFailure> {
  const text = await errorTextOf(response);
  if (response.status === 429) {
    const seconds = retryAfterSeconds(response.headers.get('retry-after'));
    return new AuthFailure(
      'rate-limited',
      `Too many failed attempts. Try again ${seconds === undefined ? 'later' : `in ${formatWait(seconds)}`}.`,
      seconds,
    );
  }
  if (response.status === 401)
    return new AuthFailure('not-logged-in', 'Your session has ended. Log in again.');
  if (response.status >= 502 && response.status <= 504)
    return new AuthFailure('unreachable', 'The console cannot reach the server. Try again in a moment.');
  if (response.status >= 500)
    return new AuthFailure('server', `The server failed (${response.status}). Try again.`);
  return new AuthFailure('refused', text ?? `The server refused the request (${response.status}).`);
}

async function errorTextOf(response: Response): Promise<string | undefined> {
  try {
    const body = (await response.json()) as { error?: unknown };
    return typeof body.error === 'string' ? capitalize(body.error) : undefined;
  } catch {
    return undefined;
  }
}

const capitalize = (text: string) => (text ? `${text[0]!.toUpperCase()}${text.slice(1)}` : text);

/** Retry-After as seconds; the HTTP-date form is allowed by the RFC, though the BFF sends seconds. */
export function retryAfterSeconds(header: string | null, now = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

/** "45 seconds", "1 minute", "15 minutes" (rounded up: waiting less would be refused again). */
export function formatWait(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}

/**
 * Where to go after login: a path on this origin only, so a crafted `?redirect=` cannot send the
 * user to another site; the login page itself falls back to the overview.
 */
export function safeRedirect(target: string | undefined): string {
  if (!target || !target.startsWith('/') || target.startsWith('//') || target.startsWith('/\\')) return '/';
  if (/^\/login(\/|\?|#|$)/.test(target)) return '/';
  return target;
}

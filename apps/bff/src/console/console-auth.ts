import fastifyCookie from '@fastify/cookie';
import type {
  FastifyError,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  RouteShorthandOptions,
} from 'fastify';
import { TRPC_ERROR_CODES_BY_KEY, type TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc';
import type { Actor } from '@tierscope/shared';
import { actorScopeOf, ChangePasswordInput, LoginInput, type AuthState } from '@tierscope/shared';
import { sessionCookieOf, type ConsoleAccess } from './console-access.ts';
import { CSRF_HEADER, csrfTokenFor, csrfTokenMatches } from './csrf.ts';
import { addressKey } from './login-limiter.ts';
import { registerSecurityHeaders } from './security-headers.ts';
import type { LiveSession, SessionUser } from './sessions.ts';

/** Who a console request acts as, resolved from its session before tRPC sees the request. */
export interface ConsoleCaller {
  /** The user, their role and the node subtrees they may see (no scope: the whole tree). */
  actor: Actor;
  userId: number;
  sessionId: number;
  /** The request's client address, for the audit log. */
  address: string;
}

/**
 * The /auth bodies are a name and two passwords: 16 KiB is ample, and a larger body is refused
 * (413) before it is read. tRPC keeps the server's 1 MiB limit.
 */
export const AUTH_BODY_LIMIT = 16 * 1024;

/** Expired sessions and old login attempts are deleted this often (they are refused anyway). */
const PURGE_EVERY_MS = 10 * 60_000;

const callers = new WeakMap<FastifyRequest, ConsoleCaller>();

/**
 * The caller of a /trpc request, set by the hook that registerConsoleAuth adds; undefined for any
 * other request. A /trpc request without a live session never reaches tRPC, so inside tRPC's
 * createContext this is always defined.
 */
export function resolveSessionActor(request: FastifyRequest): ConsoleCaller | undefined {
  return callers.get(request);
}

/**
 * The console's access layer on the BFF's server. Call it before the tRPC API is registered. Adds:
 * security headers (helmet, strict CSP) on every response; `POST /auth/login`, `POST /auth/logout`,
 * `GET /auth/me` (the session, or 204 when there is none) and `POST /auth/password`; and a hook on /trpc that answers 401 without a live
 * session, 403 for a POST without the session's `x-csrf-token`, 403 while the user must change a
 * one-time password, and otherwise records the caller for resolveSessionActor.
 */
export async function registerConsoleAuth(app: FastifyInstance, access: ConsoleAccess): Promise<void> {
  const { users, sessions, loginLimiter, audit } = access;
  const cookie = sessionCookieOf(access.settings.publicUrl);
  const cookieOptions = { path: '/', httpOnly: true, sameSite: 'lax', secure: cookie.secure } as const;

  await registerSecurityHeaders(app, { https: cookie.secure });
  await app.register(fastifyCookie);

  const sessionOf = async (request: FastifyRequest) => {
    const token = request.cookies[cookie.name];
    if (!token) return undefined;
    const live = await sessions.resolve(token);
    return live && { token, live };
  };

  const startSession = async (request: FastifyRequest, reply: FastifyReply, user: SessionUser) => {
    const { token, expiresAt } = await sessions.start(user.id, {
      address: request.ip,
      userAgent: request.headers['user-agent'] ?? '',
    });
    reply.setCookie(cookie.name, token, cookieOptions);
    return authStateOf(user, token, expiresAt);
  };

  app.addHook('onRequest', async (request, reply) => {
    // /export serves files made from the contract (a report's CSV), as the session's user too.
    if (!/^\/(trpc|export)(\/|$)/.test(request.routeOptions.url ?? '')) return;
    const session = await sessionOf(request);
    if (!session) return refuseTrpc(reply, 'UNAUTHORIZED', 'log in first');
    // tRPC queries and subscriptions are GETs; every mutation is a POST.
    if (!isSafeMethod(request.method) && !csrfTokenMatches(session.token, request.headers[CSRF_HEADER])) {
      return refuseTrpc(reply, 'FORBIDDEN', `missing or wrong ${CSRF_HEADER}`);
    }
    if (session.live.user.mustChangePassword) {
      return refuseTrpc(reply, 'FORBIDDEN', 'choose a new password first (POST /auth/password)');
    }
    if (isLiveStream(request)) watchLiveStream(reply, session.token);
    callers.set(request, callerOf(session.live, request.ip));
  });

  /** Logout and revocation reach open streams too: a stream whose session ended is closed. */
  const watchLiveStream = (reply: FastifyReply, token: string) => {
    const timer = setInterval(() => {
      sessions.isLive(token).then(
        (live) => {
          if (!live) reply.raw.destroy();
        },
        (error: unknown) => app.log.warn({ err: error }, "checking a live stream's session failed"),
      );
    }, access.settings.liveStreamRecheckMs);
    timer.unref();
    reply.raw.once('close', () => clearInterval(timer));
  };

  const authRoute: RouteShorthandOptions = { bodyLimit: AUTH_BODY_LIMIT, errorHandler: answerWithoutDetail };

  app.post('/auth/login', authRoute, async (request, reply) => {
    void reply.header('cache-control', 'no-store');
    // JSON only: a cross-site form cannot send it, so no one is logged in to an account they did not pick.
    if (!isJson(request)) return reply.code(415).send({ error: 'send application/json' });
    const input = LoginInput.safeParse(request.body);
    if (!input.success) return reply.code(400).send({ error: 'send {"username", "password"}' });
    const username = input.data.username.trim().toLowerCase();
    const origin = { actor: username, address: request.ip };

    const admission = await loginLimiter.admit(username, addressKey(request.ip));
    if (!admission.allowed) {
      void reply.header('retry-after', String(Math.max(1, Math.ceil(admission.retryAfterMs / 1000))));
      return reply.code(429).send({ error: 'too many failed logins; try again later' });
    }
    const user = await users.authenticate(username, input.data.password);
    if (!user) {
      await loginLimiter.settle(admission.attemptId, 'failed');
      await audit.append(origin, { action: 'auth.login.failed', target: username });
      return reply.code(401).send({ error: 'wrong user name or password' });
    }
    await loginLimiter.settle(admission.attemptId, 'succeeded');
    // A new id at every login: a session id planted before login is worth nothing after it.
    const previous = request.cookies[cookie.name];
    if (previous) await sessions.end(previous);
    const state = await startSession(request, reply, user);
    await audit.append(origin, { action: 'auth.login', target: user.name });
    return state;
  });

  app.post('/auth/logout', authRoute, async (request, reply) => {
    void reply.header('cache-control', 'no-store');
    const session = await sessionOf(request);
    if (session) {
      if (!csrfTokenMatches(session.token, request.headers[CSRF_HEADER])) {
        return reply.code(403).send({ error: `missing or wrong ${CSRF_HEADER}` });
      }
      await sessions.end(session.token);
      await audit.append(
        { actor: session.live.user.name, address: request.ip },
        { action: 'auth.logout', target: session.live.user.name },
      );
    }
    return reply.clearCookie(cookie.name, cookieOptions).code(204).send();
  });

  app.get('/auth/me', authRoute, async (request, reply) => {
    void reply.header('cache-control', 'no-store');
    const session = await sessionOf(request);
    if (!session) {
      if (request.cookies[cookie.name]) void reply.clearCookie(cookie.name, cookieOptions);
      // Signed out is an answer, not a refusal: a 401 here would be logged by every browser that
      // opens the login page.
      return reply.code(204).send();
    }
    return authStateOf(session.live.user, session.token, session.live.expiresAt);
  });

  app.post('/auth/password', authRoute, async (request, reply) => {
    void reply.header('cache-control', 'no-store');
    const session = await sessionOf(request);
    if (!session) return reply.code(401).send({ error: 'not logged in' });
    if (!csrfTokenMatches(session.token, request.headers[CSRF_HEADER])) {
      return reply.code(403).send({ error: `missing or wrong ${CSRF_HEADER}` });
    }
    if (!isJson(request)) return reply.code(415).send({ error: 'send application/json' });
    const input = ChangePasswordInput.safeParse(request.body);
    if (!input.success) {
      return reply.code(400).send({ error: input.error.issues.map((issue) => issue.message).join('; ') });
    }
    const { user } = session.live;
    const origin = { actor: user.name, address: request.ip };
    // A stolen session must not become a way to guess the password: the login limits apply.
    const admission = await loginLimiter.admit(user.name, addressKey(request.ip));
    if (!admission.allowed) {
      void reply.header('retry-after', String(Math.max(1, Math.ceil(admission.retryAfterMs / 1000))));
      return reply.code(429).send({ error: 'too many failed attempts; try again later' });
    }
    const changed = await users.changeOwnPassword(user.id, input.data, origin);
    await loginLimiter.settle(admission.attemptId, changed ? 'succeeded' : 'failed');
    if (!changed) {
      await audit.append(origin, { action: 'user.password.change.failed', target: user.name });
      return reply.code(403).send({ error: 'the current password is wrong' });
    }
    return startSession(request, reply, { ...user, mustChangePassword: false });
  });

  const purge = setInterval(() => {
    Promise.all([sessions.purgeExpired(), loginLimiter.prune()]).catch((error: unknown) =>
      app.log.warn({ err: error }, 'purging expired console sessions failed'),
    );
  }, PURGE_EVERY_MS);
  purge.unref();
  app.addHook('onClose', async () => clearInterval(purge));
}

function authStateOf(user: SessionUser, token: string, expiresAt: number): AuthState {
  return {
    user: {
      name: user.name,
      role: user.role,
      scope: user.scope,
      mustChangePassword: user.mustChangePassword,
    },
    csrfToken: csrfTokenFor(token),
    expiresAt,
  };
}

function callerOf(live: LiveSession, address: string): ConsoleCaller {
  const { user } = live;
  const scope = actorScopeOf(user.scope);
  return {
    actor: { kind: 'user', name: user.name, role: user.role, ...(scope && { scope }) },
    userId: user.id,
    sessionId: live.sessionId,
    address,
  };
}

function isSafeMethod(method: string): boolean {
  return method === 'GET' || method === 'HEAD' || method === 'OPTIONS';
}

/** tRPC subscriptions over HTTP are server-sent events (httpSubscriptionLink uses EventSource). */
function isLiveStream(request: FastifyRequest): boolean {
  return request.method === 'GET' && (request.headers.accept ?? '').includes('text/event-stream');
}

function isJson(request: FastifyRequest): boolean {
  return request.headers['content-type']?.split(';')[0]?.trim().toLowerCase() === 'application/json';
}

/** A refusal in tRPC's error shape, so the console's tRPC client reads the code (one object serves a batch). */
function refuseTrpc(
  reply: FastifyReply,
  code: TRPC_ERROR_CODE_KEY & ('UNAUTHORIZED' | 'FORBIDDEN'),
  message: string,
) {
  const httpStatus = code === 'UNAUTHORIZED' ? 401 : 403;
  return reply.code(httpStatus).send({
    error: { message, code: TRPC_ERROR_CODES_BY_KEY[code], data: { code, httpStatus } },
  });
}

/**
 * The /auth routes' error handler: a body that fails to parse must not reach the log or the reply
 * (a JSON parse error quotes the body, and the body holds a password).
 */
function answerWithoutDetail(
  this: FastifyInstance,
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
  if (status >= 500) request.log.error({ code: error.code, name: error.name }, 'console auth request failed');
  void reply.code(status).send({ error: status >= 500 ? 'internal error' : 'bad request' });
}

import type { NodeAnswerState } from '@tierscope/shared';
import { systemClock, type Clock } from './clock.ts';

export const DEFAULT_DEADLINE_MS = 1500;
export const MIN_DEADLINE_MS = 100;
export const MAX_DEADLINE_MS = 10_000;
export const DEFAULT_CONCURRENCY = 32;

/** Why a child's data is missing. */
export type FailedState = Exclude<NodeAnswerState, 'ok'>;

/**
 * One child's outcome. `latencyMs` runs from the call's start (0 when it was never called).
 * A failure keeps the child's tRPC error `code` when it answered with one, so a routed call
 * can relay NOT_FOUND or BAD_REQUEST as such.
 */
export type Settled<T> =
  | { readonly id: string; readonly ok: true; readonly value: T; readonly latencyMs: number }
  | {
      readonly id: string;
      readonly ok: false;
      readonly state: FailedState;
      readonly latencyMs: number;
      readonly message: string;
      readonly code?: string;
    };

export interface FanOutOptions<M = { readonly id: string }> {
  /** For the whole fan-out, from its start; clamped to 100..10 000 ms. Default 1500. */
  deadlineMs?: number;
  /** At most this many calls in flight; the rest wait their turn within the same deadline. */
  concurrency?: number;
  /** Liveness from the heartbeat: a child it reports down is answered `unreachable` without a call. */
  isDown?: (member: M) => boolean;
  clock?: Clock;
}

export function clampDeadline(deadlineMs: number | undefined): number {
  return Math.min(MAX_DEADLINE_MS, Math.max(MIN_DEADLINE_MS, deadlineMs ?? DEFAULT_DEADLINE_MS));
}

/**
 * Calls every member and settles each one. Never throws and never waits past the deadline: when
 * it passes, every unsettled call is aborted through its signal and named `timeout`, and the
 * answer is returned at once. Results come in the order of `members`.
 */
export function fanOut<M extends { readonly id: string }, T>(
  members: readonly M[],
  call: (member: M, signal: AbortSignal) => Promise<T>,
  options: FanOutOptions<M> = {},
): Promise<Settled<T>[]> {
  const clock = options.clock ?? systemClock;
  const deadlineMs = clampDeadline(options.deadlineMs);
  const concurrency = Math.max(1, options.concurrency ?? DEFAULT_CONCURRENCY);
  const results: (Settled<T> | undefined)[] = members.map(() => undefined);
  const inFlight = new Map<number, { controller: AbortController; startedAt: number }>();
  let unsettled = members.length;
  let next = 0;
  let finished = false;

  return new Promise((resolve) => {
    const finish = () => {
      if (finished) return;
      finished = true;
      clock.clearTimeout(timer);
      resolve(results.map((r, i) => r ?? timedOut(members[i]!.id, i)));
    };
    const timedOut = (id: string, index: number): Settled<T> => {
      const started = inFlight.get(index);
      started?.controller.abort(new DeadlineError(deadlineMs));
      return started
        ? {
            id,
            ok: false,
            state: 'timeout',
            latencyMs: clock.now() - started.startedAt,
            message: `no answer within ${deadlineMs} ms`,
          }
        : {
            id,
            ok: false,
            state: 'timeout',
            latencyMs: 0,
            message: `not called: ${concurrency} calls in flight until the ${deadlineMs} ms deadline`,
          };
    };
    const settle = (index: number, result: Settled<T>) => {
      if (finished || results[index]) return;
      results[index] = result;
      inFlight.delete(index);
      unsettled -= 1;
      if (unsettled === 0) finish();
      else launch();
    };
    const launch = () => {
      while (!finished && inFlight.size < concurrency && next < members.length) {
        const index = next++;
        const member = members[index]!;
        if (options.isDown?.(member)) {
          settle(index, {
            id: member.id,
            ok: false,
            state: 'unreachable',
            latencyMs: 0,
            message: 'down: missed heartbeats',
          });
          continue;
        }
        const controller = new AbortController();
        const startedAt = clock.now();
        inFlight.set(index, { controller, startedAt });
        let pending: Promise<T>;
        try {
          pending = call(member, controller.signal);
        } catch (error) {
          pending = Promise.reject(error instanceof Error ? error : new Error(String(error)));
        }
        pending.then(
          (value) => settle(index, { id: member.id, ok: true, value, latencyMs: clock.now() - startedAt }),
          (error: unknown) =>
            settle(index, { id: member.id, latencyMs: clock.now() - startedAt, ...classifyFailure(error) }),
        );
      }
    };
    const timer = clock.setTimeout(finish, deadlineMs);
    if (members.length === 0) finish();
    else launch();
  });
}

export class DeadlineError extends Error {
  override readonly name = 'DeadlineError';
  constructor(deadlineMs: number) {
    super(`deadline of ${deadlineMs} ms passed`);
  }
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_CLOSED',
]);

const DOMAIN_CODES: Record<string, string> = {
  NotFoundError: 'NOT_FOUND',
  BadRequestError: 'BAD_REQUEST',
  InvalidCursorError: 'BAD_REQUEST',
};

/**
 * Names a failed call: `forbidden` for FORBIDDEN/UNAUTHORIZED, `unreachable` when no answer came
 * back over the wire (refused, reset, DNS), `error` for any answer that is an error.
 */
export function classifyFailure(error: unknown): {
  ok: false;
  state: FailedState;
  message: string;
  code?: string;
} {
  const message = (error instanceof Error ? error.message : String(error)).slice(0, 500);
  const code = answerCode(error);
  if (code === 'FORBIDDEN' || code === 'UNAUTHORIZED')
    return { ok: false, state: 'forbidden', message, code };
  if (code !== undefined) return { ok: false, state: 'error', message, code };
  const network = networkCode(error);
  if (network !== undefined) return { ok: false, state: 'unreachable', message: `${network}: ${message}` };
  return { ok: false, state: 'error', message };
}

/** The tRPC code of an answer: a TRPCClientError's `data.code`, a TRPCError's `code`, or a domain error's. */
function answerCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const data = (error as { data?: { code?: unknown } }).data;
  if (data && typeof data.code === 'string') return data.code;
  const name = (error as { name?: unknown }).name;
  if (name === 'TRPCError') {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return typeof name === 'string' ? DOMAIN_CODES[name] : undefined;
}

/** A connection-level code anywhere in the cause chain; `fetch failed` alone also counts. */
function networkCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return code;
    if (current instanceof TypeError && current.message === 'fetch failed') return 'FETCH_FAILED';
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

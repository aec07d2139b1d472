/** How long to wait before trying a notification again. */
export interface RetryPolicy {
  /** The first backoff's upper bound; each further attempt doubles it. */
  baseDelayMs: number;
  /** The cap on every wait, backoff and Retry-After alike. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { baseDelayMs: 1000, maxDelayMs: 5 * 60_000 };

/** What to do with a notification after one attempt. */
export type DeliveryDecision =
  | { action: 'delivered' }
  | { action: 'retry'; delayMs: number; error: string }
  | { action: 'fail'; error: string };

/** What one attempt ended with: an HTTP answer, or no answer at all (network error, timeout). */
export type AttemptOutcome =
  | { kind: 'answered'; status: number; retryAfter?: string | undefined; detail?: string | undefined }
  | { kind: 'unanswered'; error: string }
  /** Not sent and never sendable as it is: the allowlist refused the target, or the request is invalid. */
  | { kind: 'unsendable'; error: string };

/**
 * 2xx is delivered. 429 waits for Retry-After (capped; backoff without one). 5xx and no answer
 * back off. Every other status (other 4xx, a redirect, which is never followed) and an unsendable
 * request (a target the allowlist refuses) fail for good: sending the same request again cannot succeed.
 */
export function decide(
  outcome: AttemptOutcome,
  attempt: number,
  now: number,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
  random: () => number = Math.random,
): DeliveryDecision {
  if (outcome.kind === 'unsendable') return { action: 'fail', error: outcome.error };
  if (outcome.kind === 'unanswered') {
    return { action: 'retry', delayMs: backoffDelayMs(attempt, policy, random), error: outcome.error };
  }
  const { status } = outcome;
  const error = `HTTP ${status}${outcome.detail ? `: ${outcome.detail}` : ''}`;
  if (status >= 200 && status < 300) return { action: 'delivered' };
  if (status === 429) {
    const asked = retryAfterMs(outcome.retryAfter, now);
    const delayMs =
      asked === undefined ? backoffDelayMs(attempt, policy, random) : Math.min(asked, policy.maxDelayMs);
    return { action: 'retry', delayMs, error };
  }
  if (status >= 500 && status < 600) {
    return { action: 'retry', delayMs: backoffDelayMs(attempt, policy, random), error };
  }
  return { action: 'fail', error };
}

/**
 * Exponential backoff with full jitter: uniform in [0, min(maxDelayMs, baseDelayMs·2^(attempt-1))),
 * so receivers coming back are not hit by every node at once. `attempt` counts from 1.
 */
export function backoffDelayMs(
  attempt: number,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(attempt, 1) - 1, 30);
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** exponent);
  return Math.floor(random() * ceiling);
}

/** Retry-After in ms from now: delta-seconds or an HTTP-date; undefined when absent or unreadable. */
export function retryAfterMs(header: string | undefined, now: number): number | undefined {
  const value = header?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  // An HTTP-date names its day and month (`Wed, 21 Oct 2015 07:28:00 GMT`); Date.parse alone takes "-5" as a year.
  const at = /[a-z]/i.test(value) ? Date.parse(value) : Number.NaN;
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

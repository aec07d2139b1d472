import { describe, expect, it } from 'vitest';
import { backoffDelayMs, decide, retryAfterMs, type RetryPolicy } from './retry-policy.ts';

const POLICY: RetryPolicy = { baseDelayMs: 1000, maxDelayMs: 300_000 };
const NOW = Date.UTC(2025, 5, 15, 12, 0, 0);
const almostOne = () => 0.999_999;

describe('backoffDelayMs', () => {
  it('stays under base·2^(attempt-1) and never goes below zero', () => {
    for (const attempt of [1, 2, 3, 4, 5]) {
      const ceiling = 1000 * 2 ** (attempt - 1);
      expect(backoffDelayMs(attempt, POLICY, () => 0)).toBe(0);
      expect(backoffDelayMs(attempt, POLICY, almostOne)).toBeLessThan(ceiling);
      expect(backoffDelayMs(attempt, POLICY, almostOne)).toBeGreaterThanOrEqual(ceiling - 1);
    }
  });

  it('is capped however many attempts there were', () => {
    expect(backoffDelayMs(20, POLICY, almostOne)).toBeLessThan(300_000);
    expect(backoffDelayMs(20, POLICY, almostOne)).toBeGreaterThan(299_000);
    expect(backoffDelayMs(10_000, POLICY, almostOne)).toBeLessThan(300_000);
  });

  it('spreads retries over the whole window (full jitter)', () => {
    expect(backoffDelayMs(4, POLICY, () => 0.5)).toBe(4000);
  });
});

describe('retryAfterMs', () => {
  it('reads delta-seconds', () => {
    expect(retryAfterMs('1', NOW)).toBe(1000);
    expect(retryAfterMs(' 120 ', NOW)).toBe(120_000);
  });

  it('reads an HTTP-date, never in the past', () => {
    expect(retryAfterMs(new Date(NOW + 30_000).toUTCString(), NOW)).toBe(30_000);
    expect(retryAfterMs(new Date(NOW - 30_000).toUTCString(), NOW)).toBe(0);
  });

  it('ignores a missing or unreadable header', () => {
    expect(retryAfterMs(undefined, NOW)).toBeUndefined();
    expect(retryAfterMs('soon', NOW)).toBeUndefined();
    expect(retryAfterMs('-5', NOW)).toBeUndefined();
  });
});

describe('decide', () => {
  const answered = (status: number, retryAfter?: string) => ({
    kind: 'answered' as const,
    status,
    retryAfter,
  });

  it('counts any 2xx as delivered', () => {
    expect(decide(answered(200), 1, NOW, POLICY)).toEqual({ action: 'delivered' });
    expect(decide(answered(204), 1, NOW, POLICY)).toEqual({ action: 'delivered' });
  });

  it('retries 5xx with backoff', () => {
    expect(decide(answered(503), 3, NOW, POLICY, () => 0.5)).toEqual({
      action: 'retry',
      delayMs: 2000,
      error: 'HTTP 503',
    });
  });

  it('retries network errors and timeouts with backoff', () => {
    expect(decide({ kind: 'unanswered', error: 'ECONNREFUSED' }, 1, NOW, POLICY, () => 0.5)).toEqual({
      action: 'retry',
      delayMs: 500,
      error: 'ECONNREFUSED',
    });
  });

  it('waits for a 429 as long as Retry-After asks, up to the cap', () => {
    expect(decide(answered(429, '1'), 1, NOW, POLICY)).toMatchObject({ action: 'retry', delayMs: 1000 });
    expect(decide(answered(429, '86400'), 1, NOW, POLICY)).toMatchObject({
      action: 'retry',
      delayMs: 300_000,
    });
    expect(decide(answered(429), 2, NOW, POLICY, () => 0.5)).toMatchObject({
      action: 'retry',
      delayMs: 1000,
    });
  });

  it.each([400, 401, 403, 404, 410, 422, 301, 302])('never retries HTTP %i', (status) => {
    expect(decide(answered(status), 1, NOW, POLICY)).toMatchObject({
      action: 'fail',
      error: `HTTP ${status}`,
    });
  });

  it('keeps the start of the refusal body as the error', () => {
    const outcome = { kind: 'answered' as const, status: 400, detail: 'bad alerts field' };
    expect(decide(outcome, 1, NOW, POLICY)).toEqual({ action: 'fail', error: 'HTTP 400: bad alerts field' });
  });

  it('never retries a target the allowlist refuses', () => {
    expect(decide({ kind: 'unsendable', error: 'refused' }, 1, NOW, POLICY)).toEqual({
      action: 'fail',
      error: 'refused',
    });
  });
});

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TRPCClientError } from '@trpc/client';
import { NotFoundError } from '@tierscope/shared';
import { classifyFailure, clampDeadline, fanOut } from './fan-out.ts';

const members = (...ids: string[]) => ids.map((id) => ({ id }));
const after = <T>(ms: number, value: T, signal?: AbortSignal) =>
  new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => resolve(value), ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      reject(new Error('aborted'));
    });
  });

describe('fanOut', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('returns every answer in member order with its latency', async () => {
    const answer = fanOut(members('a', 'b'), (m) => after(m.id === 'a' ? 30 : 10, m.id.toUpperCase()));
    await vi.advanceTimersByTimeAsync(30);
    expect(await answer).toEqual([
      { id: 'a', ok: true, value: 'A', latencyMs: 30 },
      { id: 'b', ok: true, value: 'B', latencyMs: 10 },
    ]);
  });

  it('names the stalled child timeout at the deadline, aborts its call and returns the rest', async () => {
    let aborted = false;
    const answer = fanOut(
      members('fast', 'stalled'),
      (m, signal) => {
        signal.addEventListener('abort', () => (aborted = true));
        return m.id === 'fast' ? after(5, 1) : new Promise<number>(() => undefined);
      },
      { deadlineMs: 200 },
    );
    await vi.advanceTimersByTimeAsync(200);
    const [fast, stalled] = await answer;
    expect(fast).toMatchObject({ ok: true, value: 1 });
    expect(stalled).toMatchObject({ id: 'stalled', ok: false, state: 'timeout', latencyMs: 200 });
    expect(aborted).toBe(true);
  });

  it('answers unreachable for a child the heartbeat reports down, without calling it', async () => {
    const call = vi.fn((m: { id: string }) => after(5, m.id));
    const answer = fanOut(members('up', 'down'), call, { isDown: (m) => m.id === 'down' });
    await vi.advanceTimersByTimeAsync(5);
    const [, down] = await answer;
    expect(down).toMatchObject({ ok: false, state: 'unreachable', latencyMs: 0 });
    expect(call).toHaveBeenCalledTimes(1);
  });

  it('keeps at most `concurrency` calls in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    const answer = fanOut(
      members('a', 'b', 'c', 'd', 'e'),
      async () => {
        inFlight += 1;
        peak = Math.max(peak, inFlight);
        await after(10, 0);
        inFlight -= 1;
      },
      { concurrency: 2 },
    );
    await vi.advanceTimersByTimeAsync(50);
    expect((await answer).every((r) => r.ok)).toBe(true);
    expect(peak).toBe(2);
  });

  it('names a child still queued at the deadline timeout, never waiting past the deadline', async () => {
    const answer = fanOut(members('a', 'b'), () => new Promise<void>(() => undefined), {
      concurrency: 1,
      deadlineMs: 100,
    });
    await vi.advanceTimersByTimeAsync(100);
    const [, queued] = await answer;
    expect(queued).toMatchObject({ state: 'timeout', latencyMs: 0 });
  });

  it('settles a call that throws synchronously as an error instead of throwing', async () => {
    const [result] = await fanOut(members('a'), () => {
      throw new Error('boom');
    });
    expect(result).toMatchObject({ ok: false, state: 'error', message: 'boom' });
  });

  it('answers at once when there are no members', async () => {
    expect(await fanOut([], () => Promise.resolve(1))).toEqual([]);
  });
});

describe('classifyFailure', () => {
  const clientError = (code: string) =>
    TRPCClientError.from({
      error: { code: -32603, message: 'nope', data: { code, httpStatus: 403 } },
    } as never);

  it('names FORBIDDEN and UNAUTHORIZED answers forbidden', () => {
    expect(classifyFailure(clientError('FORBIDDEN')).state).toBe('forbidden');
    expect(classifyFailure(clientError('UNAUTHORIZED')).state).toBe('forbidden');
  });

  it('names any other answer error and keeps its code', () => {
    expect(classifyFailure(clientError('NOT_FOUND'))).toMatchObject({ state: 'error', code: 'NOT_FOUND' });
    expect(classifyFailure(new NotFoundError('x'))).toMatchObject({ state: 'error', code: 'NOT_FOUND' });
  });

  it('names a refused connection unreachable', () => {
    const refused = new TypeError('fetch failed', {
      cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
    });
    expect(classifyFailure(TRPCClientError.from(refused)).state).toBe('unreachable');
  });

  it('keeps a caller deadline within 100..10 000 ms', () => {
    expect([clampDeadline(undefined), clampDeadline(5), clampDeadline(60_000), clampDeadline(700)]).toEqual([
      1500, 100, 10_000, 700,
    ]);
  });
});

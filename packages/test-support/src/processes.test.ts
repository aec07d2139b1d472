import { describe, expect, it } from 'vitest';
import { waitFor } from './processes.ts';

const never = (): Promise<boolean> => new Promise(() => undefined);

describe('waitFor', () => {
  it('fails at its deadline while a probe is still outstanding, naming what it waited for', async () => {
    await expect(
      waitFor('the hung thing', never, { timeoutMs: 100, probeTimeoutMs: 60_000 }),
    ).rejects.toThrow('timed out after 100 ms waiting for the hung thing');
  });

  it('abandons a probe that outlives its own timeout and asks again', async () => {
    const signals: AbortSignal[] = [];
    await waitFor(
      'the second probe',
      async (signal) => {
        signals.push(signal);
        // The first probe ignores its signal and never answers.
        return signals.length === 1 ? never() : true;
      },
      { timeoutMs: 60_000, probeTimeoutMs: 20, pollMs: 1 },
    );
    expect(signals).toHaveLength(2);
    expect(signals[0]!.aborted).toBe(true);
  });

  it('counts a probe that its own timeout aborted as "not yet", and says so at the deadline', async () => {
    const waiting = waitFor(
      'an answer',
      (signal) =>
        // As fetch does: rejects when its signal aborts.
        new Promise<boolean>((_, reject) =>
          signal.addEventListener('abort', () => reject(new Error('This operation was aborted'))),
        ),
      { timeoutMs: 200, probeTimeoutMs: 20, pollMs: 1 },
    );
    await expect(waiting).rejects.toThrow(
      /timed out after 200 ms waiting for an answer \(the last probe had no answer within 20 ms\)/,
    );
  });

  it("fails at once with a probe's own error", async () => {
    await expect(
      waitFor(
        'a probe that breaks',
        async () => {
          throw new Error('no such table: devices');
        },
        60_000,
      ),
    ).rejects.toThrow('no such table: devices');
  });

  it('stops waiting when its signal aborts', async () => {
    const controller = new AbortController();
    const waiting = waitFor('anything', never, { timeoutMs: 60_000, signal: controller.signal });
    controller.abort(new Error('the deployment is stopping'));
    await expect(waiting).rejects.toThrow('stopped waiting for anything: Error: the deployment is stopping');
  });
});

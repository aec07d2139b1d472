import { describe, expect, it } from 'vitest';
import { answerTo, temperOf, type CommandTemper } from './command-answers.ts';

const SEED = 42;

describe('simulated command answers', () => {
  it('gives a fleet every temper, mostly prompt, the same one for a device at every start', () => {
    const tempers = Array.from({ length: 400 }, (_, i) => temperOf(`sim-s01-pump-${i}`, SEED));
    const count = (temper: CommandTemper) => tempers.filter((t) => t === temper).length;
    expect(count('slow')).toBeGreaterThan(0);
    expect(count('failing')).toBeGreaterThan(0);
    expect(count('prompt')).toBeGreaterThan(300);
    expect(temperOf('sim-s01-pump-7', SEED)).toBe(tempers[7]);
  });

  it('answers set-interval with the interval it applied, and a failing device with an error', () => {
    const command = { id: 'c1', name: 'set-interval', params: { seconds: 30 } };
    expect(answerTo(command, 'prompt', SEED).ack).toEqual({
      id: 'c1',
      ok: true,
      result: { intervalSeconds: 30 },
    });
    expect(answerTo(command, 'failing', SEED).ack).toEqual({
      id: 'c1',
      ok: false,
      error: 'device busy: try again later',
    });
  });

  it('lets a slow device answer only after a command’s default 10 s timeout', () => {
    expect(answerTo({ id: 'c2', name: 'reboot' }, 'slow', SEED).delayMs).toBeGreaterThan(10_000);
    expect(answerTo({ id: 'c2', name: 'reboot' }, 'prompt', SEED).delayMs).toBeLessThan(10_000);
  });
});

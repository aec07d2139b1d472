import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { warnWithoutNodeFlags } from './node-flags.ts';

const MB = 1024 * 1024;

describe('warnWithoutNodeFlags', () => {
  it('warns when the heap limit is V8 default on a large machine, not when the flags set it', () => {
    const logger = pino({ level: 'silent' });
    const warn = vi.spyOn(logger, 'warn');
    // `node --max-old-space-size=1024` reports 1072 MB (old space plus young generation).
    warnWithoutNodeFlags(logger, 1072 * MB);
    expect(warn).not.toHaveBeenCalled();
    warnWithoutNodeFlags(logger, 4144 * MB);
    expect(warn).toHaveBeenCalledTimes(1);
  });
});

import { TelemetryPayload } from '@tierscope/shared/mqtt';
import { describe, expect, it } from 'vitest';
import { MALFORMED_KINDS, malformedTelemetry } from './invalid-payloads.ts';

function accepted(text: string): boolean {
  try {
    return TelemetryPayload.safeParse(JSON.parse(text)).success;
  } catch {
    return false;
  }
}

describe('malformedTelemetry', () => {
  it('produces only payloads the device API rejects', () => {
    for (let n = 0; n < MALFORMED_KINDS; n++)
      expect(accepted(malformedTelemetry(n, 1_700_000_000_000).payload)).toBe(false);
  });

  it('cycles through every flaw in turn', () => {
    const flaws = Array.from({ length: MALFORMED_KINDS * 2 }, (_, n) => malformedTelemetry(n, 0).flaw);
    expect(new Set(flaws).size).toBe(MALFORMED_KINDS);
    expect(flaws[MALFORMED_KINDS]).toBe(flaws[0]);
  });
});

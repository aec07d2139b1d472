import { describe, expect, it } from 'vitest';
import { ConfigReportedPayload } from '@tierscope/shared/mqtt';
import { applyDelayMs, configReport } from './config-apply.ts';

describe('a simulated device applying its configuration', () => {
  it('reports the version it applied with the document, as the device API says', () => {
    const report = configReport({ version: 7, config: { intervalSeconds: 30 } });
    expect(ConfigReportedPayload.parse(report)).toEqual({
      version: 7,
      ok: true,
      config: { intervalSeconds: 30 },
    });
  });

  it('takes the same time for the same device, version and seed, within 50–500 ms', () => {
    const delay = applyDelayMs('sim-s01-power-meter-1', 3, 42);
    expect(applyDelayMs('sim-s01-power-meter-1', 3, 42)).toBe(delay);
    expect(delay).toBeGreaterThanOrEqual(50);
    expect(delay).toBeLessThanOrEqual(500);
  });
});

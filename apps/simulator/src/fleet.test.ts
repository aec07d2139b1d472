import { DeviceId } from '@tierscope/shared/domain';
import { describe, expect, it } from 'vitest';
import { buildFleet } from './fleet.ts';

describe('buildFleet', () => {
  it('names devices sim-<site>-<kind>-<n>, counting per site and kind', () => {
    expect(buildFleet(5, 2, ['thermostat', 'pump']).map((d) => d.id)).toEqual([
      'sim-s01-thermostat-1',
      'sim-s02-thermostat-1',
      'sim-s01-pump-1',
      'sim-s02-pump-1',
      'sim-s01-thermostat-2',
    ]);
  });

  it('gives every device a unique id the device API accepts', () => {
    const ids = buildFleet(500, 10, ['thermostat', 'power-meter', 'air-quality', 'pump']).map((d) => d.id);
    expect(new Set(ids).size).toBe(500);
    for (const id of ids) expect(DeviceId.safeParse(id).success).toBe(true);
  });
});

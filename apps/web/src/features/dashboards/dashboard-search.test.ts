import { describe, expect, it } from 'vitest';
import { dashboardIdOf, nextInRotation, rangeOf, rotationOf, variablesOf } from './dashboard-search.ts';

describe('dashboard search', () => {
  it('reads the variables, dropping empty ones', () => {
    expect(variablesOf({ site: 's01', kind: ' ', node: 'district-1' })).toEqual({
      site: 's01',
      kind: undefined,
      node: 'district-1',
    });
  });

  it("opens with the dashboard's own range unless the URL names one", () => {
    expect(rangeOf({}, '24h')).toEqual({ kind: 'preset', preset: '24h' });
    expect(rangeOf({ range: '7d' }, '24h')).toEqual({ kind: 'preset', preset: '7d' });
  });

  it('rotates through the listed dashboards in turn, at least 10 s each', () => {
    const rotation = rotationOf({ rotate: '3, 7,x,3', every: '5' }, 3);
    expect(rotation).toEqual({ ids: [3, 7], everyMs: 30_000 });
    expect(nextInRotation(rotation, 3)).toBe(7);
    expect(nextInRotation(rotation, 7)).toBe(3);
    expect(rotationOf({ every: '45' }, 9)).toEqual({ ids: [9], everyMs: 45_000 });
  });
});

describe('dashboardIdOf', () => {
  it('reads a positive whole number and nothing else', () => {
    expect(dashboardIdOf('7')).toBe(7);
    expect(dashboardIdOf('0')).toBeUndefined();
    expect(dashboardIdOf('7.5')).toBeUndefined();
    expect(dashboardIdOf('abc')).toBeUndefined();
  });
});

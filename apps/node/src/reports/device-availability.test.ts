import { describe, expect, it } from 'vitest';
import { downIntervals, observedWindow, overlapMs, type DeviceHistory } from './device-availability.ts';

const history = (parts: Partial<DeviceHistory>): DeviceHistory => ({
  firstSeen: 0,
  lastSeen: 1000,
  expectedIntervalMs: 10,
  changes: [],
  ...parts,
});

describe('device down time', () => {
  it('counts from an offline or silent change to the next online one, clipped to the window', () => {
    const device = history({
      changes: [
        { at: 50, status: 'offline' },
        { at: 120, status: 'online' },
        { at: 300, status: 'silent' },
        { at: 340, status: 'offline' },
        { at: 400, status: 'online' },
      ],
    });
    expect(downIntervals(device, [100, 1000])).toEqual([
      [100, 120],
      [300, 400],
    ]);
  });

  it('counts a device not heard since as down from three intervals after its last receipt', () => {
    const device = history({ lastSeen: 500, changes: [{ at: 0, status: 'online' }] });
    expect(downIntervals(device, [0, 1000])).toEqual([[530, 1000]]);
    expect(downIntervals(history({ lastSeen: 980 }), [0, 1000])).toEqual([]);
  });

  it('counts a registered device never heard as down once it is overdue', () => {
    expect(downIntervals(history({ firstSeen: 100, lastSeen: null }), [100, 1000])).toEqual([[130, 1000]]);
  });

  it('joins an offline stretch with an ongoing silence instead of counting the overlap twice', () => {
    const device = history({ lastSeen: 500, changes: [{ at: 510, status: 'offline' }] });
    const down = downIntervals(device, [0, 1000]);
    expect(down).toEqual([[510, 1000]]);
    expect(overlapMs(down, 0, 1000)).toBe(490);
  });

  it('observes a device only from its first sighting and up to now', () => {
    expect(observedWindow(history({ firstSeen: 200 }), 0, 1000, 800)).toEqual([200, 800]);
    expect(observedWindow(history({ firstSeen: 2000 }), 0, 1000, 3000)).toBeNull();
  });
});

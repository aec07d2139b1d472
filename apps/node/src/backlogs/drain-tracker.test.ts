import { describe, expect, it } from 'vitest';
import { DrainTracker } from './drain-tracker.ts';

const options = { rateWindowMs: 10_000, stallAfterMs: 5000 };

describe('DrainTracker', () => {
  it('reports an empty backlog with no rate and no ETA', () => {
    const tracker = new DrainTracker(options);
    expect(tracker.observe({ at: 0, depth: 0, drainedTotal: 0, oldestAt: null })).toEqual({
      depth: 0,
      oldestAgeMs: null,
      drainPerSec: 0,
      etaMs: null,
      trend: 'empty',
    });
  });

  it('measures the drain rate over its window and gives the ETA as depth over rate', () => {
    const tracker = new DrainTracker(options);
    tracker.observe({ at: 0, depth: 100, drainedTotal: 0, oldestAt: 0 });
    const backlog = tracker.observe({ at: 2000, depth: 80, drainedTotal: 20, oldestAt: 500 });
    expect(backlog).toEqual({
      depth: 80,
      oldestAgeMs: 1500,
      drainPerSec: 10,
      etaMs: 8000,
      trend: 'draining',
    });
  });

  it('forgets readings older than the window', () => {
    const tracker = new DrainTracker(options);
    tracker.observe({ at: 0, depth: 10, drainedTotal: 0, oldestAt: 0 });
    tracker.observe({ at: 10_000, depth: 10, drainedTotal: 1000, oldestAt: 9000 });
    tracker.observe({ at: 20_000, depth: 10, drainedTotal: 1010, oldestAt: 19_000 });
    expect(tracker.observe({ at: 21_000, depth: 10, drainedTotal: 1011, oldestAt: 20_000 }).drainPerSec).toBe(
      1,
    );
  });

  it('calls a backlog that grew over the window growing, with no ETA', () => {
    const tracker = new DrainTracker(options);
    tracker.observe({ at: 0, depth: 5, drainedTotal: 0, oldestAt: 0 });
    const backlog = tracker.observe({ at: 1000, depth: 9, drainedTotal: 1, oldestAt: 0 });
    expect(backlog.trend).toBe('growing');
    expect(backlog.etaMs).toBeNull();
  });

  it('calls a queue holding only items in flight (younger than a second) draining, however many', () => {
    const tracker = new DrainTracker(options);
    tracker.observe({ at: 0, depth: 0, drainedTotal: 0, oldestAt: null });
    const backlog = tracker.observe({ at: 1000, depth: 5, drainedTotal: 100, oldestAt: 950 });
    expect(backlog).toMatchObject({ trend: 'draining', drainPerSec: 100, etaMs: 50 });
  });

  it('calls it stalled once items waited and none left for the stall period, and not before', () => {
    const tracker = new DrainTracker(options);
    tracker.observe({ at: 0, depth: 3, drainedTotal: 7, oldestAt: 0 });
    expect(tracker.observe({ at: 4999, depth: 3, drainedTotal: 7, oldestAt: 0 }).trend).not.toBe('stalled');
    const stalled = tracker.observe({ at: 5000, depth: 4, drainedTotal: 7, oldestAt: 0 });
    expect(stalled).toMatchObject({ trend: 'stalled', drainPerSec: 0, etaMs: null });
  });

  it('does not call it stalled before its oldest item has waited the stall period', () => {
    const tracker = new DrainTracker(options);
    tracker.observe({ at: 0, depth: 0, drainedTotal: 0, oldestAt: null });
    expect(tracker.observe({ at: 5000, depth: 2, drainedTotal: 0, oldestAt: 900 }).trend).toBe('growing');
    expect(tracker.observe({ at: 6000, depth: 2, drainedTotal: 0, oldestAt: 900 }).trend).toBe('stalled');
  });

  it('is no longer stalled as soon as one item leaves', () => {
    const tracker = new DrainTracker(options);
    tracker.observe({ at: 0, depth: 3, drainedTotal: 0, oldestAt: 0 });
    tracker.observe({ at: 6000, depth: 3, drainedTotal: 0, oldestAt: 0 });
    expect(tracker.observe({ at: 7000, depth: 2, drainedTotal: 1, oldestAt: 1000 }).trend).toBe('draining');
  });

  it('starts its window again when the counter goes back (its source restarted)', () => {
    const tracker = new DrainTracker(options);
    tracker.observe({ at: 0, depth: 3, drainedTotal: 500, oldestAt: 0 });
    const backlog = tracker.observe({ at: 1000, depth: 3, drainedTotal: 2, oldestAt: 0 });
    expect(backlog.drainPerSec).toBe(0);
  });
});

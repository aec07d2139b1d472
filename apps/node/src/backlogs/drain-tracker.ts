import type { Backlog } from '@tierscope/shared';

export interface DrainTrackerOptions {
  /** The drain rate is what left the backlog over this window. */
  rateWindowMs: number;
  /** Items waiting and none leaving for this long is a stalled drain. */
  stallAfterMs: number;
}

/** An item waiting less than this is in flight, not yet a sign of a growing backlog. */
const IN_FLIGHT_MS = 1000;

/** One look at a backlog. */
export interface BacklogReading {
  /** epoch ms */
  at: number;
  depth: number;
  /** Items that ever left the backlog (a counter: only rises, except after a restart of its source). */
  drainedTotal: number;
  /** When the oldest waiting item arrived; null when none waits. */
  oldestAt: number | null;
}

/**
 * Turns readings of one backlog into its figures: the drain rate over a moving window, the ETA
 * (depth / rate, only while it drains) and its trend. Pure apart from the readings it keeps.
 */
export class DrainTracker {
  readonly #options: DrainTrackerOptions;
  #window: BacklogReading[] = [];
  /** The last time the drain moved: an item left, or nothing waited. */
  #lastProgressAt: number | undefined;

  constructor(options: DrainTrackerOptions) {
    this.#options = options;
  }

  observe(reading: BacklogReading): Backlog {
    const previous = this.#window.at(-1);
    // A counter that went back (its source restarted) starts the window again.
    if (previous && reading.drainedTotal < previous.drainedTotal) this.#window = [];
    const moved = !previous || reading.drainedTotal > previous.drainedTotal || reading.depth === 0;
    if (moved || this.#lastProgressAt === undefined) this.#lastProgressAt = reading.at;
    this.#window.push(reading);
    while (this.#window.length > 2 && reading.at - this.#window[1]!.at >= this.#options.rateWindowMs)
      this.#window.shift();
    const first = this.#window[0]!;
    const spanMs = reading.at - first.at;
    const drainPerSec = spanMs > 0 ? ((reading.drainedTotal - first.drainedTotal) * 1000) / spanMs : 0;
    const trend = this.#trend(reading, first);
    return {
      depth: reading.depth,
      oldestAgeMs: reading.oldestAt === null ? null : Math.max(0, reading.at - reading.oldestAt),
      drainPerSec,
      etaMs: trend === 'draining' && drainPerSec > 0 ? (reading.depth / drainPerSec) * 1000 : null,
      trend,
    };
  }

  #trend(reading: BacklogReading, first: BacklogReading): Backlog['trend'] {
    if (reading.depth === 0) return 'empty';
    const { stallAfterMs } = this.#options;
    // Readings are apart: an item that arrived after the last one has not waited the whole period.
    const waitedLongEnough = reading.oldestAt === null || reading.at - reading.oldestAt >= stallAfterMs;
    if (reading.at - this.#lastProgressAt! >= stallAfterMs && waitedLongEnough) return 'stalled';
    // Items younger than a second are in flight (a batch being written, a request being sent):
    // a healthy queue holds a few of them, more or fewer at each reading, and is not growing.
    const inFlightOnly = reading.oldestAt !== null && reading.at - reading.oldestAt < IN_FLIGHT_MS;
    return reading.depth > first.depth && !inFlightOnly ? 'growing' : 'draining';
  }
}

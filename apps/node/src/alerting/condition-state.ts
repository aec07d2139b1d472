/*
 * The life of one condition (one rule on one device) over time, shared by the threshold and
 * rate-of-change rules: ok → pending (for forMs) → firing → resolved, with hysteresis and flap
 * damping. Pure: it takes observations and returns what changed; the engine persists that.
 */

/** What one observation says about the condition. `hold`: inside the hysteresis band, no news. */
export type Verdict = 'violating' | 'clear' | 'hold';

export interface DampingOptions {
  /** A firing condition must stay clear this long before it resolves: a bounce is not a recovery. */
  clearForMs: number;
  /** Re-violations while firing within this window count as flaps… */
  flapWindowMs: number;
  /** …and this many of them turn the alert to `flapping` (one alert, not a storm). */
  flapThreshold: number;
  /** A flapping alert resolves only after staying clear this long. */
  flapClearForMs: number;
}

export const DEFAULT_DAMPING: DampingOptions = {
  clearForMs: 5_000,
  flapWindowMs: 60_000,
  flapThreshold: 3,
  flapClearForMs: 60_000,
};

export type ConditionEvent =
  | { kind: 'fired'; episodeStart: number; at: number; value: number | null }
  | { kind: 'flapping'; episodeStart: number; at: number; value: number | null }
  | { kind: 'resolved'; episodeStart: number; at: number; value: number | null };

type Phase =
  | { name: 'ok' }
  | { name: 'pending'; since: number }
  | { name: 'firing'; episodeStart: number; clearSince: number | null; flaps: number[]; flapping: boolean };

export class ConditionState {
  private phase: Phase = { name: 'ok' };

  constructor(
    private readonly forMs: number,
    private readonly damping: DampingOptions,
  ) {}

  /** Restores an alert that was open before a restart. */
  static open(
    forMs: number,
    damping: DampingOptions,
    episodeStart: number,
    flapping: boolean,
  ): ConditionState {
    const state = new ConditionState(forMs, damping);
    state.phase = { name: 'firing', episodeStart, clearSince: null, flaps: [], flapping };
    return state;
  }

  get isOpen(): boolean {
    return this.phase.name === 'firing';
  }

  /** The open episode's start, while one is open. */
  get episodeStart(): number | undefined {
    return this.phase.name === 'firing' ? this.phase.episodeStart : undefined;
  }

  /** Feeds one observation (in time order); returns the change it causes, if any. */
  observe(verdict: Verdict, at: number, value: number | null): ConditionEvent | undefined {
    const phase = this.phase;
    if (verdict === 'hold') return this.check(at, value);
    if (phase.name === 'ok') {
      if (verdict === 'clear') return undefined;
      this.phase = { name: 'pending', since: at };
      return this.check(at, value);
    }
    if (phase.name === 'pending') {
      if (verdict === 'clear') {
        this.phase = { name: 'ok' };
        return undefined;
      }
      return this.check(at, value);
    }
    // firing
    if (verdict === 'clear') {
      phase.clearSince ??= at;
      return this.check(at, value);
    }
    if (phase.clearSince !== null) {
      phase.clearSince = null;
      phase.flaps = phase.flaps.filter((t) => at - t < this.damping.flapWindowMs);
      phase.flaps.push(at);
      if (!phase.flapping && phase.flaps.length >= this.damping.flapThreshold) {
        phase.flapping = true;
        return { kind: 'flapping', episodeStart: phase.episodeStart, at, value };
      }
    }
    return undefined;
  }

  /** Time passing without news: a pending condition may fire, a clear one may resolve. */
  check(at: number, value: number | null): ConditionEvent | undefined {
    const phase = this.phase;
    if (phase.name === 'pending' && at - phase.since >= this.forMs) {
      this.phase = {
        name: 'firing',
        episodeStart: phase.since,
        clearSince: null,
        flaps: [],
        flapping: false,
      };
      return { kind: 'fired', episodeStart: phase.since, at, value };
    }
    if (phase.name === 'firing' && phase.clearSince !== null) {
      const needed = phase.flapping ? this.damping.flapClearForMs : this.damping.clearForMs;
      if (at - phase.clearSince >= needed) {
        this.phase = { name: 'ok' };
        return { kind: 'resolved', episodeStart: phase.episodeStart, at, value };
      }
    }
    return undefined;
  }
}

import type { Rule } from '@tierscope/shared';
import type { EventRow, SampleRow } from '../store/ingest-store.ts';
import type { HistoryRow } from '../store/rule-history.ts';
import type { AlertTransition } from './alert-transitions.ts';
import { RuleEngine, type ObservedBatch, type RuleEngineOptions } from './rule-engine.ts';
import type { DeviceFacts } from './rule-scope.ts';

export interface ReplayOptions {
  /** The window replayed: the engine starts empty at `from`, and time runs until `to`. */
  from: number;
  to: number;
  /** Time passes in steps of this (the live engine ticks every second). */
  tickMs: number;
  /** The devices the node knows, with labels: each counts as last heard at `from`. */
  devices: readonly DeviceFacts[];
  engine?: RuleEngineOptions;
}

const timeOf = (history: HistoryRow): number => history.row.ts;

/**
 * Runs one rule over stored history with the node's own rule engine, so a preview is what the
 * engine does, not a second implementation of it. The clock is the history's: each distinct
 * timestamp arrives as one batch at that time, and between batches time passes in `tickMs` steps
 * (for-durations, clear periods, no-data and event episodes end on those ticks, as they do live).
 * Feed rows in time order, in as many calls as you like; `finish` runs the clock to `to`.
 */
export class RuleReplay {
  private readonly engine: RuleEngine;
  private pending: HistoryRow[] = [];
  private pendingAt: number | undefined;
  private nextTickAt: number;
  private lastAt: number;

  constructor(
    rule: Rule,
    private readonly options: ReplayOptions,
    private readonly onTransition: (transition: AlertTransition) => void,
  ) {
    this.engine = new RuleEngine(options.engine);
    for (const device of options.devices) this.engine.setDevice(device.id, device.labels, options.from);
    this.engine.setRules([{ ...rule, enabled: true }], options.from);
    this.nextTickAt = options.from + options.tickMs;
    this.lastAt = options.from;
  }

  /** Rows at or after every row fed before; an earlier one is a caller's bug and throws. */
  feed(rows: Iterable<HistoryRow>): void {
    for (const history of rows) {
      const at = timeOf(history);
      if (at < this.lastAt) throw new Error(`history out of order: ${at} after ${this.lastAt}`);
      this.lastAt = at;
      if (at !== this.pendingAt) {
        this.flush();
        this.advanceTo(at);
        this.pendingAt = at;
      }
      this.pending.push(history);
    }
  }

  /** Evaluates what is left and lets time run to the end of the window. */
  finish(): void {
    this.flush();
    this.advanceTo(this.options.to);
  }

  /** Ticks strictly before `at`: a batch at a tick's time comes after it. */
  private advanceTo(at: number): void {
    while (this.nextTickAt < at) {
      this.emit(this.engine.tick(this.nextTickAt));
      this.nextTickAt += this.options.tickMs;
    }
  }

  private flush(): void {
    if (this.pendingAt === undefined) return;
    const samples: SampleRow[] = [];
    const events: EventRow[] = [];
    const seen = new Map<string, number>();
    for (const history of this.pending) {
      if (history.kind === 'sample') samples.push(history.row);
      else events.push(history.row);
      seen.set(history.row.deviceId, this.pendingAt);
    }
    const batch: ObservedBatch = { samples, events, statuses: [], seen };
    this.emit(this.engine.evaluateBatch(batch, this.pendingAt));
    this.pending = [];
    this.pendingAt = undefined;
  }

  private emit(transitions: readonly AlertTransition[]): void {
    for (const transition of transitions) this.onTransition(transition);
  }
}

import type { ParentBacklog } from '@tierscope/shared';

/** A parent this node knows from its configuration. */
export interface KnownParent {
  key: string;
  /** How the console names it. */
  label: string;
  via: ParentBacklog['via'];
}

/** The node's alert change log, as far as what a parent owes is concerned. */
export interface ChangeLog {
  lastChangeSeq(): Promise<number>;
  changesPendingAfter(seq: number): Promise<{ count: number; oldestAt: number | null }>;
}

export interface ParentLinksOptions {
  parents: readonly KnownParent[];
  /** A parent not heard for this long is away: the changes made since then wait for it. */
  awayAfterMs: number;
  changes: ChangeLog;
  now?: () => number;
}

/** What is owed to one parent now, before the drain figures are worked out. */
export interface ParentReading {
  parent: KnownParent;
  lastHeardAt: number | null;
  away: boolean;
  depth: number;
  oldestAt: number | null;
  /** Changes the parent took after being away: what left this backlog. */
  drainedTotal: number;
}

interface ParentState {
  parent: KnownParent;
  lastHeardAt: number | null;
  /** The newest change committed when the parent was last heard: it follows the log live, so it has it. */
  takenSeq: number;
  away: boolean;
  owed: number;
  drainedTotal: number;
}

/**
 * What this node owes each parent it knows (decision 18). A parent pulls: it calls (heartbeats,
 * queries) and follows the alert change log with a resumable stream. While it calls, it takes each
 * change as it commits and nothing is owed. Once it has not called for `awayAfterMs`, every change
 * committed since its last call waits for it; when it calls again its stream resumes from its
 * last id and takes them all.
 */
export class ParentLinks {
  readonly #options: ParentLinksOptions;
  readonly #now: () => number;
  readonly #states: Map<string, ParentState>;
  readonly #startedAt: number;
  #headSeq = 0;

  constructor(options: ParentLinksOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#startedAt = this.#now();
    this.#states = new Map(
      options.parents.map((parent) => [
        parent.key,
        { parent, lastHeardAt: null, takenSeq: 0, away: false, owed: 0, drainedTotal: 0 },
      ]),
    );
  }

  /** Reads where the change log stands; what a parent took before this node started is its own business. */
  async load(): Promise<void> {
    this.#headSeq = await this.#options.changes.lastChangeSeq();
    for (const state of this.#states.values()) state.takenSeq = this.#headSeq;
  }

  /** Changes committed (from the alerting runtime's announcements). */
  changed(seq: number): void {
    this.#headSeq = Math.max(this.#headSeq, seq);
  }

  /** A call from the parent arrived. */
  heard(key: string): void {
    const state = this.#states.get(key);
    if (!state) return;
    state.lastHeardAt = this.#now();
    state.takenSeq = this.#headSeq;
    if (state.away) state.drainedTotal += state.owed;
    state.away = false;
    state.owed = 0;
  }

  async read(): Promise<ParentReading[]> {
    const now = this.#now();
    const readings: ParentReading[] = [];
    for (const state of this.#states.values()) {
      const heardAt = state.lastHeardAt ?? this.#startedAt;
      state.away = now - heardAt >= this.#options.awayAfterMs;
      const pending = state.away
        ? await this.#options.changes.changesPendingAfter(state.takenSeq)
        : { count: 0, oldestAt: null };
      state.owed = pending.count;
      readings.push({
        parent: state.parent,
        lastHeardAt: state.lastHeardAt,
        away: state.away,
        depth: pending.count,
        oldestAt: pending.oldestAt,
        drainedTotal: state.drainedTotal,
      });
    }
    return readings;
  }
}

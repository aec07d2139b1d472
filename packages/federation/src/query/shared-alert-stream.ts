import type { AlertChange } from '@tierscope/shared';
import type { AlertStreamHandlers } from './alert-stream.ts';

/** Opens one child's alert stream after `lastEventId`; returns the function that closes it. */
export type OpenAlertStream = (lastEventId: string | undefined, handlers: AlertStreamHandlers) => () => void;

export interface SharedAlertStreamOptions {
  /** Changes kept for subscribers that resume by id. Default 1000. */
  logLimit?: number;
  /** How long the upstream stays open once the last subscriber left. Default 5000 ms. */
  graceMs?: number;
}

/** One change as the shared copy received it; `n` numbers the copy's own order. */
interface Entry {
  n: number;
  id: string;
  change: AlertChange;
}

interface Subscriber {
  handlers: AlertStreamHandlers;
  /** The changes it was given lately (changeKey), oldest first: a change it has is never given again. */
  delivered: Set<string>;
  /** The last entry delivered from the copy; undefined while the subscriber is catching up. */
  at: number | undefined;
  /** A subscriber behind the copy reads its own stream until it reaches a join point. */
  catchUp?: { position: string; stop: () => void };
}

const DEFAULT_LOG_LIMIT = 1000;
const DEFAULT_GRACE_MS = 5000;
const REOPEN_MIN_MS = 250;
const REOPEN_MAX_MS = 5000;

/**
 * One child's alert stream followed once and served to every subscriber of this tier
 * (docs/decisions/0030). The copy opens without an id (every open alert, then live), so a
 * subscriber without an id is served the copy's open alerts and then its changes. A subscriber
 * with an id resumes from the copy's log at that id when the id is a join point; otherwise it reads
 * a stream of its own from its id until that stream reaches a join point, and then continues from
 * the copy: every change after its id, once, in order.
 *
 * A join point is an id the child's resume semantics make exact: one received on an upstream opened
 * from an id, or the id it was opened from. What a stream opened without an id sends first (the
 * open alerts, each with the id of its latest change) skips the changes in between, so those ids
 * are no join points; the first subscriber that needs one has the copy reopened from its last id.
 */
export class SharedAlertStream {
  private readonly logLimit: number;
  private readonly graceMs: number;
  private readonly subscribers = new Set<Subscriber>();
  private log: Entry[] = [];
  /** Join points: id → the last entry at or before it. */
  private joinPoints = new Map<string, number>();
  /** The latest entry of each open alert, for subscribers that start without an id. */
  private openAlerts = new Map<string, Entry>();
  private nextN = 1;
  private lastId: string | undefined;
  private upstream: { stop: () => void; exact: boolean } | undefined;
  private upstreamState: { up: true } | { up: false; reason: string | undefined } = {
    up: false,
    reason: undefined,
  };
  private reopenDelay = REOPEN_MIN_MS;
  private reopenTimer: NodeJS.Timeout | undefined;
  private graceTimer: NodeJS.Timeout | undefined;
  private upstreamsOpened = 0;

  constructor(
    private readonly openUpstream: OpenAlertStream,
    options: SharedAlertStreamOptions = {},
  ) {
    this.logLimit = options.logLimit ?? DEFAULT_LOG_LIMIT;
    this.graceMs = options.graceMs ?? DEFAULT_GRACE_MS;
  }

  /** Streams open to the child now: the copy's, and one per subscriber still catching up. */
  get openUpstreams(): number {
    return (this.upstream ? 1 : 0) + [...this.subscribers].filter((s) => s.catchUp).length;
  }

  /** Upstream streams opened since this copy was created (copies and catch-ups alike). */
  get upstreamsOpenedTotal(): number {
    return this.upstreamsOpened;
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  /** Same shape as a child's own stream: subscribers need not know it is shared. */
  open(lastEventId: string | undefined, handlers: AlertStreamHandlers): () => void {
    clearTimeout(this.graceTimer);
    this.graceTimer = undefined;
    const subscriber: Subscriber = { handlers, delivered: new Set(), at: undefined };
    this.subscribers.add(subscriber);
    if (!this.upstream && this.reopenTimer === undefined) this.connect(undefined);
    if (lastEventId === undefined) this.startFromOpenAlerts(subscriber);
    else {
      const at = this.joinPoints.get(lastEventId);
      if (at === undefined) this.startCatchUp(subscriber, lastEventId);
      else this.startAt(subscriber, at);
    }
    return () => this.leave(subscriber);
  }

  /** Closes the copy and every subscriber's own stream at once. */
  close(): void {
    for (const subscriber of this.subscribers) subscriber.catchUp?.stop();
    this.subscribers.clear();
    this.closeUpstream();
  }

  private leave(subscriber: Subscriber): void {
    if (!this.subscribers.delete(subscriber)) return;
    subscriber.catchUp?.stop();
    if (this.subscribers.size > 0) return;
    clearTimeout(this.graceTimer);
    this.graceTimer = setTimeout(() => this.closeUpstream(), this.graceMs);
    this.graceTimer.unref();
  }

  /** Forgets everything: the next subscriber starts a new copy. */
  private closeUpstream(): void {
    clearTimeout(this.graceTimer);
    clearTimeout(this.reopenTimer);
    this.graceTimer = undefined;
    this.reopenTimer = undefined;
    this.releaseUpstream();
    this.log = [];
    this.joinPoints = new Map();
    this.openAlerts = new Map();
    this.lastId = undefined;
    this.upstreamState = { up: false, reason: undefined };
    this.reopenDelay = REOPEN_MIN_MS;
  }

  private releaseUpstream(): void {
    const upstream = this.upstream;
    this.upstream = undefined;
    if (upstream) stopQuietly(upstream.stop);
  }

  private connect(after: string | undefined): void {
    this.reopenTimer = undefined;
    const exact = after !== undefined;
    if (exact) this.joinPoints.set(after, this.nextN - 1);
    const upstream = { stop: () => {}, exact };
    this.upstream = upstream;
    this.upstreamsOpened += 1;
    const current = () => this.upstream === upstream;
    const stop = this.openUpstream(after, {
      onItem: (item) => {
        if (current()) this.receive(item.id, item.change, exact);
      },
      onDown: (reason) => {
        if (current()) this.setState({ up: false, reason });
      },
      onUp: () => {
        if (current()) this.setState({ up: true });
      },
      onEnd: (error) => {
        if (!current()) return;
        // Subscribers mark the child's alerts stale until it is back, whyever the stream ended.
        this.setState({ up: false, reason: error instanceof Error ? error.message : 'the stream ended' });
        this.releaseUpstream();
        this.reopenTimer = setTimeout(() => this.connect(this.lastId), this.reopenDelay);
        this.reopenTimer.unref();
        this.reopenDelay = Math.min(REOPEN_MAX_MS, this.reopenDelay * 2);
      },
    });
    // A stream may end inside `open`: then it is already released, and this closes it.
    upstream.stop = stop;
    if (!current()) stopQuietly(stop);
    // The catch-ups waiting for a join point get one as soon as the copy is exact.
    if (exact && current()) this.joinWaiting(after, this.nextN - 1);
  }

  /** A copy opened without an id is reopened from its last id once a catch-up needs a join point. */
  private makeExactForCatchUps(): void {
    const upstream = this.upstream;
    if (!upstream || upstream.exact || this.lastId === undefined) return;
    if (![...this.subscribers].some((s) => s.catchUp)) return;
    this.releaseUpstream();
    this.connect(this.lastId);
  }

  private setState(state: SharedAlertStream['upstreamState']): void {
    if (state.up) this.reopenDelay = REOPEN_MIN_MS;
    if (state.up === this.upstreamState.up) return;
    this.upstreamState = state;
    for (const subscriber of this.followers()) this.tellState(subscriber);
  }

  private tellState(subscriber: Subscriber): void {
    if (this.upstreamState.up) subscriber.handlers.onUp();
    else if (this.upstreamState.reason !== undefined) subscriber.handlers.onDown(this.upstreamState.reason);
  }

  private receive(id: string, change: AlertChange, exact: boolean): void {
    const entry: Entry = { n: this.nextN++, id, change };
    this.lastId = id;
    this.log.push(entry);
    if (this.log.length > this.logLimit) this.trimLog();
    if (change.alert.state === 'resolved') this.openAlerts.delete(change.alert.id);
    else this.openAlerts.set(change.alert.id, entry);
    if (exact) this.joinPoints.set(id, entry.n);
    if (!this.upstreamState.up) this.setState({ up: true });
    for (const subscriber of this.followers()) {
      subscriber.at = entry.n;
      this.deliver(subscriber, { id, change });
    }
    if (exact) this.joinWaiting(id, entry.n);
    else this.makeExactForCatchUps();
  }

  private trimLog(): void {
    const dropped = this.log.splice(0, this.log.length - this.logLimit);
    // The copy is only ever reopened from its newest entry's id: every join point is an entry's.
    for (const entry of dropped)
      if (this.joinPoints.get(entry.id) === entry.n) this.joinPoints.delete(entry.id);
  }

  /** Subscribers reading the copy (not catching up), as a list: a handler may leave while it runs. */
  private followers(): Subscriber[] {
    return [...this.subscribers].filter((s) => s.at !== undefined);
  }

  private startFromOpenAlerts(subscriber: Subscriber): void {
    const open = [...this.openAlerts.values()].sort((a, b) => a.n - b.n);
    subscriber.at = this.nextN - 1;
    this.tellState(subscriber);
    for (const entry of open) {
      if (!this.subscribers.has(subscriber)) return;
      this.deliver(subscriber, { id: entry.id, change: entry.change });
    }
  }

  /** Delivers the log after entry `at`, then the subscriber follows the copy. */
  private startAt(subscriber: Subscriber, at: number): void {
    subscriber.at = this.nextN - 1;
    this.tellState(subscriber);
    const first = this.log[0]?.n ?? this.nextN;
    for (const entry of this.log.slice(Math.max(0, at + 1 - first))) {
      if (!this.subscribers.has(subscriber)) return;
      this.deliver(subscriber, { id: entry.id, change: entry.change });
    }
  }

  /**
   * Gives the subscriber a change it does not have yet. A subscriber that switches from its own
   * stream to the copy, or a copy reopened from its last id, can meet a change twice (seen in the
   * two-replica test when a console moved to the other BFF): each change still reaches it once.
   */
  private deliver(subscriber: Subscriber, item: { id: string; change: AlertChange }): void {
    const key = changeKey(item);
    if (subscriber.delivered.has(key)) return;
    subscriber.delivered.add(key);
    if (subscriber.delivered.size > this.logLimit) {
      const oldest = subscriber.delivered.values().next().value;
      if (oldest !== undefined) subscriber.delivered.delete(oldest);
    }
    subscriber.handlers.onItem(item);
  }

  private startCatchUp(subscriber: Subscriber, lastEventId: string): void {
    const catchUp = { position: lastEventId, stop: () => {} };
    subscriber.catchUp = catchUp;
    this.upstreamsOpened += 1;
    const active = () => subscriber.catchUp === catchUp && this.subscribers.has(subscriber);
    const stop = this.openUpstream(lastEventId, {
      onItem: (item) => {
        if (!active()) return;
        catchUp.position = item.id;
        this.deliver(subscriber, item);
        const at = this.joinPoints.get(item.id);
        if (at !== undefined && active()) this.join(subscriber, at);
      },
      onDown: (reason) => {
        if (active()) subscriber.handlers.onDown(reason);
      },
      onUp: () => {
        if (active()) subscriber.handlers.onUp();
      },
      onEnd: (error) => {
        // The subscriber reopens from the last id it got, as with any child's stream.
        if (active()) subscriber.handlers.onEnd(error);
      },
    });
    catchUp.stop = stop;
    if (!active()) stopQuietly(stop);
    // A copy opened without an id has no join point until it is reopened from one.
    else this.makeExactForCatchUps();
  }

  /** Catch-ups whose position the copy just reached at entry `at` continue from the copy. */
  private joinWaiting(id: string, at: number): void {
    for (const subscriber of [...this.subscribers])
      if (subscriber.catchUp?.position === id) this.join(subscriber, at);
  }

  private join(subscriber: Subscriber, at: number): void {
    const catchUp = subscriber.catchUp;
    subscriber.catchUp = undefined;
    if (catchUp) stopQuietly(catchUp.stop);
    this.startAt(subscriber, at);
  }
}

/**
 * One change, by its id and what it says: a child that restarts on a new store numbers its changes
 * from the start again, so an id alone could name two different changes.
 */
function changeKey({ id, change }: { id: string; change: AlertChange }): string {
  return `${id}\u0000${change.kind}\u0000${change.alert.id}\u0000${change.at}`;
}

/** Closes a stream that may already be closed (or be closing from inside its own callback). */
function stopQuietly(stop: () => void): void {
  try {
    stop();
  } catch {
    // already closed: nothing is lost
  }
}

import { randomBytes } from 'node:crypto';
import {
  AlertChange,
  NotFoundError,
  type Actor,
  type Alert,
  type AlertChangeKind,
  type TrackedAlertChange,
} from '@tierscope/shared';
import type { Clock } from './clock.ts';
import { systemClock } from './clock.ts';

export const NODE_UNREACHABLE_RULE = 'node-unreachable';

/** How many changes the book keeps for replay; older resumptions start from the open alerts. */
const LOG_LIMIT = 10_000;

/** One change of the book, numbered in the order every reader sees it. */
export interface NumberedChange {
  seq: number;
  change: AlertChange;
}

/**
 * Where a tier keeps its book: durable, so its notifier can feed the changes to its routes
 * (decision 8), and shared by replicas (the BFF), so that every replica lists, acks and streams the
 * same `node unreachable` alerts (decision 17). Each replica still raises and
 * resolves from its own heartbeat; the store makes replicas that lose a child together raise one
 * alert, and numbers the changes in commit order so a stream resumes on any replica.
 */
export interface UnreachableAlertStore {
  /** Records `alert` as fired, unless its subject has an open alert already (raised by any replica). */
  raise(alert: Alert): Promise<void>;
  /** Resolves the subject's open alert, if there is one. */
  resolve(subjectPath: string, at: number): Promise<void>;
  /** Records an ack or unack of `alert` (as it is after the change). */
  append(kind: AlertChangeKind, alert: Alert, at: number): Promise<void>;
  /** The changes after `afterSeq` in order, at most `limit`; without `afterSeq`, the latest `limit`. */
  read(afterSeq: number | undefined, limit: number): Promise<NumberedChange[]>;
}

/** Serialises the store's appends, so `seq` commits in order and a reader after N never skips one. */
const BOOK_LOCK = 0x7a5c_0b00;

/**
 * An UnreachableAlertStore over raw SQL (`$1…` parameters), for a tier whose migrations create
 * `node_unreachable_changes` and `node_unreachable_open` (apps/bff/src/store/schema).
 */
export function sqlUnreachableAlertStore(
  exec: (text: string, params?: readonly unknown[]) => Promise<Array<Record<string, unknown>>>,
): UnreachableAlertStore {
  // Each statement takes the lock before it inserts a change row, so seq is drawn in lock order.
  const locked = `(SELECT pg_advisory_xact_lock(${BOOK_LOCK})) AS lock`;
  const numbered = (rows: Array<Record<string, unknown>>): NumberedChange[] =>
    rows.map((row) => ({
      seq: Number(row.seq),
      change: AlertChange.parse({ kind: row.kind, at: Number(row.at), alert: row.alert }),
    }));
  return {
    raise: async (alert) => {
      await exec(
        `WITH claimed AS (
           INSERT INTO node_unreachable_open (subject_path, alert_id)
           SELECT $1, $2 FROM ${locked}
           ON CONFLICT (subject_path) DO NOTHING
           RETURNING alert_id)
         INSERT INTO node_unreachable_changes (alert_id, kind, at, alert)
         SELECT alert_id, 'fired', $3, $4::jsonb FROM claimed`,
        [alert.subjectPath, alert.id, alert.startedAt, JSON.stringify(alert)],
      );
    },
    resolve: async (subjectPath, at) => {
      await exec(
        `WITH released AS (
           DELETE FROM node_unreachable_open o USING ${locked}
           WHERE o.subject_path = $1
           RETURNING o.alert_id)
         INSERT INTO node_unreachable_changes (alert_id, kind, at, alert)
         SELECT r.alert_id, 'resolved', $2::bigint,
           (SELECT c.alert FROM node_unreachable_changes c WHERE c.alert_id = r.alert_id
             ORDER BY c.seq DESC LIMIT 1)
           || jsonb_build_object('state', 'resolved', 'resolvedAt', $2::bigint, 'updatedAt', $2::bigint)
         FROM released r`,
        [subjectPath, at],
      );
    },
    append: async (kind, alert, at) => {
      await exec(
        `INSERT INTO node_unreachable_changes (alert_id, kind, at, alert)
         SELECT $1, $2, $3, $4::jsonb FROM ${locked}`,
        [alert.id, kind, at, JSON.stringify(alert)],
      );
    },
    read: async (afterSeq, limit) =>
      numbered(
        afterSeq === undefined
          ? await exec(
              `SELECT * FROM (SELECT seq, kind, at, alert FROM node_unreachable_changes
                 ORDER BY seq DESC LIMIT $1) latest ORDER BY seq`,
              [limit],
            )
          : await exec(
              `SELECT seq, kind, at, alert FROM node_unreachable_changes WHERE seq > $1 ORDER BY seq LIMIT $2`,
              [afterSeq, limit],
            ),
      ),
  };
}

/**
 * The alerts a federating tier raises itself: one `node unreachable` alert per lost child, for as
 * long as the heartbeat says it is down. With a store (as every tier runs it), the book is the
 * store's changes as this replica last read them (`sync`, after each of its own changes and every
 * `follow` interval): ids are the store's numbers, the same on every replica and after a restart,
 * and an ack made on one is listed and streamed by all. Without one (tests) it is held in memory:
 * event ids then carry a boot id, so a resumption across a restart replays the open ones.
 */
export class NodeUnreachableAlerts {
  /** The store's ids name no boot: they mean the same on every replica and after a restart. */
  private readonly bootId: string;
  private seq = 0;
  private readonly log: NumberedChange[] = [];
  private readonly open = new Map<string, Alert>();
  private readonly all = new Map<string, Alert>();
  private readonly listeners = new Set<() => void>();
  /** Subjects with a raise or resolve on its way to the store: the next check must not send another. */
  private readonly pending = new Set<string>();
  private syncing: Promise<void> = Promise.resolve();

  /**
   * An alert's `nodePath` is its subject's path in this tier's output space: acks for it come back
   * down to this tier, which answers them from the book before routing anything to the child.
   */
  constructor(
    private readonly clock: Clock = systemClock,
    private readonly store?: UnreachableAlertStore,
  ) {
    this.bootId = store ? 'db' : randomBytes(4).toString('hex');
  }

  /**
   * The child at `subjectPath` stopped answering at `since` (its last answer here): one alert,
   * however long it stays down. An episode already resolved is not raised again: with replicas,
   * one that still cannot reach the child leaves it resolved by one that can (decision 17).
   */
  childDown(subjectPath: string, since: number): void {
    const id = `${NODE_UNREACHABLE_RULE}:${subjectPath}:${since}`;
    if (this.open.has(subjectPath) || this.pending.has(subjectPath) || this.all.has(id)) return;
    const alert: Alert = {
      id,
      fingerprint: `${NODE_UNREACHABLE_RULE}:${subjectPath}`,
      nodePath: subjectPath,
      ruleId: NODE_UNREACHABLE_RULE,
      ruleName: 'Node unreachable',
      deviceId: null,
      subjectPath,
      severity: 'critical',
      state: 'firing',
      summary: `${subjectPath} is unreachable: its alerts are shown as last known (stale)`,
      value: null,
      startedAt: since,
      updatedAt: since,
      resolvedAt: null,
      ack: null,
      silenced: false,
      stale: false,
    };
    if (this.store) this.viaStore(subjectPath, (store) => store.raise(alert));
    else this.apply(this.seq + 1, { kind: 'fired', at: since, alert });
  }

  childUp(subjectPath: string, at: number): void {
    const alert = this.open.get(subjectPath);
    if (!alert || this.pending.has(subjectPath)) return;
    if (this.store) this.viaStore(subjectPath, (store) => store.resolve(subjectPath, at));
    else
      this.apply(this.seq + 1, {
        kind: 'resolved',
        at,
        alert: { ...alert, state: 'resolved', resolvedAt: at, updatedAt: at },
      });
  }

  /** Whether a raise or resolve of `subjectPath` is on its way to the store. */
  isBusy(subjectPath: string): boolean {
    return this.pending.has(subjectPath);
  }

  has(id: string): boolean {
    return this.all.has(id);
  }

  /** Open ones first; resolved ones stay listable until the log forgets them. */
  alerts(): Alert[] {
    return [...this.all.values()];
  }

  async setAck(id: string, note: string | null, actor: Actor): Promise<Alert> {
    const alert = this.all.get(id);
    if (!alert) throw new NotFoundError(`no alert ${id}`);
    const at = this.clock.now();
    const changed: Alert = {
      ...alert,
      ack: note === null ? null : { by: actor.name, at, note },
      updatedAt: at,
    };
    const kind = note === null ? 'unacked' : 'acked';
    if (this.store) {
      await this.store.append(kind, changed, at);
      await this.sync();
    } else this.apply(this.seq + 1, { kind, at, alert: changed });
    return changed;
  }

  /**
   * Reads the store's changes made since the last read (by any replica) into the book; the
   * first read takes the latest ones. Reads run one at a time. Without a store, nothing to read.
   */
  sync(): Promise<void> {
    const store = this.store;
    if (!store) return Promise.resolve();
    const run = this.syncing.then(async () => {
      for (;;) {
        const changes = await store.read(this.seq === 0 ? undefined : this.seq, LOG_LIMIT);
        for (const { seq, change } of changes) if (seq > this.seq) this.apply(seq, change);
        if (changes.length < LOG_LIMIT) return;
      }
    });
    this.syncing = run.catch(() => undefined);
    return run;
  }

  /**
   * Calls `sync` now and every `intervalMs` until the returned function is called; a failed read
   * (the database away) is retried at the next.
   */
  follow(intervalMs: number): () => void {
    if (!this.store) return () => undefined;
    void this.sync().catch(() => undefined);
    const timer = setInterval(() => void this.sync().catch(() => undefined), intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  /** Resumable like a node's stream: after `lastEventId`, or the open alerts first. */
  async *watch(lastEventId: string | undefined, signal: AbortSignal): AsyncGenerator<TrackedAlertChange> {
    // The book as the store has it now: a stream opened before the first read replays no history.
    await this.sync();
    let after = this.resumePoint(lastEventId);
    if (after === undefined) {
      for (const alert of this.open.values())
        yield { id: this.idOf(this.seq), change: { kind: 'fired', at: alert.startedAt, alert } };
      after = this.seq;
    }
    while (!signal.aborted) {
      for (const entry of this.log) {
        if (entry.seq <= after) continue;
        after = entry.seq;
        yield { id: this.idOf(entry.seq), change: entry.change };
      }
      await new Promise<void>((resolve) => {
        const done = () => {
          this.listeners.delete(done);
          signal.removeEventListener('abort', done);
          resolve();
        };
        this.listeners.add(done);
        signal.addEventListener('abort', done, { once: true });
      });
    }
  }

  /** A raise or resolve through the store; failed, it is sent again at the heartbeat's next check. */
  private viaStore(subjectPath: string, change: (store: UnreachableAlertStore) => Promise<void>): void {
    this.pending.add(subjectPath);
    void change(this.store!)
      .then(() => this.sync())
      .catch(() => undefined)
      .finally(() => this.pending.delete(subjectPath));
  }

  private resumePoint(lastEventId: string | undefined): number | undefined {
    if (lastEventId === undefined) return undefined;
    const [boot, seq] = lastEventId.split('.');
    // Another boot's ids mean nothing here: start from the open alerts.
    if (boot !== this.bootId || seq === undefined || !/^\d+$/.test(seq)) return undefined;
    const n = Number(seq);
    const oldest = this.log[0]?.seq ?? this.seq + 1;
    return n + 1 < oldest ? undefined : n;
  }

  private idOf(seq: number): string {
    return `${this.bootId}.${seq}`;
  }

  /** Takes one numbered change into the book: the open alert of its subject, the listing, the log. */
  private apply(seq: number, change: AlertChange): void {
    const { alert } = change;
    const subject = alert.subjectPath ?? alert.nodePath;
    if (change.kind === 'fired') this.open.set(subject, alert);
    else if (this.open.get(subject)?.id === alert.id) {
      if (change.kind === 'resolved') this.open.delete(subject);
      else this.open.set(subject, alert);
    }
    this.seq = seq;
    this.all.set(alert.id, alert);
    this.log.push({ seq, change });
    if (this.log.length > LOG_LIMIT) {
      const dropped = this.log.shift()!;
      if (dropped.change.alert.state === 'resolved') this.all.delete(dropped.change.alert.id);
    }
    for (const listener of [...this.listeners]) listener();
  }
}

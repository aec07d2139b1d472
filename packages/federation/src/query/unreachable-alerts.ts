import { randomBytes } from 'node:crypto';
import {
  NotFoundError,
  type Actor,
  type Alert,
  type AlertChange,
  type AlertChangeKind,
  type TrackedAlertChange,
} from '@tierscope/shared';
import type { Clock } from './clock.ts';
import { systemClock } from './clock.ts';

export const NODE_UNREACHABLE_RULE = 'node-unreachable';

/** How many changes the book keeps for replay; older resumptions start from the open alerts. */
const LOG_LIMIT = 10_000;

/**
 * The alerts a federating tier raises itself: one `node unreachable` alert per lost child, for as
 * long as the heartbeat says it is down. Held in memory (the heartbeat re-derives them after a
 * restart); event ids carry a boot id, so a resumption across a restart replays the open ones.
 */
export class NodeUnreachableAlerts {
  private readonly bootId = randomBytes(4).toString('hex');
  private seq = 0;
  private readonly log: Array<{ seq: number; change: AlertChange }> = [];
  private readonly open = new Map<string, Alert>();
  private readonly all = new Map<string, Alert>();
  private readonly listeners = new Set<() => void>();

  /**
   * An alert's `nodePath` is its subject's path in this tier's output space: acks for it come back
   * down to this tier, which answers them from the book before routing anything to the child.
   */
  constructor(private readonly clock: Clock = systemClock) {}

  /** The child at `subjectPath` stopped answering: one alert, however long it stays down. */
  childDown(subjectPath: string, since: number): void {
    if (this.open.has(subjectPath)) return;
    const alert: Alert = {
      id: `${NODE_UNREACHABLE_RULE}:${subjectPath}:${since}`,
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
    this.open.set(subjectPath, alert);
    this.record('fired', alert, since);
  }

  childUp(subjectPath: string, at: number): void {
    const alert = this.open.get(subjectPath);
    if (!alert) return;
    this.open.delete(subjectPath);
    this.record('resolved', { ...alert, state: 'resolved', resolvedAt: at, updatedAt: at }, at);
  }

  has(id: string): boolean {
    return this.all.has(id);
  }

  /** Open ones first; resolved ones stay listable until the log forgets them. */
  alerts(): Alert[] {
    return [...this.all.values()];
  }

  setAck(id: string, note: string | null, actor: Actor): Alert {
    const alert = this.all.get(id);
    if (!alert) throw new NotFoundError(`no alert ${id}`);
    const at = this.clock.now();
    const changed: Alert = {
      ...alert,
      ack: note === null ? null : { by: actor.name, at, note },
      updatedAt: at,
    };
    if (this.open.get(alert.nodePath)?.id === id) this.open.set(alert.nodePath, changed);
    this.record(note === null ? 'unacked' : 'acked', changed, at);
    return changed;
  }

  /** Resumable like a node's stream: after `lastEventId`, or the open alerts first. */
  async *watch(lastEventId: string | undefined, signal: AbortSignal): AsyncGenerator<TrackedAlertChange> {
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

  private record(kind: AlertChangeKind, alert: Alert, at: number): void {
    this.all.set(alert.id, alert);
    this.log.push({ seq: ++this.seq, change: { kind, at, alert } });
    if (this.log.length > LOG_LIMIT) {
      const dropped = this.log.shift()!;
      if (dropped.change.alert.state === 'resolved') this.all.delete(dropped.change.alert.id);
    }
    for (const listener of [...this.listeners]) listener();
  }
}

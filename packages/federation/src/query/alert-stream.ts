import { BadRequestError, type Alert, type AlertChange, type TrackedAlertChange } from '@tierscope/shared';
import { z } from 'zod';

/** What a member's live stream reports; the merger decides what each means for the subscriber. */
export interface AlertStreamHandlers {
  onItem(item: TrackedAlertChange): void;
  /** The connection is lost and being retried by the transport. */
  onDown(reason: string): void;
  /** The stream is (again) connected. */
  onUp(): void;
  /** The stream ended (with an error, or completed); the merger reopens it. */
  onEnd(error?: unknown): void;
}

/** One source of a federated stream: the node's own alerts, one child, or the tier's own book. */
export interface AlertStreamMember {
  /** Key in the resumable id vector. */
  id: string;
  /** Added to the paths in the member's changes. */
  prefix: string;
  open(lastEventId: string | undefined, handlers: AlertStreamHandlers): () => void;
}

const REOPEN_MIN_MS = 250;
const REOPEN_MAX_MS = 5000;

const Vector = z.record(z.string().max(64), z.string().max(16_384));
type Vector = z.infer<typeof Vector>;

/**
 * A federated stream's event id: every member's last event id, so a subscriber that comes back
 * resumes each member exactly where it stopped (each member replays from its own store).
 */
export function encodeStreamId(vector: Vector): string {
  return `v1.${Buffer.from(JSON.stringify(vector)).toString('base64url')}`;
}

export function decodeStreamId(id: string): Vector {
  if (!id.startsWith('v1.')) throw new BadRequestError('lastEventId is not a federated stream id');
  try {
    return Vector.parse(JSON.parse(Buffer.from(id.slice(3), 'base64url').toString('utf8')));
  } catch {
    throw new BadRequestError('lastEventId is not a federated stream id');
  }
}

export function prefixAlert(alert: Alert, prefix: string): Alert {
  if (prefix === '') return alert;
  return {
    ...alert,
    nodePath: `${prefix}${alert.nodePath}`,
    subjectPath: alert.subjectPath === null ? null : `${prefix}${alert.subjectPath}`,
  };
}

interface Queued {
  member: AlertStreamMember;
  item: TrackedAlertChange | undefined;
  change: AlertChange;
}

/**
 * Merges members' streams into one, in each member's order, with vector ids. A member that drops
 * is reopened after its last id (so nothing is missed or repeated); meanwhile its open alerts are
 * re-sent once marked `stale`, and once more as `fresh` when it is back.
 */
export async function* mergeAlertStreams(
  members: readonly AlertStreamMember[],
  lastEventId: string | undefined,
  signal: AbortSignal,
): AsyncGenerator<TrackedAlertChange, void, undefined> {
  const vector: Vector = lastEventId === undefined ? {} : decodeStreamId(lastEventId);
  // What each member has delivered (queued or yielded): a reopened stream continues after it.
  const received: Vector = { ...vector };
  const queue: Queued[] = [];
  let wake: (() => void) | undefined;
  const push = (entry: Queued) => {
    queue.push(entry);
    wake?.();
  };
  const stops: Array<() => void> = [];

  for (const member of members) {
    const open = new Map<string, Alert>();
    let stale = false;
    let stop: (() => void) | undefined;
    let delay = REOPEN_MIN_MS;
    let reopenTimer: NodeJS.Timeout | undefined;

    const markStale = () => {
      if (stale) return;
      stale = true;
      for (const alert of open.values())
        push({
          member,
          item: undefined,
          change: { kind: 'stale', at: Date.now(), alert: { ...alert, stale: true } },
        });
    };
    const markFresh = () => {
      delay = REOPEN_MIN_MS;
      if (!stale) return;
      stale = false;
      for (const alert of open.values())
        push({ member, item: undefined, change: { kind: 'fresh', at: Date.now(), alert } });
    };
    const connect = () => {
      if (signal.aborted) return;
      stop = member.open(received[member.id], {
        onItem: (item) => {
          received[member.id] = item.id;
          markFresh();
          const alert = prefixAlert(item.change.alert, member.prefix);
          if (alert.state === 'resolved') open.delete(alert.id);
          else open.set(alert.id, alert);
          push({ member, item, change: { ...item.change, alert } });
        },
        onDown: markStale,
        onUp: markFresh,
        onEnd: () => {
          markStale();
          if (!signal.aborted) {
            reopenTimer = setTimeout(connect, delay);
            delay = Math.min(REOPEN_MAX_MS, delay * 2);
          }
          // Called from inside the ended stream's own callback: releasing it may throw; nothing is lost.
          try {
            stop?.();
          } catch {
            // already closed
          }
        },
      });
    };
    connect();
    stops.push(() => {
      clearTimeout(reopenTimer);
      stop?.();
    });
  }

  const onAbort = () => wake?.();
  signal.addEventListener('abort', onAbort);
  try {
    while (!signal.aborted) {
      const next = queue.shift();
      if (!next) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
        continue;
      }
      // The vector advances only with a member's own events; stale/fresh marks replay nothing.
      if (next.item) vector[next.member.id] = next.item.id;
      yield { id: encodeStreamId(vector), change: next.change };
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    for (const stop of stops) stop();
  }
}

/** Adapts a service's async stream (the node's own alerts, the tier's book) to a stream member. */
export function iterableStreamMember(
  id: string,
  prefix: string,
  watch: (lastEventId: string | undefined, signal: AbortSignal) => AsyncIterable<TrackedAlertChange>,
): AlertStreamMember {
  return {
    id,
    prefix,
    open(lastEventId, handlers) {
      const controller = new AbortController();
      void (async () => {
        try {
          handlers.onUp();
          for await (const item of watch(lastEventId, controller.signal)) handlers.onItem(item);
          if (!controller.signal.aborted) handlers.onEnd();
        } catch (error) {
          if (!controller.signal.aborted) handlers.onEnd(error);
        }
      })();
      return () => controller.abort();
    },
  };
}

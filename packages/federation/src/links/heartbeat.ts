import { NodeInfo } from '@tierscope/shared';
import { childActivity } from './child-activity.ts';
import type { ChildLink } from './child-link.ts';
import { systemClock, type Clock } from '../query/clock.ts';
import { fanOut } from '../query/fan-out.ts';

export interface HeartbeatOptions {
  /** Pause between the end of one round and the start of the next. Default 500 ms. */
  intervalMs?: number;
  /** Deadline of each call. Default 400 ms. */
  callDeadlineMs?: number;
  /** How often a child's full `node.info` is refreshed; the beats between only ping. Default 2000 ms. */
  infoEveryMs?: number;
  /** A child whose last answer (to a beat or to any call) is older than this is down. Default 2000 ms. */
  downAfterMs?: number;
  /**
   * While a call to the child is in flight, it stays up until its last answer is this old: a child
   * busy with a long call misses its beats, a dead one is found once its calls' deadlines could not
   * have been met (calls kept in flight to a dead child must not keep it up). Default 10 000 ms,
   * the longest fan-out deadline.
   */
  busyUpToMs?: number;
  clock?: Clock;
}

/** One child as the heartbeat last saw it. `info` is the last good answer, kept while it is down. */
export interface ChildHealth {
  id: string;
  state: 'up' | 'down';
  lastHeartbeatAt: number | null;
  /** How old `info` is; null before the first answer. */
  ageMs: number | null;
  info: NodeInfo | null;
  lastError: string | null;
}

/**
 * Liveness by heartbeat, not by query timeout: each child is pinged every ~`intervalMs` (its full
 * `node.info`, which costs the child database counts, only every `infoEveryMs`); a child that has
 * not answered for `downAfterMs` (counted from `start()` before its first answer) is down, and
 * fan-out answers `unreachable` for it without calling it. An answer to any other call made through
 * the child's client counts as one to a beat, and a call in flight keeps the child up for
 * `busyUpToMs` after its last answer (docs/decisions/0032-a-busy-child-is-alive.md).
 */
export interface Heartbeat {
  start(): void;
  /** Stops the rounds; a round in flight finishes within its deadline and is ignored. */
  stop(): void;
  /** One round now; resolves when every child answered or its deadline passed. */
  beat(): Promise<void>;
  isDown(id: string): boolean;
  health(): ChildHealth[];
}

export function createHeartbeat(children: readonly ChildLink[], options: HeartbeatOptions = {}): Heartbeat {
  const clock = options.clock ?? systemClock;
  const intervalMs = options.intervalMs ?? 500;
  const callDeadlineMs = options.callDeadlineMs ?? 400;
  const downAfterMs = options.downAfterMs ?? 2000;
  const busyUpToMs = Math.max(downAfterMs, options.busyUpToMs ?? 10_000);
  const clients = new Map(children.map((c) => [c.id, c.client]));
  const infoEveryMs = options.infoEveryMs ?? 2000;
  const state = new Map(
    children.map((c) => [
      c.id,
      {
        lastOkAt: null as number | null,
        info: null as NodeInfo | null,
        infoAt: null as number | null,
        lastError: null as string | null,
      },
    ]),
  );
  let since = clock.now();
  let running = false;
  let timer: unknown;

  const isDown = (id: string): boolean => {
    const child = state.get(id);
    const client = clients.get(id);
    if (!child || !client) return true;
    const activity = childActivity(client);
    const silentMs = clock.now() - Math.max(child.lastOkAt ?? since, activity.lastAnswerAt ?? since);
    return silentMs > (activity.inFlight > 0 ? busyUpToMs : downAfterMs);
  };

  const infoIsDue = (id: string, now: number): boolean => {
    const infoAt = state.get(id)?.infoAt ?? null;
    return infoAt === null || now - infoAt >= infoEveryMs;
  };

  const beat = async (): Promise<void> => {
    const startedAt = clock.now();
    const settled = await fanOut(
      children,
      (child, signal): Promise<NodeInfo | null> =>
        infoIsDue(child.id, startedAt)
          ? child.client.node.info.query(undefined, { signal }).then((info) => NodeInfo.parse(info))
          : child.client.node.ping.query(undefined, { signal }).then(() => null),
      { deadlineMs: callDeadlineMs, clock },
    );
    const now = clock.now();
    for (const result of settled) {
      const child = state.get(result.id);
      if (!child) continue;
      if (!result.ok) {
        child.lastError = `${result.state}: ${result.message}`;
        continue;
      }
      Object.assign(child, { lastOkAt: now, lastError: null });
      if (result.value) Object.assign(child, { info: result.value, infoAt: now });
    }
  };

  const loop = () => {
    if (!running) return;
    beat().then(
      () => {
        if (running) timer = clock.setTimeout(loop, intervalMs);
      },
      () => undefined,
    );
  };

  return {
    start() {
      if (running) return;
      running = true;
      since = clock.now();
      loop();
    },
    stop() {
      running = false;
      clock.clearTimeout(timer);
    },
    beat,
    isDown,
    health: () =>
      children.map((c) => {
        const child = state.get(c.id)!;
        return {
          id: c.id,
          state: isDown(c.id) ? 'down' : 'up',
          lastHeartbeatAt: child.lastOkAt,
          ageMs: child.infoAt === null ? null : Math.max(0, clock.now() - child.infoAt),
          info: child.info,
          lastError: child.lastError,
        };
      }),
  };
}

import { NodeInfo } from '@tierscope/shared';
import type { ChildLink } from './child-link.ts';
import { systemClock, type Clock } from './clock.ts';
import { fanOut } from './fan-out.ts';

export interface HeartbeatOptions {
  /** Pause between the end of one round and the start of the next. Default 500 ms. */
  intervalMs?: number;
  /** Deadline of each `node.info` call. Default 400 ms. */
  callDeadlineMs?: number;
  /** A child whose last answer is older than this is down. Default 2000 ms. */
  downAfterMs?: number;
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
 * Liveness by heartbeat, not by query timeout: each child's `node.info` is called every
 * ~`intervalMs`; a child that has not answered for `downAfterMs` (counted from `start()` before
 * its first answer) is down, and fan-out answers `unreachable` for it without calling it.
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
  const state = new Map(
    children.map((c) => [
      c.id,
      { lastOkAt: null as number | null, info: null as NodeInfo | null, lastError: null as string | null },
    ]),
  );
  let since = clock.now();
  let running = false;
  let timer: unknown;

  const isDown = (id: string): boolean => {
    const child = state.get(id);
    if (!child) return true;
    return clock.now() - (child.lastOkAt ?? since) > downAfterMs;
  };

  const beat = async (): Promise<void> => {
    const settled = await fanOut(
      children,
      (child, signal) =>
        child.client.node.info.query(undefined, { signal }).then((info) => NodeInfo.parse(info)),
      { deadlineMs: callDeadlineMs, clock },
    );
    const now = clock.now();
    for (const result of settled) {
      const child = state.get(result.id);
      if (!child) continue;
      if (result.ok) Object.assign(child, { lastOkAt: now, info: result.value, lastError: null });
      else child.lastError = `${result.state}: ${result.message}`;
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
          ageMs: child.lastOkAt === null ? null : Math.max(0, clock.now() - child.lastOkAt),
          info: child.info,
          lastError: child.lastError,
        };
      }),
  };
}

import type { TRPCClient } from '@trpc/client';
import type { NodeRouter } from '@tierscope/shared';
import { systemClock } from '../query/clock.ts';
import { classifyFailure } from '../query/fan-out.ts';

/**
 * What a parent hears from one child besides its heartbeat: how many of its calls are in flight and
 * when the child last answered one. A child busy with a long call (a node on PGlite storing an
 * import batch blocks its event loop) misses its heartbeat's short deadline while it is plainly
 * alive; the heartbeat counts this as life (docs/decisions/0032-a-busy-child-is-alive.md).
 */
export interface ChildActivity {
  /** Calls to the child that have neither settled nor been aborted. */
  readonly inFlight: number;
  /** Epoch ms of the child's last answer to one of these calls (an error it sent counts); null before. */
  readonly lastAnswerAt: number | null;
}

interface ActivityRecord {
  inFlight: number;
  lastAnswerAt: number | null;
}

const activities = new WeakMap<TRPCClient<NodeRouter>, ActivityRecord>();

function recordOf(client: TRPCClient<NodeRouter>): ActivityRecord {
  let record = activities.get(client);
  if (record === undefined) {
    record = { inFlight: 0, lastAnswerAt: null };
    activities.set(client, record);
  }
  return record;
}

/** The activity seen on a child's client so far (calls made through `trackChildCall`). */
export function childActivity(client: TRPCClient<NodeRouter>): ChildActivity {
  return recordOf(client);
}

/**
 * Counts `call` as in flight on the child's client until it settles, and its settling as an answer
 * when the child sent one: a value, or an error carrying the child's tRPC code (not a network
 * failure, nor an abort at the deadline). Resolves or rejects as `call` does.
 */
export async function trackChildCall<T>(client: TRPCClient<NodeRouter>, call: () => Promise<T>): Promise<T> {
  const record = recordOf(client);
  record.inFlight += 1;
  try {
    const value = await call();
    record.lastAnswerAt = systemClock.now();
    return value;
  } catch (error) {
    if (classifyFailure(error).code !== undefined) record.lastAnswerAt = systemClock.now();
    throw error;
  } finally {
    record.inFlight -= 1;
  }
}

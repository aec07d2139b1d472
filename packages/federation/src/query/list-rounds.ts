import type { Clock } from './clock.ts';
import { clampDeadline, DEFAULT_CONCURRENCY, fanOut, type FanOutOptions, type Settled } from './fan-out.ts';
import { kWayMerge, type Page } from './merge.ts';
import { systemClock } from './clock.ts';

/**
 * A list fan-out in two rounds (docs/decisions/0015). Each member is first asked for twice its
 * even share of the page; only a member whose every item may still be on the page (its last one
 * sorts before the page's cutoff in what has been received) is asked again, after its last item,
 * for the rest of `limit`. Either way each member has then sent every item of its own that can be
 * on the page, so the merge is exact, and a balanced fleet costs each child a small query.
 */
export interface ListRoundsRequest<M, T> {
  members: readonly M[];
  /**
   * Asks a member for up to `limit` items, in this tier's output space (paths prefixed): after
   * `after`, one of that member's own items, or (first round) after the caller's cursor.
   */
  ask(member: M, limit: number, after: T | undefined, signal: AbortSignal): Promise<Page<T>>;
  /** The list's global order; without one (a list with no cursor across tiers) there is one round. */
  compare?: ((a: T, b: T) => number) | undefined;
  limit: number;
  fan: FanOutOptions<M>;
}

/** One member's part of a list fan-out, as `fetchInRounds` asks for it. */
export type ListCall<M, T> = (
  member: M,
  request: { signal: AbortSignal; nodePath: string | undefined; limit: number; after: T | undefined },
) => Promise<Page<T>>;

/** What a federated list asks of its members: which ones, how many items, in what order. */
export interface ListShape<T> {
  /** A node path the caller filtered on (only members on it are asked). */
  pathFilter: string | undefined;
  limit: number;
  compare?: ((a: T, b: T) => number) | undefined;
}

/** A first round asks each member for FIRST_ROUND_SHARE × limit / members (and never more than limit). */
const FIRST_ROUND_SHARE = 2;
/**
 * Second rounds wait for every first answer, or at most this fraction of the deadline: a member
 * that stalls does not starve the others' second rounds of time. A member answering later is
 * judged (and asked again) on arrival.
 */
const GATE_FRACTION = 0.25;

export function firstRoundLimit(limit: number, members: number): number {
  return members <= 1 ? limit : Math.min(limit, Math.ceil((FIRST_ROUND_SHARE * limit) / members));
}

/** Every member's page (first and second round joined), or why it has none; in member order. */
export function fetchInRounds<M extends { readonly id: string }, T>(
  request: ListRoundsRequest<M, T>,
): Promise<Settled<Page<T>>[]> {
  const { members, limit, compare, fan } = request;
  const clock: Clock = fan.clock ?? systemClock;
  const called = members.filter((m) => !fan.isDown?.(m)).length;
  const firstLimit = compare ? firstRoundLimit(limit, called) : limit;
  if (!compare || firstLimit >= limit) {
    return fanOut(members, (m, signal) => request.ask(m, limit, undefined, signal), fan);
  }

  const firstPages: Page<T>[] = [];
  // Members waiting at the gate hold their fan-out slots: with more members than slots, the gate
  // opens once the first `concurrency` answers are in, and the rest are judged on arrival.
  const awaited = Math.min(called, Math.max(1, fan.concurrency ?? DEFAULT_CONCURRENCY));
  let firstSettled = 0;
  let openGate!: () => void;
  const gate = new Promise<void>((resolve) => (openGate = resolve));
  const gateTimer = clock.setTimeout(openGate, clampDeadline(fan.deadlineMs) * GATE_FRACTION);
  const firstSettledOne = () => {
    firstSettled += 1;
    if (firstSettled >= awaited) {
      clock.clearTimeout(gateTimer);
      openGate();
    }
  };

  // The page's cutoff in the first answers received so far: the limit-th item, if there are that many.
  let cutoffOf = { pages: -1, item: undefined as T | undefined };
  const cutoff = (): T | undefined => {
    if (cutoffOf.pages !== firstPages.length) {
      const merged = kWayMerge(
        firstPages.map((p) => p.items),
        compare,
        limit,
      );
      cutoffOf = { pages: firstPages.length, item: merged.length < limit ? undefined : merged[limit - 1] };
    }
    return cutoffOf.item;
  };
  /** How many more items a member must send; 0 when none of its further items can be on the page. */
  const moreNeeded = (first: Page<T>): number => {
    const last = first.items.at(-1);
    if (first.nextCursor === null || last === undefined) return 0;
    const limitItem = cutoff();
    if (limitItem !== undefined && compare(last, limitItem) >= 0) return 0;
    // All of its items are on the page so far: the rest of the page could be its own too.
    return Math.max(0, limit - first.items.length);
  };

  const settled = fanOut(
    members,
    async (m, signal) => {
      let first: Page<T>;
      try {
        first = await request.ask(m, firstLimit, undefined, signal);
        firstPages.push(first);
      } finally {
        firstSettledOne();
      }
      await gate;
      const more = moreNeeded(first);
      if (more === 0 || signal.aborted) return first;
      return joinPages(first, await request.ask(m, more, first.items.at(-1), signal));
    },
    fan,
  );
  return settled.finally(() => {
    clock.clearTimeout(gateTimer);
    openGate();
  });
}

/** A member's two pages as one: the second continues the first. */
function joinPages<T>(first: Page<T>, second: Page<T>): Page<T> {
  return {
    items: [...first.items, ...second.items],
    nextCursor: second.nextCursor,
    coverage: joinCoverage(first.coverage, second.coverage),
  };
}

/** A node that failed in either round is reported failed; latencies add up. */
function joinCoverage(first: Page<unknown>['coverage'], second: Page<unknown>['coverage']) {
  const secondByPath = new Map(second.nodes.map((n) => [n.path, n]));
  const nodes = first.nodes.map((node) => {
    const again = secondByPath.get(node.path);
    if (!again) return node;
    if (node.state !== 'ok') return node;
    if (again.state !== 'ok') return again;
    return { ...node, latencyMs: node.latencyMs + again.latencyMs };
  });
  const known = new Set(first.nodes.map((n) => n.path));
  nodes.push(...second.nodes.filter((n) => !known.has(n.path)));
  return {
    asked: Math.max(first.asked, second.asked),
    answered: nodes.filter((n) => n.state === 'ok').length,
    nodes,
  };
}

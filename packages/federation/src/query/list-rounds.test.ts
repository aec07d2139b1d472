import { afterEach, describe, expect, it, vi } from 'vitest';
import { selfCoverage } from '@tierscope/shared';
import { fetchInRounds, firstRoundLimit } from './list-rounds.ts';
import { mergePages, type MemberResult, type Page } from './merge.ts';

/** An item of a toy list ordered by `key`, then `member` (as the real orders end on path and id). */
interface Item {
  key: number;
  member: string;
}
const byKey = (a: Item, b: Item) => a.key - b.key || (a.member < b.member ? -1 : a.member > b.member ? 1 : 0);

interface Member {
  id: string;
  items: Item[];
  asked: number[];
}

function member(id: string, keys: number[]): Member {
  return { id, items: keys.map((key) => ({ key, member: id })).sort(byKey), asked: [] };
}

/** A member answering as a leaf does: up to `limit` items after `after` (or after the caller's start). */
function answer(m: Member, limit: number, after: Item | undefined, start: Item | undefined): Page<Item> {
  m.asked.push(limit);
  const from = after ?? start;
  const rest = from ? m.items.filter((i) => byKey(i, from) > 0) : m.items;
  const items = rest.slice(0, limit);
  return {
    items,
    nextCursor: rest.length > limit ? 'more' : null,
    coverage: selfCoverage(m.id, 1),
  };
}

async function page(
  members: Member[],
  limit: number,
  start?: Item,
  options: { isDown?: (m: Member) => boolean } = {},
): Promise<{ items: Item[]; last: Item | undefined; more: boolean }> {
  const settled = await fetchInRounds({
    members,
    ask: (m, n, after) => Promise.resolve(answer(m, n, after, start)),
    compare: byKey,
    limit,
    fan: { deadlineMs: 1500, ...options },
  });
  const results: MemberResult<Page<Item>>[] = settled.map((s) =>
    s.ok
      ? { ok: true, path: s.id, value: s.value, latencyMs: s.latencyMs }
      : { ok: false, path: s.id, state: s.state, latencyMs: s.latencyMs, message: s.message },
  );
  const merged = mergePages(results, byKey, () => 'next', limit);
  return { items: merged.items, last: merged.items.at(-1), more: merged.nextCursor !== null };
}

/** Every page from the start, following the last item, as a console paging through would. */
async function pageThrough(members: Member[], limit: number): Promise<{ seen: Item[]; sizes: number[] }> {
  const seen: Item[] = [];
  const sizes: number[] = [];
  let start: Item | undefined;
  for (let pages = 0; pages < 10_000; pages++) {
    const next = await page(members, limit, start);
    seen.push(...next.items);
    sizes.push(next.items.length);
    if (!next.more) return { seen, sizes };
    start = next.last;
  }
  throw new Error('paging did not end');
}

/** A deterministic pseudo-random sequence (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('fetchInRounds', () => {
  afterEach(() => vi.useRealTimers());

  it('asks each of 10 members holding an even share for twice its share, once, and merges the exact page', async () => {
    // Member i holds keys i, i+10, i+20…: the first 100 items are 10 from each.
    const members = Array.from({ length: 10 }, (_, i) =>
      member(
        `m${i}`,
        Array.from({ length: 50 }, (_, k) => i + 10 * k),
      ),
    );
    const { items } = await page(members, 100);
    expect(items.map((i) => i.key)).toEqual(Array.from({ length: 100 }, (_, k) => k));
    expect(members.map((m) => m.asked)).toEqual(members.map(() => [20]));
  });

  it('asks a member holding the whole top of the order again, after its last item, for the rest of the page', async () => {
    const top = member(
      'top',
      Array.from({ length: 300 }, (_, k) => k),
    );
    const others = Array.from({ length: 9 }, (_, i) =>
      member(
        `m${i}`,
        Array.from({ length: 50 }, (_, k) => 1000 + i + 10 * k),
      ),
    );
    const { items } = await page([top, ...others], 100);
    expect(items.map((i) => i.key)).toEqual(Array.from({ length: 100 }, (_, k) => k));
    expect(top.asked).toEqual([20, 80]);
    expect(others.map((m) => m.asked)).toEqual(others.map(() => [20]));
  });

  it('asks every member for the whole limit when there are two or fewer, in one round', async () => {
    expect(firstRoundLimit(100, 1)).toBe(100);
    expect(firstRoundLimit(100, 2)).toBe(100);
    expect(firstRoundLimit(100, 3)).toBe(67);
    expect(firstRoundLimit(7, 10)).toBe(2);
    const members = [member('a', [1, 2, 3]), member('b', [4, 5, 6])];
    await page(members, 2);
    expect(members.map((m) => m.asked)).toEqual([[2], [2]]);
  });

  it('counts only the members it will call: a member the heartbeat reports down is not asked and does not shrink the others’ share', async () => {
    const members = Array.from({ length: 4 }, (_, i) => member(`m${i}`, [i, i + 4, i + 8, i + 12]));
    const { items } = await page(members, 8, undefined, { isDown: (m) => m.id !== 'm0' && m.id !== 'm1' });
    expect(members.map((m) => m.asked)).toEqual([[8], [8], [], []]);
    expect(items.map((i) => i.key)).toEqual([0, 1, 4, 5, 8, 9, 12, 13]);
  });

  it('pages through any spread of items exactly once, in order, in pages of exactly `limit`, whatever the members', async () => {
    for (let seed = 1; seed <= 60; seed++) {
      const next = random(seed);
      const count = 3 + Math.floor(next() * 10);
      const limit = 1 + Math.floor(next() * 40);
      // Skewed spreads: some members hold dense runs of the order, some few scattered keys.
      const members = Array.from({ length: count }, (_, i) => {
        const size = Math.floor(next() ** 2 * 120);
        const base = Math.floor(next() * 500);
        const step = next() < 0.5 ? 1 : 1 + Math.floor(next() * 20);
        return member(
          `m${i}`,
          Array.from({ length: size }, (_, k) => base + k * step),
        );
      });
      const expected = members.flatMap((m) => m.items).sort(byKey);
      const { seen, sizes } = await pageThrough(members, limit);
      const replay = `seed ${seed}: ${count} members, limit ${limit}`;
      expect(seen, replay).toEqual(expected);
      // Every page but the last is full: the second rounds make `limit` exact.
      expect(
        sizes.slice(0, -1).every((size) => size === limit),
        replay,
      ).toBe(true);
      expect(sizes.at(-1), replay).toBeLessThanOrEqual(limit);
    }
  });

  it('with more members than fan-out slots, opens the gate when the first slots’ answers are in, and pages exactly', async () => {
    const members = Array.from({ length: 12 }, (_, i) =>
      member(
        `m${i}`,
        Array.from({ length: 30 }, (_, k) => (i < 3 ? k : 100 + i + 12 * k)),
      ),
    );
    const settled = await fetchInRounds({
      members,
      ask: (m, n, after) => Promise.resolve(answer(m, n, after, undefined)),
      compare: byKey,
      limit: 24,
      fan: { deadlineMs: 60_000, concurrency: 4 },
    });
    const results = settled.map((s): MemberResult<Page<Item>> =>
      s.ok ? { ok: true, path: s.id, value: s.value, latencyMs: 0 } : { ...s, path: s.id },
    );
    const expected = members
      .flatMap((m) => m.items)
      .sort(byKey)
      .slice(0, 24);
    expect(mergePages(results, byKey, () => 'next', 24).items).toEqual(expected);
  });

  it('runs the second rounds at a quarter of the deadline when a member stalls, and leaves only that member out', async () => {
    vi.useFakeTimers();
    const top = member(
      'top',
      Array.from({ length: 40 }, (_, k) => k),
    );
    const others = [member('a', [100, 101, 102]), member('b', [200, 201])];
    const stalled = member('stalled', [3]);
    const members = [top, ...others, stalled];
    const settledAt: Record<string, number> = {};
    const started = Date.now();
    const answer$ = fetchInRounds({
      members,
      ask: (m, n, after, signal) =>
        m.id === 'stalled'
          ? new Promise<Page<Item>>((_, reject) =>
              signal.addEventListener('abort', () => reject(new Error('aborted'))),
            )
          : Promise.resolve(answer(m, n, after, undefined)).finally(
              () => (settledAt[m.id] = Date.now() - started),
            ),
      compare: byKey,
      limit: 20,
      fan: { deadlineMs: 1000 },
    });
    await vi.advanceTimersByTimeAsync(249);
    expect(top.asked).toEqual([10]);
    await vi.advanceTimersByTimeAsync(1);
    expect(top.asked).toEqual([10, 10]);
    await vi.advanceTimersByTimeAsync(750);
    const settled = await answer$;
    expect(settled.map((s) => [s.id, s.ok])).toEqual([
      ['top', true],
      ['a', true],
      ['b', true],
      ['stalled', false],
    ]);
    const topPage = settled[0]!.ok ? settled[0]!.value : undefined;
    expect(topPage?.items.map((i) => i.key)).toEqual(Array.from({ length: 20 }, (_, k) => k));
    expect(settledAt.top).toBe(250);
  });

  it('leaves a member whose second round fails out, and ends the page before items another member has not sent', async () => {
    const top = member(
      'top',
      Array.from({ length: 40 }, (_, k) => k),
    );
    const dense = member(
      'dense',
      Array.from({ length: 50 }, (_, k) => 50 + k),
    );
    const sparse = member('sparse', [200, 201]);
    const settled = await fetchInRounds({
      members: [top, dense, sparse],
      ask: (m, n, after) =>
        m.id === 'top' && after !== undefined
          ? Promise.reject(new Error('connection reset'))
          : Promise.resolve(answer(m, n, after, undefined)),
      compare: byKey,
      limit: 20,
      fan: { deadlineMs: 1000 },
    });
    // Each was asked for 14: top's 0..13 all sort before the cutoff (55), so only top went again.
    expect(settled[0]).toMatchObject({ id: 'top', ok: false, state: 'error' });
    expect(dense.asked).toEqual([14]);
    const results = settled.map((s): MemberResult<Page<Item>> =>
      s.ok
        ? { ok: true, path: s.id, value: s.value, latencyMs: 0 }
        : { ok: false, path: s.id, state: s.state, latencyMs: 0, message: s.message },
    );
    const merged = mergePages(results, byKey, (i) => String(i.key), 20);
    // dense sent 50..63 and has more: sparse's 200 cannot follow 63 on this page.
    expect(merged.items.map((i) => i.key)).toEqual(Array.from({ length: 14 }, (_, k) => 50 + k));
    expect(merged.nextCursor).toBe('63');
  });
});

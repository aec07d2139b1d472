import { describe, expect, it } from 'vitest';
import { readyBatches } from './ready-batches.ts';

/** A source the test feeds by hand, like a live stream: items wait in a queue until read. */
function handFedSource<T>() {
  const queue: T[] = [];
  let wake: (() => void) | undefined;
  let ended = false;
  const source: AsyncIterable<T> = {
    async *[Symbol.asyncIterator]() {
      for (;;) {
        if (queue.length > 0) yield queue.shift()!;
        else if (ended) return;
        else await new Promise<void>((resolve) => (wake = resolve));
      }
    },
  };
  return {
    source,
    push: (...items: T[]) => {
      queue.push(...items);
      wake?.();
    },
    end: () => {
      ended = true;
      wake?.();
    },
  };
}

async function collect<T>(batches: AsyncIterable<T[]>): Promise<T[][]> {
  const all: T[][] = [];
  for await (const batch of batches) all.push(batch);
  return all;
}

describe('readyBatches', () => {
  it('puts every item already waiting into one batch, in order', async () => {
    const fed = handFedSource<number>();
    fed.push(1, 2, 3, 4, 5);
    fed.end();
    expect(await collect(readyBatches(fed.source, 100))).toEqual([[1, 2, 3, 4, 5]]);
  });

  it('yields an item at once when nothing waits behind it, without waiting for more', async () => {
    const fed = handFedSource<string>();
    const batches = readyBatches(fed.source, 100)[Symbol.asyncIterator]();
    fed.push('a');
    expect((await batches.next()).value).toEqual(['a']);
    fed.push('b', 'c');
    expect((await batches.next()).value).toEqual(['b', 'c']);
    fed.end();
    expect((await batches.next()).done).toBe(true);
  });

  it('caps a batch at max and carries the rest, losing and repeating nothing', async () => {
    const fed = handFedSource<number>();
    const items = Array.from({ length: 25 }, (_, i) => i);
    fed.push(...items);
    fed.end();
    const batches = await collect(readyBatches(fed.source, 10));
    expect(batches.map((batch) => batch.length)).toEqual([10, 10, 5]);
    expect(batches.flat()).toEqual(items);
  });

  it('passes on the source failing after the items before it', async () => {
    async function* failing() {
      yield 1;
      yield 2;
      throw new Error('stream lost');
    }
    const seen: number[][] = [];
    await expect(
      (async () => {
        for await (const batch of readyBatches(failing(), 10)) seen.push(batch);
      })(),
    ).rejects.toThrow('stream lost');
    expect(seen.flat()).toEqual([1, 2]);
  });
});

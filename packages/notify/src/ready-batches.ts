const NOT_READY = Symbol('not ready');

/**
 * Yields the items of `source` in batches: each batch is the next item plus every item that is
 * already waiting behind it (up to `max`), never waiting for more. A quiet stream yields batches of
 * one at once; a busy one, bigger batches, so per-batch costs (a transaction) shrink per item
 * exactly when items arrive faster than they are handled.
 */
export async function* readyBatches<T>(source: AsyncIterable<T>, max: number): AsyncGenerator<T[]> {
  const iterator = source[Symbol.asyncIterator]();
  let next: Promise<IteratorResult<T>> | undefined;
  try {
    for (;;) {
      const first = await (next ?? iterator.next());
      next = undefined;
      if (first.done) return;
      const batch = [first.value];
      while (batch.length < max) {
        next = iterator.next();
        let ready: IteratorResult<T> | typeof NOT_READY;
        try {
          // A macrotask runs after every pending microtask, so an item the source already holds wins.
          ready = await Promise.race([next, afterMicrotasks()]);
        } catch (error) {
          // The items before the failure are handed on first.
          next = undefined;
          yield batch;
          throw error;
        }
        if (ready === NOT_READY) break;
        next = undefined;
        if (ready.done) {
          yield batch;
          return;
        }
        batch.push(ready.value);
      }
      yield batch;
    }
  } finally {
    // A pending next() is left to settle on its own; return() ends the source (its cleanup runs).
    void iterator.return?.();
  }
}

function afterMicrotasks(): Promise<typeof NOT_READY> {
  return new Promise((resolve) => setImmediate(() => resolve(NOT_READY)));
}

/** Where a callback-style subscription delivers. */
export interface SubscriptionSink<T> {
  item(value: T): void;
  fail(error: unknown): void;
  end(): void;
}

/**
 * A callback-style subscription (a tRPC client's `subscribe`) as an async iterable: items in the
 * order they came, the subscription's error thrown where it ended, unsubscribed when the consumer
 * stops or `signal` aborts.
 */
export async function* subscriptionItems<T>(
  open: (sink: SubscriptionSink<T>) => { unsubscribe(): void },
  signal: AbortSignal,
): AsyncGenerator<T, void, undefined> {
  const queue: T[] = [];
  let ended = false;
  let failure: { error: unknown } | undefined;
  let wake: (() => void) | undefined;
  const sink: SubscriptionSink<T> = {
    item: (value) => {
      queue.push(value);
      wake?.();
    },
    fail: (error) => {
      failure = { error };
      ended = true;
      wake?.();
    },
    end: () => {
      ended = true;
      wake?.();
    },
  };
  const onAbort = () => sink.end();
  signal.addEventListener('abort', onAbort, { once: true });
  const subscription = open(sink);
  try {
    for (;;) {
      if (queue.length > 0) {
        yield queue.shift()!;
        continue;
      }
      if (failure && !signal.aborted) throw failure.error;
      if (ended || signal.aborted) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = undefined;
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    subscription.unsubscribe();
  }
}

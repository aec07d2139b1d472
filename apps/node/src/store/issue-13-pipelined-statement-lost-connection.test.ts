// Regression: a node died (unhandled rejection) when its database connection closed while a batch's
// pipelined statements were in flight: a statement sent ahead failed while the COPY was awaited,
// before anything had subscribed to its outcome. The batch must fail as a whole, and the node live.
import { afterEach, describe, expect, it } from 'vitest';
import type { RawExecutor } from '@tierscope/store';
import type { NodeStore } from './client.ts';
import { ingestBatch } from './ingest-store.ts';
import { createPgIngestStore } from './ingest-store.pg.ts';

const closed = () => Object.assign(new Error('write CONNECTION_CLOSED'), { code: 'CONNECTION_CLOSED' });

/** A PostgreSQL store whose connection closes during the batch's COPY. */
function storeLosingItsConnection(): NodeStore {
  const tx: RawExecutor = {
    // Statements fail as soon as the socket reports the close, a turn after they are sent.
    exec: () => new Promise((_, reject) => setImmediate(() => reject(closed()))),
    // The COPY's data takes a while to hand over, and then the stream fails too.
    copyIn: () => new Promise((_, reject) => setTimeout(() => reject(closed()), 20)),
  };
  return {
    driver: 'postgres',
    exec: async () => [],
    transaction: (fn: (tx: RawExecutor) => Promise<unknown>) => fn(tx),
  } as unknown as NodeStore;
}

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

afterEach(() => {
  process.off('unhandledRejection', onUnhandled);
  unhandled.length = 0;
});

describe('a batch whose database connection closes mid-transaction', () => {
  it('fails the batch with the connection error and leaves no rejection unhandled', async () => {
    process.on('unhandledRejection', onUnhandled);
    const store = createPgIngestStore(storeLosingItsConnection());
    const day = Date.UTC(2026, 0, 1);
    const batch = ingestBatch({
      samples: [{ deviceId: 'd1', metric: 'temp', ts: day + 1000, value: 21 }],
      seen: new Map([['d1', day + 1000]]),
      lastSeq: 1,
    });

    await expect(store.writeBatch(batch)).rejects.toThrow(/CONNECTION_CLOSED/);
    // Node reports an unhandled rejection after the turn in which it happened.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(unhandled).toEqual([]);
  });
});

import { NotFoundError, type NodeService } from '@tierscope/shared';

/**
 * The node as a user whose scope does not include it sees it: every list empty, every single item
 * not found (never "forbidden", which would confirm it exists), and live streams silent.
 */
export function outOfScopeService(path: string): NodeService {
  const empty = () =>
    Promise.resolve({ items: [], nextCursor: null, coverage: { asked: 0, answered: 0, nodes: [] } });
  const notFound = (): Promise<never> => Promise.reject(new NotFoundError(`no node ${path} in your scope`));
  return {
    node: { info: notFound, rotateChildToken: notFound, revokeChildToken: notFound },
    devices: {
      list: empty,
      get: notFound,
      upsert: notFound,
      rotateCredentials: notFound,
      quarantine: notFound,
      release: notFound,
    },
    metrics: { latest: notFound, series: notFound },
    events: { search: empty },
    deadLetters: { list: empty },
    alerts: {
      list: empty,
      ack: notFound,
      unack: notFound,
      watch: (_input, signal) => silentUntil(signal),
    },
    silences: { list: empty, create: notFound, expire: notFound },
    rules: { list: empty, upsert: notFound, delete: notFound },
  };
}

/** A stream with nothing in it that stays open until the subscriber leaves, as a quiet node's would. */
async function* silentUntil(signal: AbortSignal): AsyncGenerator<never, void, undefined> {
  await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  yield* [];
}

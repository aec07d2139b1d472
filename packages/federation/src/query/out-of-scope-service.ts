import { NotFoundError, serviceOfProcedures, type NodeService } from '@tierscope/shared';

/**
 * The node as a user whose scope does not include it sees it: every list empty, every single item
 * not found (never "forbidden", which would confirm it exists), and live streams silent. Derived
 * from the contract, so a new procedure is refused the same way.
 */
export function outOfScopeService(path: string): NodeService {
  const empty = () =>
    Promise.resolve({ items: [], nextCursor: null, coverage: { asked: 0, answered: 0, nodes: [] } });
  const notFound = (): Promise<never> => Promise.reject(new NotFoundError(`no node ${path} in your scope`));
  return serviceOfProcedures((procedure) => {
    if (procedure.type === 'subscription')
      return (_input: unknown, signal: AbortSignal) => silentUntil(signal);
    return procedure.page ? empty : notFound;
  });
}

/** A stream with nothing in it that stays open until the subscriber leaves, as a quiet node's would. */
async function* silentUntil(signal: AbortSignal): AsyncGenerator<never, void, undefined> {
  await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  yield* [];
}

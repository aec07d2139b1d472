import { createTRPCClient, httpLink, httpSubscriptionLink, splitLink } from '@trpc/client';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { EventSource } from 'eventsource';
import { nodeRouter, type Actor, type NodeId, type NodeRouter, type NodeService } from '@tierscope/shared';
import { ACTING_USER_HEADER, actingUserHeaders, readActingUserHeader } from '../links/acting-user.ts';
import type { ChildLink } from '../links/child-link.ts';

const parentActor: Actor = { kind: 'node', name: 'parent', role: 'admin' };

/** An in-process link whose "network" a test can cut and restore. */
export interface InProcessChildLink extends ChildLink {
  /** Every call fails as a network error and open streams break, until restore(). */
  cut(): void;
  restore(): void;
}

/**
 * A child link that serves `nodeRouter` over `service` in-process: the real client, router,
 * validation and JSON round trip (subscriptions as server-sent events), without a socket. For
 * unit tests.
 */
export function createInProcessChildLink(
  id: NodeId,
  service: NodeService | ((actor: Actor) => NodeService),
  actor: Actor = parentActor,
): InProcessChildLink {
  // As a real node does: the user a parent acts for (x-tierscope-acting-user), else the parent.
  const contextOf = (req: Request) => {
    const caller = readActingUserHeader(req.headers.get(ACTING_USER_HEADER) ?? undefined) ?? actor;
    return { node: typeof service === 'function' ? service(caller) : service, actor: caller };
  };
  let isCut = false;
  const open = new Set<AbortController>();
  const serve = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    if (isCut)
      throw new TypeError('fetch failed', {
        cause: Object.assign(new Error('link cut'), { code: 'ECONNREFUSED' }),
      });
    const controller = new AbortController();
    open.add(controller);
    const response = await fetchRequestHandler({
      endpoint: '/trpc',
      req: new Request(input, init),
      router: nodeRouter,
      createContext: ({ req }) => contextOf(req),
    });
    if (!response.body) {
      open.delete(controller);
      return response;
    }
    // A cut must also break a response still streaming (an open subscription): the client's read
    // fails as it would on a dropped connection, and the server side is cancelled.
    const source: ReadableStreamDefaultReader<Uint8Array> = response.body.getReader();
    let client: ReadableStreamDefaultController<Uint8Array> | undefined;
    const readable = new ReadableStream<Uint8Array>({
      start: (stream) => {
        client = stream;
      },
      async pull(stream) {
        const chunk: { done: boolean; value?: Uint8Array | undefined } = await source
          .read()
          .catch(() => ({ done: true as const, value: undefined }));
        try {
          if (chunk.done) stream.close();
          else if (chunk.value) stream.enqueue(chunk.value);
        } catch {
          // already broken by a cut
        }
      },
      cancel: () => source.cancel(),
    });
    controller.signal.addEventListener(
      'abort',
      () => {
        client?.error(new TypeError('network error: link cut'));
        void source.cancel().catch(() => {});
      },
      { once: true },
    );
    return new Response(readable, { status: response.status, headers: response.headers });
  };
  const client = createTRPCClient<NodeRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: httpSubscriptionLink({
          url: 'http://in-process/trpc',
          EventSource,
          eventSourceOptions: () => ({ fetch: serve }),
        }),
        false: httpLink({ url: 'http://in-process/trpc', fetch: serve, headers: () => actingUserHeaders() }),
      }),
    ],
  });
  return {
    id,
    client,
    cut() {
      isCut = true;
      for (const controller of open) controller.abort();
      open.clear();
    },
    restore() {
      isCut = false;
    },
  };
}

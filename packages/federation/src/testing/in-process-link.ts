import { createTRPCClient, httpLink } from '@trpc/client';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { nodeRouter, type Actor, type NodeId, type NodeRouter, type NodeService } from '@tierscope/shared';
import type { ChildLink } from '../child-link.ts';

const parentActor: Actor = { kind: 'node', name: 'parent', role: 'admin' };

/**
 * A child link that serves `nodeRouter` over `service` in-process: the real client, router,
 * validation and JSON round trip, without a socket. For unit tests.
 */
export function createInProcessChildLink(
  id: NodeId,
  service: NodeService,
  actor: Actor = parentActor,
): ChildLink {
  const client = createTRPCClient<NodeRouter>({
    links: [
      httpLink({
        url: 'http://in-process/trpc',
        fetch: (url: string, init?: RequestInit) =>
          fetchRequestHandler({
            endpoint: '/trpc',
            req: new Request(url, init),
            router: nodeRouter,
            createContext: () => ({ node: service, actor }),
          }),
      }),
    ],
  });
  return { id, client };
}

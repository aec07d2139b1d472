import { createTRPCClient, httpLink, type TRPCClient } from '@trpc/client';
import type { NodeId, NodeRouter } from '@tierscope/shared';
import { deadlineHeaders } from './deadline-budget.ts';

/**
 * How a parent reaches one child: its id (one path segment under the parent) and a typed client
 * of the node contract. A passive link dials the child's URL; an active uplink (the child dialing
 * the parent's WebSocket, `UplinkServer.link(id)` in uplink-server.ts) provides the same
 * interface, so nothing above this file changes.
 */
export interface ChildLink {
  readonly id: NodeId;
  readonly client: TRPCClient<NodeRouter>;
}

export interface HttpChildLinkOptions {
  id: NodeId;
  /** The child's tRPC endpoint, e.g. `http://10.0.0.7:4100/trpc`. */
  url: string;
  /** The node token sent as `authorization: Bearer …`; none is sent while it returns undefined. */
  token?: () => string | undefined;
  /** Replaces global fetch, for tests. */
  fetch?: typeof fetch;
}

/**
 * A passive link: one HTTP request per call (`httpLink`, not batched, so a slow call never holds
 * back another). Deadlines are the caller's: pass `{ signal }` to each call. A call made inside
 * `runWithDeadline` also tells the child its time left (`x-tierscope-deadline-ms`).
 */
export function createHttpChildLink(options: HttpChildLinkOptions): ChildLink {
  const client = createTRPCClient<NodeRouter>({
    links: [
      httpLink({
        url: options.url,
        ...(options.fetch ? { fetch: options.fetch } : {}),
        headers: () => {
          const token = options.token?.();
          return { ...deadlineHeaders(), ...(token ? { authorization: `Bearer ${token}` } : {}) };
        },
      }),
    ],
  });
  return { id: options.id, client };
}

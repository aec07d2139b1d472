import { createTRPCClient, httpLink, httpSubscriptionLink, splitLink, type TRPCClient } from '@trpc/client';
import { EventSource, type FetchLike } from 'eventsource';
import { Agent, fetch as undiciFetch } from 'undici';
import type { NodeId, NodeRouter } from '@tierscope/shared';
import { actingUserHeaders } from './acting-user.ts';
import { createChildFetch } from './child-fetch.ts';
import { deadlineHeaders } from './deadline-budget.ts';
import type { DialTlsFiles } from '../tls/tls-settings.ts';

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
  /**
   * The CA to pin and the client certificate to present on an https URL (DIAL_*), read at each
   * new connection so a reload is picked up.
   */
  tls?: () => DialTlsFiles | undefined;
}

/**
 * A passive link: one HTTP request per call (`httpLink`, not batched, so a slow call never holds
 * back another), on keep-alive connections of the link's own (`createChildFetch`). Deadlines are
 * the caller's: pass `{ signal }` to each call. A call made inside `runWithDeadline` also tells the
 * child its time left (`x-tierscope-deadline-ms`); one made inside `runAsActor` names the user it
 * acts for.
 */
export function createHttpChildLink(options: HttpChildLinkOptions): ChildLink {
  const authorization = (): Record<string, string> => {
    const token = options.token?.();
    return token ? { authorization: `Bearer ${token}` } : {};
  };
  const fetchStream = options.fetch ?? streamFetch(options.tls);
  const client = createTRPCClient<NodeRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        // Subscriptions (the alert stream) as server-sent events; the link reconnects by itself
        // and resumes from the last tracked id it received.
        true: httpSubscriptionLink({
          url: options.url,
          EventSource,
          eventSourceOptions: () => ({
            fetch: (input, init) =>
              fetchStream(input, {
                ...init,
                headers: { ...init.headers, ...authorization() },
              }),
          }),
        }),
        false: httpLink({
          url: options.url,
          fetch: options.fetch ?? createChildFetch(options.tls),
          headers: () => ({ ...deadlineHeaders(), ...actingUserHeaders(), ...authorization() }),
        }),
      }),
    ],
  });
  return { id: options.id, client };
}

/**
 * The fetch the alert stream's EventSource reads with: global fetch, or with DIAL_* files undici's
 * own fetch over an agent on them (global fetch takes no CA or client certificate). One agent per
 * set of files, replaced when a reload changes them.
 */
function streamFetch(tls: (() => DialTlsFiles | undefined) | undefined): FetchLike {
  let agentFiles: DialTlsFiles | undefined;
  let agent: Agent | undefined;
  return (input, init) => {
    const files = tls?.();
    if (!files) return fetch(input, init);
    if (files !== agentFiles) {
      void agent?.close();
      agent = new Agent({ connect: { ...files } });
      agentFiles = files;
    }
    return undiciFetch(input, { ...init, dispatcher: agent });
  };
}

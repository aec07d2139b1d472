import { createTRPCClient, httpBatchStreamLink, httpSubscriptionLink, splitLink } from '@trpc/client';
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import type { NodeRouter } from '@tierscope/shared';

/** The BFF serves the console and the API from one origin. */
const API_URL = '/trpc';

/**
 * The one client over the BFF. Queries are batched but streamed back one by one, so a slow
 * fan-out never holds up a fast one; subscriptions (`node.watch`) are server-sent events.
 */
export const api = createTRPCClient<NodeRouter>({
  links: [
    splitLink({
      condition: (op) => op.type === 'subscription',
      true: httpSubscriptionLink({ url: API_URL }),
      false: httpBatchStreamLink({ url: API_URL, maxItems: 8 }),
    }),
  ],
});

export type ApiInputs = inferRouterInputs<NodeRouter>;
export type ApiOutputs = inferRouterOutputs<NodeRouter>;

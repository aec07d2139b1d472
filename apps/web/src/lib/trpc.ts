import { createTRPCClient, httpBatchStreamLink, httpSubscriptionLink, splitLink } from '@trpc/client';
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import type { ConsoleApiRouter } from '@tierscope/shared';
import { csrfHeaders, sessionEnded } from './session.ts';

/** The BFF serves the console and the API from one origin. */
const API_URL = '/trpc';

/**
 * Every /trpc call needs the session: a 401 means it ended (logout elsewhere, revoked, timed out),
 * and the console sends the user to the login page instead of showing the error in every widget.
 */
const sessionAwareFetch: typeof fetch = async (input, init) => {
  const response = await fetch(input, { ...init, credentials: 'same-origin' });
  if (response.status === 401) sessionEnded();
  return response;
};

/**
 * The one client over the BFF. Queries are batched but streamed back one by one, so a slow
 * fan-out never holds up a fast one; subscriptions (`node.watch`) are server-sent events. Every
 * mutation (a POST) carries the session's CSRF token (decision 0009).
 */
export const api = createTRPCClient<ConsoleApiRouter>({
  links: [
    splitLink({
      condition: (op) => op.type === 'subscription',
      true: httpSubscriptionLink({ url: API_URL }),
      false: httpBatchStreamLink({
        url: API_URL,
        maxItems: 8,
        fetch: sessionAwareFetch,
        headers: ({ opList }) => (opList.some((op) => op.type === 'mutation') ? csrfHeaders() : {}),
      }),
    }),
  ],
});

export type ApiInputs = inferRouterInputs<ConsoleApiRouter>;
export type ApiOutputs = inferRouterOutputs<ConsoleApiRouter>;

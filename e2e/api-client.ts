import { createTRPCClient, httpLink } from '@trpc/client';
import type { NodeRouter } from '@tierscope/shared';

/** The BFF's tRPC API over plain HTTP, as any client would call it (no batching). */
export function createApiClient(bffUrl: string) {
  return createTRPCClient<NodeRouter>({ links: [httpLink({ url: `${bffUrl}/trpc` })] });
}
export type ApiClient = ReturnType<typeof createApiClient>;

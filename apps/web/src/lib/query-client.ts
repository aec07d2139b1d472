import { QueryClient } from '@tanstack/react-query';

/**
 * Fan-out answers are already partial rather than failing, so a failed call is a real error worth
 * showing at once: one retry for a network blip, then the widget shows the error.
 */
export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        retry: 1,
        staleTime: 5_000,
        refetchOnWindowFocus: true,
      },
    },
  });
}

import { QueryClientProvider } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { createQueryClient } from '../lib/query-client.ts';
import { RefreshIntervalProvider } from '../lib/refresh-interval.tsx';

/**
 * Everything any page can rely on, the login page included: the query cache and the refresh
 * interval. The live node tree and alert store open in the console's shell, once signed in.
 */
export function Providers({ children }: { children: ReactNode }) {
  const [queryClient] = useState(createQueryClient);
  return (
    <QueryClientProvider client={queryClient}>
      <RefreshIntervalProvider>{children}</RefreshIntervalProvider>
    </QueryClientProvider>
  );
}

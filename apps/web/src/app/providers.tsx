import { QueryClientProvider } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { AlertStreamProvider } from '../features/alerts/alert-stream.tsx';
import { NodeWatchProvider } from '../lib/node-watch.tsx';
import { createQueryClient } from '../lib/query-client.ts';
import { RefreshIntervalProvider } from '../lib/refresh-interval.tsx';

/**
 * Everything a page can rely on: the query cache, the refresh interval, the live node tree and the
 * live alert store.
 */
export function Providers({ children }: { children: ReactNode }) {
  const [queryClient] = useState(createQueryClient);
  return (
    <QueryClientProvider client={queryClient}>
      <RefreshIntervalProvider>
        <NodeWatchProvider>
          <AlertStreamProvider>{children}</AlertStreamProvider>
        </NodeWatchProvider>
      </RefreshIntervalProvider>
    </QueryClientProvider>
  );
}

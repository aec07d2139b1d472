import { queryOptions } from '@tanstack/react-query';
import { api } from '../../lib/trpc.ts';

export const mySessionsQueryOptions = () =>
  queryOptions({
    queryKey: ['console.sessions.list'],
    queryFn: ({ signal }) => api.console.sessions.list.query(undefined, { signal }),
  });

import { queryOptions } from '@tanstack/react-query';
import { api } from '../../lib/trpc.ts';

export const usersQueryOptions = () =>
  queryOptions({
    queryKey: ['console.users.list'],
    queryFn: ({ signal }) => api.console.users.list.query(undefined, { signal }),
  });

import { queryOptions } from '@tanstack/react-query';
import { api } from '../../lib/trpc.ts';

export const notificationSettingsQueryOptions = () =>
  queryOptions({
    queryKey: ['console.notifications.get'],
    queryFn: ({ signal }) => api.console.notifications.get.query(undefined, { signal }),
  });

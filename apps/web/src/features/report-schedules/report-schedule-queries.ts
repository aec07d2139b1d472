import { queryOptions } from '@tanstack/react-query';
import { api } from '../../lib/trpc.ts';

export const reportSchedulesQueryOptions = () =>
  queryOptions({
    queryKey: ['console.reportSchedules.list'],
    queryFn: ({ signal }) => api.console.reportSchedules.list.query(undefined, { signal }),
  });

export const reportArchiveQueryOptions = () =>
  queryOptions({
    queryKey: ['console.reportArchive.list'],
    queryFn: ({ signal }) => api.console.reportArchive.list.query({ limit: 50 }, { signal }),
  });

import { queryOptions } from '@tanstack/react-query';
import { api } from '../../lib/trpc.ts';

export const deviceConfigQueryOptions = (nodePath: string, deviceId: string) =>
  queryOptions({
    queryKey: ['devices.config', { nodePath, deviceId }],
    queryFn: ({ signal }) => api.devices.config.query({ nodePath, deviceId }, { signal }),
  });

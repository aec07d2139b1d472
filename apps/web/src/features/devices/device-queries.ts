import { infiniteQueryOptions, queryOptions } from '@tanstack/react-query';
import type { DeviceStatus } from '@tierscope/shared/schemas';
import { api } from '../../lib/trpc.ts';

/** What the server filters on; `nodePath` limits the list to that node and its subtree. */
export interface DeviceListFilters {
  search?: string | undefined;
  status?: DeviceStatus | undefined;
  label?: string | undefined;
  nodePath?: string | undefined;
}

export const DEVICE_PAGE_SIZE = 200;
/** Refreshing re-reads every loaded page; past this many, refresh stops until the filters change. */
const MAX_REFRESHED_PAGES = 5;

/** Devices in the federation's global order, a page at a time through its keyset cursor. */
export const deviceListQueryOptions = (filters: DeviceListFilters, refetchInterval: number | false) =>
  infiniteQueryOptions({
    queryKey: ['devices.list', filters],
    queryFn: ({ pageParam, signal }) =>
      api.devices.list.query(
        { ...filters, limit: DEVICE_PAGE_SIZE, ...(pageParam !== null && { cursor: pageParam }) },
        { signal },
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.nextCursor,
    refetchInterval: (query) =>
      (query.state.data?.pages.length ?? 0) <= MAX_REFRESHED_PAGES ? refetchInterval : false,
  });

export const deviceQueryOptions = (nodePath: string, deviceId: string) =>
  queryOptions({
    queryKey: ['devices.get', { nodePath, deviceId }],
    queryFn: ({ signal }) => api.devices.get.query({ nodePath, deviceId }, { signal }),
  });

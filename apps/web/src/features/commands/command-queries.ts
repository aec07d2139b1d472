import { queryOptions } from '@tanstack/react-query';
import type { DeviceRef } from '@tierscope/shared/schemas';
import { api } from '../../lib/trpc.ts';

/** Commands shown on a device page: the newest, as the history lists them. */
export const COMMAND_HISTORY_LIMIT = 20;
/** How often a job is read while it has open commands, and a history while its stream is down. */
export const COMMAND_POLL_MS = 2000;

/** The kinds' commands under `nodePath` (the whole fleet without it); a policy changes them rarely. */
export const commandCatalogQueryOptions = (nodePath: string | undefined) =>
  queryOptions({
    queryKey: ['devices.commandCatalog', { nodePath }],
    queryFn: ({ signal }) =>
      api.devices.commandCatalog.query(nodePath === undefined ? {} : { nodePath }, { signal }),
    staleTime: 60_000,
  });

export const commandHistoryQueryOptions = (ref: Required<DeviceRef>) =>
  queryOptions({
    queryKey: ['devices.commands', ref],
    queryFn: ({ signal }) => api.devices.commands.query({ ...ref, limit: COMMAND_HISTORY_LIMIT }, { signal }),
  });

export const commandJobQueryOptions = (jobId: string) =>
  queryOptions({
    queryKey: ['devices.commandJob', { jobId }],
    queryFn: ({ signal }) => api.devices.commandJob.query({ jobId }, { signal }),
  });

import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { Command, CommandHistory } from '@tierscope/shared/schemas';
import { useEffect, useRef, useState } from 'react';
import { api } from '../../lib/trpc.ts';
import { withCommandChange, withSettledKept } from './command-history-store.ts';
import { COMMAND_POLL_MS, commandHistoryQueryOptions } from './command-queries.ts';

/**
 * A device's command history, kept current by `devices.watchCommands`: each change replaces its
 * command in the listed page, and a read of the page never undoes an outcome the stream delivered
 * (see command-history-store.ts). Only while the stream is down (the owner unreachable, the link
 * dropped) is the page read again every 2 s; the subscription link resumes after the last event id.
 */
export function useLiveCommands(nodePath: string, deviceId: string) {
  const queryClient = useQueryClient();
  const [live, setLive] = useState(false);
  /** The latest copy of each command the stream delivered, also those before the first read landed. */
  const streamed = useRef(new Map<string, Command>());

  useEffect(() => {
    const { queryKey } = commandHistoryQueryOptions({ nodePath, deviceId });
    const seen = new Map<string, Command>();
    streamed.current = seen;
    const subscription = api.devices.watchCommands.subscribe(
      { nodePath, deviceId },
      {
        onStarted: () => setLive(true),
        onData: ({ data }) => {
          seen.set(data.id, data);
          queryClient.setQueryData<CommandHistory>(queryKey, (history) =>
            history ? withCommandChange(history, data) : history,
          );
        },
        onConnectionStateChange: (connection) => setLive(connection.state === 'pending'),
        onError: () => setLive(false),
      },
    );
    return () => subscription.unsubscribe();
  }, [nodePath, deviceId, queryClient]);

  const history = useQuery({
    ...commandHistoryQueryOptions({ nodePath, deviceId }),
    structuralSharing: (previous, next) =>
      withSettledKept(next as CommandHistory, [
        ...((previous as CommandHistory | undefined)?.items ?? []),
        ...streamed.current.values(),
      ]),
    refetchInterval: live ? false : COMMAND_POLL_MS,
  });
  return { history, live };
}

import { useQuery, useQueryClient } from '@tanstack/react-query';
import { OPEN_COMMAND_STATES, type CommandHistory } from '@tierscope/shared/schemas';
import { useEffect, useState } from 'react';
import { api } from '../../lib/trpc.ts';
import { withCommandChange } from './command-history-store.ts';
import { COMMAND_POLL_MS, commandHistoryQueryOptions } from './command-queries.ts';

/**
 * A device's command history, kept current by `devices.watchCommands`: each change replaces its
 * command in the listed page. While the stream is down (the owner unreachable, the link dropped),
 * the page is read again every 2 s instead; the subscription link resumes after the last event id.
 */
export function useLiveCommands(nodePath: string, deviceId: string) {
  const queryClient = useQueryClient();
  const [live, setLive] = useState(false);

  useEffect(() => {
    const { queryKey } = commandHistoryQueryOptions({ nodePath, deviceId });
    const subscription = api.devices.watchCommands.subscribe(
      { nodePath, deviceId },
      {
        onStarted: () => setLive(true),
        onData: ({ data }) =>
          queryClient.setQueryData<CommandHistory>(queryKey, (history) =>
            history ? withCommandChange(history, data) : history,
          ),
        onConnectionStateChange: (connection) => setLive(connection.state === 'pending'),
        onError: () => setLive(false),
      },
    );
    return () => subscription.unsubscribe();
  }, [nodePath, deviceId, queryClient]);

  const history = useQuery({
    ...commandHistoryQueryOptions({ nodePath, deviceId }),
    // Also while a command is open: its outcome must show even if the stream says nothing of it.
    refetchInterval: (query) =>
      !live || query.state.data?.items.some((c) => OPEN_COMMAND_STATES.includes(c.state))
        ? COMMAND_POLL_MS
        : false,
  });
  return { history, live };
}

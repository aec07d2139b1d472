import { useQuery } from '@tanstack/react-query';
import { FanOutPanel } from '../../components/ui/fan-out-panel.tsx';
import { ErrorNotice } from '../../components/ui/notices.tsx';
import { useRoleAllows } from '../../lib/session.ts';
import { CommandHistoryTable } from './command-history-table.tsx';
import { commandCatalogQueryOptions } from './command-queries.ts';
import { SendCommandForm } from './send-command-form.tsx';
import { useLiveCommands } from './use-live-commands.ts';

/**
 * A device's commands: a form to send one of its kind's (operators and admins only) and its
 * history, live while the watch stream is up.
 */
export function DeviceCommandsPanel({
  nodePath,
  deviceId,
  kind,
}: {
  nodePath: string;
  deviceId: string;
  /** Undefined until the device has loaded. */
  kind: string | undefined;
}) {
  const canSend = useRoleAllows('operator');
  const catalog = useQuery({ ...commandCatalogQueryOptions(nodePath), enabled: canSend });
  const { history, live } = useLiveCommands(nodePath, deviceId);
  const commands = kind === undefined ? undefined : catalog.data?.commands[kind];
  const items = history.data?.items ?? [];

  return (
    <FanOutPanel
      title="Commands"
      query={history}
      summary={live ? 'live' : 'refreshing every 2 s'}
      isEmpty={items.length === 0 && !canSend}
      emptyTitle="No commands sent to this device"
      testId="commands-panel"
    >
      <div className="stack">
        {catalog.error && <ErrorNotice error={catalog.error} onRetry={() => void catalog.refetch()} />}
        {canSend &&
          (commands && Object.keys(commands).length > 0 ? (
            <SendCommandForm nodePath={nodePath} deviceId={deviceId} commands={commands} />
          ) : (
            catalog.isSuccess &&
            kind !== undefined && (
              <p className="muted">
                {kind === ''
                  ? 'This device has no kind, so it takes no commands: give it one first.'
                  : `The policy declares no commands for devices of kind “${kind}”.`}
              </p>
            )
          ))}
        {items.length > 0 ? (
          <CommandHistoryTable label={`Commands sent to ${deviceId}`} commands={items} />
        ) : (
          <p className="muted">No commands sent to this device yet.</p>
        )}
      </div>
    </FanOutPanel>
  );
}

import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { CommandDeclaration, CommandHistory } from '@tierscope/shared/schemas';
import type { FormEvent } from 'react';
import { ErrorNotice } from '../../components/ui/notices.tsx';
import { api } from '../../lib/trpc.ts';
import { withCommandChange } from './command-history-store.ts';
import { CommandPicker } from './command-picker.tsx';
import { commandHistoryQueryOptions } from './command-queries.ts';
import { useCommandDraft } from './use-command-draft.ts';

/**
 * Sends one of the device kind's commands. A field at fault is marked before anything is sent; a
 * refusal by the owning node (an undeclared command, params it rejects) is shown as it said it.
 */
export function SendCommandForm({
  nodePath,
  deviceId,
  commands,
}: {
  nodePath: string;
  deviceId: string;
  commands: Record<string, CommandDeclaration>;
}) {
  const draft = useCommandDraft(commands);
  const queryClient = useQueryClient();
  const send = useMutation({
    mutationFn: (input: { name: string; params: Record<string, unknown> }) =>
      api.devices.command.mutate({ nodePath, deviceId, ...input }),
    onSuccess: (command) => {
      queryClient.setQueryData<CommandHistory>(
        commandHistoryQueryOptions({ nodePath, deviceId }).queryKey,
        (history) => (history ? withCommandChange(history, command) : history),
      );
      draft.reset();
    },
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const params = draft.read();
    if (draft.name !== undefined && params) send.mutate({ name: draft.name, params });
  };

  return (
    <form className="stack" onSubmit={submit} noValidate aria-label="Send a command">
      <CommandPicker draft={draft} />
      {send.error && <ErrorNotice error={send.error} />}
      <div className="row-gap wrap">
        <button type="submit" className="button" data-variant="primary" disabled={send.isPending}>
          {send.isPending ? 'Sending…' : `Send ${draft.name ?? ''}`}
        </button>
      </div>
    </form>
  );
}

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type {
  CommandDeclaration,
  CommandJob,
  CommandSelector,
  DeviceStatus,
} from '@tierscope/shared/schemas';
import { useCallback, useId, useMemo, useState, type FormEvent } from 'react';
import { SelectField, TextField } from '../../components/ui/form-fields.tsx';
import { ErrorNotice } from '../../components/ui/notices.tsx';
import { formatCount } from '../../lib/format.ts';
import { api } from '../../lib/trpc.ts';
import { useModalDialog } from '../../lib/use-modal-dialog.ts';
import { CommandPicker } from './command-picker.tsx';
import { commandCatalogQueryOptions, commandJobQueryOptions } from './command-queries.ts';
import { useCommandDraft } from './use-command-draft.ts';

/** The devices list's filters a bulk command can select by. */
export interface BulkFilters {
  nodePath?: string | undefined;
  status?: DeviceStatus | undefined;
  label?: string | undefined;
}

const NO_COMMANDS: Record<string, CommandDeclaration> = {};

/**
 * One command to every device of one kind that the list's filters pick: the kind (commands are
 * declared per kind), an optional site, the command and its params, then a confirmation that says
 * how many devices it goes to. Stays mounted while closed, like the policy's publish dialog.
 */
export function BulkCommandDialog({
  open,
  filters,
  onClose,
  onStarted,
}: {
  open: boolean;
  filters: BulkFilters;
  onClose: () => void;
  onStarted: (job: CommandJob) => void;
}) {
  const titleId = useId();
  const catalog = useQuery({ ...commandCatalogQueryOptions(filters.nodePath), enabled: open });
  const kinds = useMemo(
    () =>
      Object.entries(catalog.data?.commands ?? {})
        .filter(([, commands]) => Object.keys(commands).length > 0)
        .map(([kind]) => kind)
        .sort(),
    [catalog.data],
  );
  const [chosenKind, setKind] = useState<string | undefined>(undefined);
  const kind = chosenKind !== undefined && kinds.includes(chosenKind) ? chosenKind : kinds[0];
  const [site, setSite] = useState('');
  const draft = useCommandDraft((kind && catalog.data?.commands[kind]) || NO_COMMANDS);
  const [confirming, setConfirming] = useState<{ name: string; params: Record<string, unknown> } | null>(
    null,
  );

  const selector: CommandSelector = {
    ...(filters.nodePath !== undefined && { nodePath: filters.nodePath }),
    ...(filters.status !== undefined && { status: filters.status }),
    ...(filters.label !== undefined && { label: filters.label }),
    ...(kind !== undefined && { kind }),
    ...(site.trim() !== '' && { site: site.trim() }),
  };
  const count = useQuery({
    queryKey: ['devices.count', selector],
    queryFn: ({ signal }) => api.devices.count.query(selector, { signal }),
    enabled: open && confirming !== null,
  });
  const queryClient = useQueryClient();
  const send = useMutation({
    mutationFn: (command: { name: string; params: Record<string, unknown> }) =>
      api.devices.commandMany.mutate({ ...command, selector }),
    onSuccess: (job) => {
      queryClient.setQueryData(commandJobQueryOptions(job.jobId).queryKey, job);
      setConfirming(null);
      draft.reset();
      onStarted(job);
    },
  });

  const { reset } = send;
  const dialogRef = useModalDialog(
    open,
    useCallback(() => {
      reset();
      setConfirming(null);
    }, [reset]),
  );

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (confirming) {
      send.mutate(confirming);
      return;
    }
    const params = draft.read();
    if (draft.name !== undefined && params) setConfirming({ name: draft.name, params });
  };
  const devices =
    count.data && formatCount(count.data.total, count.data.coverage.answered < count.data.coverage.asked);

  return (
    <dialog ref={dialogRef} className="dialog" aria-labelledby={titleId} onClose={onClose}>
      <form className="stack" onSubmit={submit} noValidate>
        <h2 id={titleId}>Bulk command</h2>
        <p className="muted">
          To the devices the list’s filters pick ({describeFilters(filters)}), of one kind: commands are
          declared per kind.
        </p>
        {catalog.error && <ErrorNotice error={catalog.error} />}
        {catalog.isSuccess && kinds.length === 0 && (
          <p>The policy declares no commands for any device kind under this node.</p>
        )}
        {kind !== undefined && !confirming && (
          <>
            <div className="form-grid">
              <SelectField label="Device kind" value={kind} options={kinds} onChange={setKind} />
              <TextField label="Site (optional)" value={site} onChange={setSite} />
            </div>
            <CommandPicker draft={draft} />
          </>
        )}
        {confirming && (
          <div className="notice" data-tone="warn" role="status" data-testid="bulk-confirm">
            <div className="notice-body">
              <p className="notice-title">
                Send <span className="mono">{confirming.name}</span> to{' '}
                {devices === undefined ? '…' : `${devices} ${count.data?.total === 1 ? 'device' : 'devices'}`}
                ?
              </p>
              <p>
                Kind {kind}
                {site.trim() && `, site ${site.trim()}`}, {describeFilters(filters)}. Params:{' '}
                <span className="mono">{JSON.stringify(confirming.params)}</span>
              </p>
            </div>
          </div>
        )}
        {count.error && <ErrorNotice error={count.error} />}
        {send.error && <ErrorNotice error={send.error} />}
        <div className="row-gap wrap">
          {confirming ? (
            <>
              <button
                type="submit"
                className="button"
                data-variant="primary"
                disabled={send.isPending || !count.data || count.data.total === 0}
              >
                {send.isPending ? 'Sending…' : `Send to ${devices ?? '…'} devices`}
              </button>
              <button type="button" className="button" onClick={() => setConfirming(null)}>
                Back
              </button>
            </>
          ) : (
            <button type="submit" className="button" data-variant="primary" disabled={kind === undefined}>
              Review
            </button>
          )}
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </dialog>
  );
}

function describeFilters(filters: BulkFilters): string {
  const parts = [
    filters.nodePath ? `under ${filters.nodePath}` : 'on every node',
    filters.status && `${filters.status}`,
    filters.label && `label ${filters.label}`,
  ];
  return parts.filter(Boolean).join(', ');
}

import { useMutation } from '@tanstack/react-query';
import type { DeviceImportEvent, DeviceImportResult } from '@tierscope/shared/schemas';
import { useCallback, useEffect, useId, useMemo, useState, type FormEvent } from 'react';
import { ErrorNotice } from '../../components/ui/notices.tsx';
import { formatCount } from '../../lib/format.ts';
import { api } from '../../lib/trpc.ts';
import { useModalDialog } from '../../lib/use-modal-dialog.ts';
import { credentialsCsvText } from './credentials-csv.ts';
import { OwnerNodeSelect, type ProvisioningDialogProps } from './owner-node-select.tsx';

type Progress = Extract<DeviceImportEvent, { kind: 'progress' }>;
const ERRORS_SHOWN = 200;

/**
 * A CSV of devices (`id,name,kind,site,labels,nodePath`) sent to `devices.importCsv`, which checks
 * every row: a file with errors imports nothing and its errors are listed by line, unless the user
 * then chooses to import the valid rows. Progress streams in; the credentials come once, as a file.
 */
export function ImportDevicesDialog({ open, nodePaths, onClose }: ProvisioningDialogProps) {
  const titleId = useId();
  const fileId = useId();
  const [file, setFile] = useState<{ name: string; text: string } | undefined>(undefined);
  const [nodePath, setNodePath] = useState('');
  const [progress, setProgress] = useState<Progress | undefined>(undefined);
  const run = useMutation({
    mutationFn: async (importValidRows: boolean): Promise<DeviceImportResult> => {
      if (!file) throw new Error('Choose a CSV file first');
      setProgress(undefined);
      const events = await api.devices.importCsv.mutate({
        csv: file.text,
        importValidRows,
        ...(nodePath !== '' && { nodePath }),
      });
      for await (const event of events) {
        if (event.kind === 'result') return event;
        setProgress(event);
      }
      throw new Error('The import ended without a result');
    },
  });
  const { reset } = run;
  const dialogRef = useModalDialog(
    open,
    useCallback(() => {
      reset();
      setProgress(undefined);
      setFile(undefined);
    }, [reset]),
  );
  const result = run.data;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    run.mutate(false);
  };

  return (
    <dialog ref={dialogRef} className="dialog" aria-labelledby={titleId} onClose={onClose}>
      <form className="stack" onSubmit={submit} noValidate>
        <h2 id={titleId}>Import devices</h2>
        <p className="muted">
          A CSV with the header <span className="mono">id,name,kind,site,labels,nodePath</span> (
          <span className="mono">id</span> and <span className="mono">name</span> required; labels as{' '}
          <span className="mono">key=value;key=value</span>). A file with an invalid row imports nothing until
          you choose to import its valid rows.
        </p>
        <div className="form-grid">
          <div className="field">
            <label htmlFor={fileId} className="field-label">
              CSV file
            </label>
            <input
              id={fileId}
              type="file"
              accept=".csv,text/csv"
              className="input"
              onChange={(e) => {
                const chosen = e.target.files?.[0];
                reset();
                setProgress(undefined);
                if (chosen) void chosen.text().then((text) => setFile({ name: chosen.name, text }));
                else setFile(undefined);
              }}
            />
          </div>
          <OwnerNodeSelect
            label="Node for rows without a nodePath"
            noneLabel="None: every row names its node"
            nodePaths={nodePaths}
            value={nodePath}
            onChange={setNodePath}
          />
        </div>
        {run.isPending && (
          <div className="stack" role="status">
            <p>
              {progress
                ? `${formatCount(progress.done)} of ${formatCount(progress.total)} rows: ${formatCount(progress.created)} created, ${formatCount(progress.refused)} refused`
                : 'Reading the file…'}
            </p>
            <progress
              max={Math.max(progress?.total ?? 1, 1)}
              value={progress?.done ?? 0}
              aria-label="Rows imported"
            />
          </div>
        )}
        {run.error && <ErrorNotice error={run.error} />}
        {result && <ImportResult result={result} />}
        <div className="row-gap wrap">
          {result && !result.imported && result.counts.rows > result.counts.invalid ? (
            <button type="button" className="button" data-variant="primary" onClick={() => run.mutate(true)}>
              Import the {formatCount(result.counts.rows - result.counts.invalid)} valid rows
            </button>
          ) : (
            !result?.imported && (
              <button
                type="submit"
                className="button"
                data-variant="primary"
                disabled={!file || run.isPending}
              >
                {run.isPending ? 'Importing…' : 'Import'}
              </button>
            )
          )}
          <button type="button" className="button" onClick={onClose}>
            {result?.imported ? 'Done' : 'Cancel'}
          </button>
        </div>
      </form>
    </dialog>
  );
}

function ImportResult({ result }: { result: DeviceImportResult }) {
  const { counts } = result;
  return (
    <div className="stack" data-testid="import-result">
      <p className="notice-title">
        {result.imported
          ? `${formatCount(counts.created)} devices created, ${formatCount(counts.refused)} refused, ${formatCount(counts.invalid)} invalid rows left out`
          : `Nothing imported: ${formatCount(counts.invalid)} of ${formatCount(counts.rows)} rows are invalid`}
      </p>
      {result.errors.length > 0 && (
        <ul className="import-errors" aria-label="Errors by line">
          {result.errors.slice(0, ERRORS_SHOWN).map((error, index) => (
            <li key={index}>
              Line {error.line}
              {error.column && <span className="mono"> ({error.column})</span>}: {error.message}
            </li>
          ))}
          {result.errors.length > ERRORS_SHOWN && (
            <li>…and {formatCount(result.errors.length - ERRORS_SHOWN)} more</li>
          )}
        </ul>
      )}
      {result.refused.length > 0 && (
        <ul className="import-errors" aria-label="Refused rows">
          {result.refused.slice(0, ERRORS_SHOWN).map((row) => (
            <li key={`${row.line}-${row.deviceId}`}>
              Line {row.line} (<span className="mono">{row.deviceId}</span>): {row.message}
            </li>
          ))}
        </ul>
      )}
      {result.created.length > 0 && <CredentialsDownload result={result} />}
    </div>
  );
}

/** The only copy of the new devices' passwords, as a CSV file to save now. */
function CredentialsDownload({ result }: { result: DeviceImportResult }) {
  const url = useMemo(
    () => URL.createObjectURL(new Blob([credentialsCsvText(result.created)], { type: 'text/csv' })),
    [result.created],
  );
  useEffect(() => () => URL.revokeObjectURL(url), [url]);
  return (
    <p>
      <a className="button" href={url} download="device-credentials.csv">
        Download the {formatCount(result.created.length)} credentials (CSV)
      </a>{' '}
      <span className="muted">Shown this once: the nodes keep only hashes of the passwords.</span>
    </p>
  );
}

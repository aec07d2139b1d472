import { useMutation } from '@tanstack/react-query';
import type { DeviceCredentials } from '@tierscope/shared/schemas';
import { useCallback, useId, useState, type FormEvent } from 'react';
import { TextField } from '../../components/ui/form-fields.tsx';
import { ErrorNotice } from '../../components/ui/notices.tsx';
import { api } from '../../lib/trpc.ts';
import { EMPTY_NEW_DEVICE, readNewDevice, type NewDeviceForm } from './new-device-form.ts';
import { OneTimeCredentials } from './one-time-credentials.tsx';
import { OwnerNodeSelect, type ProvisioningDialogProps } from './owner-node-select.tsx';
import { useModalDialog } from '../../lib/use-modal-dialog.ts';

/** Makes a device on a chosen node with broker credentials, shown once (docs/decisions/0025). */
export function AddDeviceDialog({ open, nodePaths, onClose }: ProvisioningDialogProps) {
  const titleId = useId();
  const [form, setForm] = useState<NewDeviceForm>(EMPTY_NEW_DEVICE);
  const [errors, setErrors] = useState<Partial<Record<keyof NewDeviceForm, string>>>({});
  const [created, setCreated] = useState<DeviceCredentials | undefined>(undefined);
  const create = useMutation({
    mutationFn: (input: Parameters<typeof api.devices.create.mutate>[0]) => api.devices.create.mutate(input),
    onSuccess: (credentials) => {
      setCreated(credentials);
      setForm(EMPTY_NEW_DEVICE);
    },
  });
  const { reset } = create;
  const dialogRef = useModalDialog(
    open,
    useCallback(() => {
      reset();
      setCreated(undefined);
      setErrors({});
    }, [reset]),
  );
  const set = (field: keyof NewDeviceForm) => (value: string) => {
    setForm((prev) => ({ ...prev, [field]: value }));
    setErrors(({ [field]: _fixed, ...rest }) => rest);
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const reading = readNewDevice(form);
    setErrors(reading.ok ? {} : reading.errors);
    if (reading.ok) create.mutate(reading.input);
  };

  return (
    <dialog ref={dialogRef} className="dialog" aria-labelledby={titleId} onClose={onClose}>
      <form className="stack" onSubmit={submit} noValidate>
        <h2 id={titleId}>Add device</h2>
        {created ? (
          <OneTimeCredentials credentials={created} onDismiss={onClose} />
        ) : (
          <>
            <div className="form-grid">
              <OwnerNodeSelect
                label="Node"
                noneLabel="Choose…"
                nodePaths={nodePaths}
                value={form.nodePath}
                error={errors.nodePath}
                onChange={set('nodePath')}
              />
              <TextField
                label="Device id"
                mono
                value={form.deviceId}
                error={errors.deviceId}
                onChange={set('deviceId')}
              />
              <TextField label="Name" value={form.name} error={errors.name} onChange={set('name')} />
              <TextField label="Kind" value={form.kind} error={errors.kind} onChange={set('kind')} />
              <TextField label="Site" value={form.site} error={errors.site} onChange={set('site')} />
              <TextField
                label="Labels"
                mono
                value={form.labels}
                error={errors.labels}
                hint="key=value; key=value"
                onChange={set('labels')}
              />
            </div>
            {create.error && <ErrorNotice error={create.error} />}
            <div className="row-gap wrap">
              <button type="submit" className="button" data-variant="primary" disabled={create.isPending}>
                {create.isPending ? 'Adding…' : 'Add device'}
              </button>
              <button type="button" className="button" onClick={onClose}>
                Cancel
              </button>
            </div>
          </>
        )}
      </form>
    </dialog>
  );
}

import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { Device, DeviceCredentials } from '@tierscope/shared/schemas';
import { useId, useState, type FormEvent } from 'react';
import { ErrorNotice } from '../../components/ui/notices.tsx';
import { formatTimestamp } from '../../lib/format.ts';
import { useRoleAllows } from '../../lib/session.ts';
import { api } from '../../lib/trpc.ts';
import { TextField } from '../../components/ui/form-fields.tsx';
import { deviceQueryOptions } from './device-queries.ts';
import { OneTimeCredentials } from './one-time-credentials.tsx';

/**
 * Who may reach the broker as this device: quarantine and release it (operators), rotate its
 * credentials (admins). Shown only to a role that may do one of them; the server checks each call.
 */
export function DeviceAccessPanel({ device }: { device: Device }) {
  const canQuarantine = useRoleAllows('operator');
  const canRotate = useRoleAllows('admin');
  const headingId = useId();
  if (!canQuarantine) return null;
  return (
    <section className="panel" aria-labelledby={headingId} data-testid="access-panel">
      <header className="panel-header">
        <h2 id={headingId}>Access</h2>
      </header>
      <div className="panel-body stack">
        <QuarantineControls device={device} />
        {canRotate && <RotateCredentials device={device} />}
      </div>
    </section>
  );
}

function QuarantineControls({ device }: { device: Device }) {
  const queryClient = useQueryClient();
  const [reason, setReason] = useState('');
  const ref = { nodePath: device.nodePath, deviceId: device.id };
  const settle = (next: Device) => {
    queryClient.setQueryData(deviceQueryOptions(next.nodePath, next.id).queryKey, next);
    setReason('');
  };
  const quarantine = useMutation({
    mutationFn: () => api.devices.quarantine.mutate({ ...ref, reason: reason.trim() }),
    onSuccess: settle,
  });
  const release = useMutation({ mutationFn: () => api.devices.release.mutate(ref), onSuccess: settle });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (reason.trim() !== '') quarantine.mutate();
  };

  if (device.quarantine)
    return (
      <div className="stack">
        <p>
          <strong>Quarantined</strong> by {device.quarantine.by} at {formatTimestamp(device.quarantine.at)}
          {device.quarantine.until !== null && `, until ${formatTimestamp(device.quarantine.until)}`}: “
          {device.quarantine.reason}”. Its connections are refused and its messages kept as dead letters.
        </p>
        {release.error && <ErrorNotice error={release.error} />}
        <div className="row-gap wrap">
          <button
            type="button"
            className="button"
            onClick={() => release.mutate()}
            disabled={release.isPending}
          >
            {release.isPending ? 'Releasing…' : 'Release from quarantine'}
          </button>
        </div>
      </div>
    );
  return (
    <form className="stack" onSubmit={submit} noValidate aria-label="Quarantine the device">
      <TextField
        label="Quarantine reason"
        value={reason}
        grow
        hint="Its broker connections are refused and its messages become dead letters until released"
        onChange={setReason}
      />
      {quarantine.error && <ErrorNotice error={quarantine.error} />}
      <div className="row-gap wrap">
        <button type="submit" className="button" disabled={quarantine.isPending || reason.trim() === ''}>
          {quarantine.isPending ? 'Quarantining…' : 'Quarantine'}
        </button>
      </div>
    </form>
  );
}

function RotateCredentials({ device }: { device: Device }) {
  const [shown, setShown] = useState<DeviceCredentials | undefined>(undefined);
  const rotate = useMutation({
    mutationFn: () =>
      api.devices.rotateCredentials.mutate({ nodePath: device.nodePath, deviceId: device.id }),
    onSuccess: setShown,
  });
  return (
    <div className="stack">
      {shown ? (
        <OneTimeCredentials credentials={shown} onDismiss={() => setShown(undefined)} />
      ) : (
        <div className="row-gap wrap">
          <button
            type="button"
            className="button"
            onClick={() => rotate.mutate()}
            disabled={rotate.isPending}
          >
            {rotate.isPending ? 'Rotating…' : 'Rotate credentials'}
          </button>
          <span className="muted">The device’s current password stops working at once.</span>
        </div>
      )}
      {rotate.error && <ErrorNotice error={rotate.error} />}
    </div>
  );
}

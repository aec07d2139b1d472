import type { DeviceCredentials } from '@tierscope/shared/schemas';
import { useState } from 'react';

/**
 * A device's new login, shown this once: the node keeps only the password's hash, so a lost one is
 * replaced by rotating again.
 */
export function OneTimeCredentials({
  credentials,
  onDismiss,
}: {
  credentials: DeviceCredentials;
  onDismiss: () => void;
}) {
  const [copied, setCopied] = useState<'copied' | 'failed' | undefined>(undefined);
  const copy = () =>
    navigator.clipboard
      .writeText(credentials.password)
      .then(() => setCopied('copied'))
      .catch(() => setCopied('failed'));
  return (
    <div className="notice" data-tone="ok" role="status" data-testid="one-time-credentials">
      <div className="notice-body stack">
        <p className="notice-title">
          Credentials of {credentials.deviceId} on {credentials.nodePath}: shown this once
        </p>
        <dl className="credentials">
          <dt>Username</dt>
          <dd className="mono">{credentials.username}</dd>
          <dt>Password</dt>
          <dd className="mono" data-testid="one-time-password">
            {credentials.password}
          </dd>
        </dl>
        <p className="muted">Give them to the device now: the node keeps only a hash of the password.</p>
        <div className="row-gap wrap">
          <button type="button" className="button" onClick={() => void copy()}>
            {copied === 'copied' ? 'Copied' : 'Copy password'}
          </button>
          <button type="button" className="button" onClick={onDismiss}>
            Done
          </button>
        </div>
        {copied === 'failed' && (
          <p className="field-error">The browser refused to copy: select the password.</p>
        )}
      </div>
    </div>
  );
}

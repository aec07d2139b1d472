import { useId } from 'react';

/** What the provisioning dialogs take from the devices page. */
export interface ProvisioningDialogProps {
  open: boolean;
  /** Nodes that can own a device: the leaves of the tree. */
  nodePaths: readonly string[];
  onClose: () => void;
}

/** Which node a new device goes to; `noneLabel` names the empty choice. */
export function OwnerNodeSelect({
  label,
  noneLabel,
  nodePaths,
  value,
  error,
  onChange,
}: {
  label: string;
  noneLabel: string;
  nodePaths: readonly string[];
  value: string;
  error?: string | undefined;
  onChange: (path: string) => void;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id} className="field-label">
        {label}
      </label>
      <select
        id={id}
        className="select"
        value={value}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        onChange={(e) => onChange(e.target.value)}
      >
        <option value="">{noneLabel}</option>
        {nodePaths.map((path) => (
          <option key={path} value={path}>
            {path}
          </option>
        ))}
      </select>
      {error && (
        <small id={`${id}-error`} className="field-error">
          {error}
        </small>
      )}
    </div>
  );
}

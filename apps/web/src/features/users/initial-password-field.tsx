import { useId } from 'react';
import { generatePassword } from './generate-password.ts';

/**
 * A password the admin sets for someone else (first or reset): shown in clear so it can be passed
 * on, with a generator. The user must replace it at their first login.
 */
export function InitialPasswordField({
  label,
  value,
  onChange,
  invalid,
}: {
  label: string;
  value: string;
  onChange: (next: string) => void;
  invalid: boolean;
}) {
  const labelId = useId();
  return (
    <div className="field grow">
      <span id={labelId}>{label}</span>
      <span className="input-with-button">
        <input
          className="input mono"
          aria-labelledby={labelId}
          autoComplete="off"
          spellCheck={false}
          autoCapitalize="off"
          maxLength={256}
          value={value}
          aria-invalid={invalid || undefined}
          onChange={(e) => onChange(e.target.value)}
        />
        <button
          type="button"
          className="button"
          aria-label={`Generate a ${label.toLowerCase()}`}
          onClick={() => onChange(generatePassword())}
        >
          Generate
        </button>
      </span>
    </div>
  );
}

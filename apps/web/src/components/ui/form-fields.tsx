import { useId, type ReactNode } from 'react';

// Form fields (the policy draft, the rule editor, device forms): a label tied to its control, hint and error described by
// it (and kept out of its name).

export interface TextFieldProps {
  label: string;
  value: string;
  onChange: (value: string) => void;
  onBlur?: () => void;
  error?: string | undefined;
  hint?: string;
  mono?: boolean;
  numeric?: boolean;
  grow?: boolean;
  /** A textarea of this many rows instead of an input. */
  multiline?: number;
  placeholder?: string;
  maxLength?: number;
  /** Values to suggest as the user types (a datalist's options). */
  suggestions?: readonly string[];
}

/** A labelled input with its hint and error tied to it for screen readers (and out of its name). */
export function TextField({
  label,
  value,
  onChange,
  onBlur,
  error,
  hint,
  mono,
  numeric,
  grow,
  multiline,
  placeholder,
  maxLength,
  suggestions,
}: TextFieldProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const listId = `${id}-suggestions`;
  const describedBy = [hint && hintId, error && errorId].filter(Boolean).join(' ') || undefined;
  const common = {
    id,
    className: `input${mono ? ' mono' : ''}${multiline ? ' textarea' : ''}`,
    value,
    spellCheck: false,
    autoCapitalize: 'off',
    'aria-invalid': error ? true : undefined,
    'aria-describedby': describedBy,
    placeholder,
    maxLength,
    onBlur,
  } as const;
  return (
    <Field id={id} label={label} grow={grow}>
      {multiline ? (
        <textarea {...common} rows={multiline} onChange={(e) => onChange(e.target.value)} />
      ) : (
        <input
          {...common}
          inputMode={numeric ? 'decimal' : undefined}
          list={suggestions ? listId : undefined}
          onChange={(e) => onChange(e.target.value)}
        />
      )}
      {suggestions && (
        <datalist id={listId}>
          {suggestions.map((suggestion) => (
            <option key={suggestion} value={suggestion} />
          ))}
        </datalist>
      )}
      {hint && (
        <small id={hintId} className="field-hint">
          {hint}
        </small>
      )}
      {error && (
        <small id={errorId} className="field-error">
          {error}
        </small>
      )}
    </Field>
  );
}

export function SelectField<T extends string>({
  label,
  value,
  options,
  optionLabel = (option) => option,
  onChange,
}: {
  label: string;
  value: T;
  options: readonly T[];
  optionLabel?: (option: T) => string;
  onChange: (value: T) => void;
}) {
  const id = useId();
  return (
    <Field id={id} label={label}>
      <select id={id} className="select" value={value} onChange={(e) => onChange(e.target.value as T)}>
        {options.map((option) => (
          <option key={option} value={option}>
            {optionLabel(option)}
          </option>
        ))}
      </select>
    </Field>
  );
}

function Field({
  id,
  label,
  grow,
  children,
}: {
  id: string;
  label: string;
  grow?: boolean | undefined;
  children: ReactNode;
}) {
  return (
    <div className={`field${grow ? ' grow' : ''}`}>
      <label htmlFor={id} className="field-label">
        {label}
      </label>
      {children}
    </div>
  );
}
